import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portal.middleware import current_base_url
from portal.task_queue import enqueue

from .models import Notification, OutboundEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12


def _backoff(attempts):
    """Seconds to wait before attempt number `attempts + 1`: 30 s doubling, at most an hour."""
    return min(30 * 2 ** max(attempts - 1, 0), 3600)


def queue_email(*, to, template, context, language=None, recipient=None):
    """Render an email in the recipient's language and time zone and write it to the outbox.

    Pass `recipient` whenever the address is a person's with an account: the email then follows their saved
    language and time zone; otherwise it is in `language` (or the default) and times are in UTC.
    Call inside the service's transaction: it is delivered only if that transaction commits.
    """
    language = language or (recipient.language if recipient else None) or settings.LANGUAGE_CODE
    zone = recipient.time_zone if recipient and recipient.time_zone else None
    context = {"site_name": settings.SITE_NAME, "base_url": current_base_url(), **context}
    with translation.override(language), timezone.override(zone):
        subject = " ".join(render_to_string(f"emails/{template}.subject.txt", context).split())
        body_text = render_to_string(f"emails/{template}.txt", context)
        body_html = render_to_string(f"emails/{template}.html", context)
    email = OutboundEmail.objects.create(
        to=to,
        recipient=recipient,
        template=template,
        language=language,
        subject=subject[:300],
        body_text=body_text,
        body_html=body_html,
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: enqueue_delivery(email.pk))
    return email


def notify(*, user, message, params=None, link=""):
    """Add a message to a person's in-portal notification list, written in that person's language.

    `message` is a lazily translated text (`gettext_lazy`) with `%(name)s` placeholders filled from `params`.
    """
    with translation.override(user.language or settings.LANGUAGE_CODE):
        text = str(message) % params if params else str(message)
    return Notification.objects.create(user=user, message=text[:500], link=link)


def enqueue_delivery(email_id):
    """Hand an outbox row to the queue; if the broker is down the sweeper sends it later."""
    enqueue("portal.notifications.tasks.deliver_email", email_id)


def deliver(*, email_id):
    """Send one outbox row unless it was already sent; safe to run twice or concurrently.

    Returns True when this call sent it. On a mail server error the row records the error and
    the time of the next attempt, and the error is raised for the task to retry.
    """
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update(skip_locked=True).filter(pk=email_id).first()
        if email is None or email.status != OutboundEmail.Status.PENDING:
            return False
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to],
        )
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        email.attempts += 1
        try:
            message.send()
        except Exception as exc:
            # The failure is recorded (and committed) so administrators can see it.
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if email.attempts >= MAX_ATTEMPTS:
                email.status = OutboundEmail.Status.FAILED
            email.next_attempt_at = timezone.now() + timedelta(seconds=_backoff(email.attempts))
            email.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            logger.warning("Email %s not delivered (attempt %s): %s", email.pk, email.attempts, exc)
            failure = DeliveryFailed(email.last_error, retry_in=_backoff(email.attempts))
        else:
            email.status = OutboundEmail.Status.SENT
            email.sent_at = timezone.now()
            email.last_error = ""
            email.save(update_fields=["attempts", "status", "sent_at", "last_error"])
            return True
    raise failure


class DeliveryFailed(Exception):
    def __init__(self, message, *, retry_in):
        super().__init__(message)
        self.retry_in = retry_in


def due_email_ids(*, now=None, stale_after=timedelta(minutes=1)):
    """Pending rows whose delivery is due and that were not just queued a moment ago."""
    now = now or timezone.now()
    return list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.PENDING,
            next_attempt_at__lte=now,
            created_at__lte=now - stale_after,
        ).values_list("pk", flat=True)[:500]
    )


def mark_read(*, user, notification_ids=None):
    """Mark a person's notifications read: the given ones, or all of them."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
