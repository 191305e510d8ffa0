from urllib.parse import urlsplit

from django_otp_webauthn.helpers import WebAuthnHelper


class PortalWebAuthnHelper(WebAuthnHelper):
    """Passkeys belong to the host the portal is reached on (ALLOWED_HOSTS decides which hosts those are)."""

    def get_relying_party_domain(self):
        return urlsplit(f"//{self.request.get_host()}").hostname or ""

    def get_allowed_origins(self):
        return [f"{self.request.scheme}://{self.request.get_host()}"]
