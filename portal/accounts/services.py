"""Changes people make to their own account."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import record_event
from portal.errors import DomainError
from portal.middleware import absolute_url
from portal.notifications.services import queue_email


def save_language(*, user, language):
    """Remember the language a person chose: pages, the API and their emails use it from now on."""
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Choose one of the portal's languages."), field="language")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def record_password_change(*, user, first):
    """After a person chose a password through an emailed link: the audit row, and, when it replaced one they
    had, an email telling them (and how to take the account back if it was not them)."""
    record_event(actor=user, action="account.password_set" if first else "account.password_changed", obj=user)
    if not first:
        queue_email(
            to=user.email,
            recipient=user,
            template="password_changed",
            context={
                "user": user,
                "changed_at": timezone.now(),
                "link": absolute_url(reverse("accounts:password_reset")),
            },
        )
