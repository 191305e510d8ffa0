from portal.accounts.authentication import ExpiringTokenAuthentication

from . import services


class TrackedTokenAuthentication(ExpiringTokenAuthentication):
    """The portal's expiring token, noting (at most once a minute) when it was last used, for its owner to see."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        services.touch_token(token=token)
        return user, token
