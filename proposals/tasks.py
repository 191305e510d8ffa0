from celery import shared_task

from . import services


@shared_task
def send_deadline_reminders():
    """Beat task: remind teams with unsubmitted drafts ahead of their deadline (each reminder once)."""
    return services.send_deadline_reminders()


@shared_task
def close_calls_past_deadline():
    """Beat task: close calls whose final deadline has passed."""
    return services.close_calls_past_deadline()


@shared_task
def send_review_reminders():
    """Beat task: remind reviewers with open reviews ahead of the review deadline (each reminder once)."""
    from .review_services import send_review_reminders as send

    return send()
