from django.utils.functional import SimpleLazyObject

from .models import Notification, OutboundEmail


def unread_count(*, user):
    """Lazy, so a page that never shows the count never queries it."""
    return SimpleLazyObject(lambda: Notification.objects.filter(user=user, read_at__isnull=True).count())


def notifications_for(*, user):
    return Notification.objects.filter(user=user)


def undelivered_emails():
    """Outbox rows not delivered yet or given up on, newest first: what administrators may need to follow up."""
    return OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).defer("body_text", "body_html")
