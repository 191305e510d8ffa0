"""Changes people make to their own account."""

from django.conf import settings
from django.utils.translation import gettext as _

from portal.errors import DomainError


def save_language(*, user, language):
    """Remember the language a person chose: pages, the API and their emails use it from now on."""
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Choose one of the portal's languages."), field="language")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
