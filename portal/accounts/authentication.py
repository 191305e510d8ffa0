from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from portal.middleware import use_language


def token_expires_at(token):
    return token.created + timedelta(hours=settings.API_TOKEN_LIFETIME_HOURS)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token, ending API_TOKEN_LIFETIME_HOURS after it was issued, as a sign-in does.

    Its owner is answered in their saved language, as a signed-in person is on the pages (the middleware cannot:
    DRF knows the token's owner only once the view runs).
    """

    def authenticate(self, request):
        authenticated = super().authenticate(request)
        if authenticated is not None:
            use_language(request._request, authenticated[0])
        return authenticated

    def authenticate_credentials(self, key):
        # A key is printable ASCII; anything else (a NUL byte, say) names no token and is never looked up.
        if not (key.isascii() and key.isprintable()):
            raise AuthenticationFailed(_("Invalid token."))
        user, token = super().authenticate_credentials(key)  # raises DRF's own "invalid" or "inactive"
        if token_expires_at(token) <= timezone.now():
            token.delete()
            raise AuthenticationFailed(_("This token has expired: ask for a new one."))
        return user, token
