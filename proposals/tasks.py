from celery import shared_task

from . import calls, services


@shared_task
def send_deadline_reminders():
    """Beat task: remind teams with unsubmitted drafts ahead of their deadline (each reminder once)."""
    return services.send_deadline_reminders()


@shared_task
def close_calls_past_deadline():
    """Beat task: close calls whose final deadline has passed."""
    return calls.close_calls_past_deadline()


@shared_task
def send_review_reminders():
    """Beat task: remind reviewers with open reviews ahead of the review deadline (each reminder once)."""
    from proposals.review.services import send_review_reminders as send

    return send()


@shared_task
def compute_call_affinity(call_id):
    """Recompute the stored text affinity of one call's proposals with every reviewer (safe to run twice)."""
    from proposals.review.affinity import compute_call_affinity as compute

    from .models import Call

    call = Call.objects.filter(pk=call_id).first()
    return compute(call=call) if call is not None else 0


@shared_task
def compute_affinity_in_matching():
    """Recompute the affinity of every closed or under-review call (after a reviewer's expertise changed)."""
    from proposals.review.affinity import calls_in_matching
    from proposals.review.affinity import compute_call_affinity as compute

    return sum(compute(call=call) for call in calls_in_matching())


@shared_task
def send_bid_reminders():
    """Beat task: remind reviewers to bid ahead of a call's bidding deadline (each reminder once)."""
    from proposals.review.bids import send_bid_reminders as send

    return send()
