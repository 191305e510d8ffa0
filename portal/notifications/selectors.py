from django.utils.functional import SimpleLazyObject

from .models import Notification


def unread_count(*, user):
    """Lazy, so a page that never shows the count never queries it."""
    return SimpleLazyObject(lambda: Notification.objects.filter(user=user, read_at__isnull=True).count())


def notifications_for(*, user):
    return Notification.objects.filter(user=user)
