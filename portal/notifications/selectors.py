import operator

from django.utils.functional import SimpleLazyObject, new_method_proxy

from .models import Notification, OutboundEmail


class LazyCount(SimpleLazyObject):
    """A number read on first use; it also serves as the count of a plural form, whose rules (Russian's among
    them) take it modulo 10 and 100."""

    __mod__ = new_method_proxy(operator.mod)


def unread_count(*, user):
    """Lazy, so a page that never shows the count never queries it."""
    return LazyCount(lambda: Notification.objects.filter(user=user, read_at__isnull=True).count())


def notifications_for(*, user):
    return Notification.objects.filter(user=user)


def undelivered_emails():
    """Outbox rows not delivered yet or given up on, newest first: what administrators may need to follow up."""
    return OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).defer("body_text", "body_html")
