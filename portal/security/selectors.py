"""Reads for the Security page: a person's second factors, sign-ins and API tokens."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from .models import ApiTokenRecord, ClosureRequest, SecondFactorGrace, SignedInSession
from .permissions import requires_second_factor


def has_second_factor(user):
    """A confirmed authenticator app or passkey (recovery codes alone do not count: they back up one of these)."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def authenticator_of(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(user):
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return device.token_set.count() if device else 0


def passkeys_of(user):
    return list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at"))


def enrol_by(user):
    """The moment after which someone who must have a second factor and has none reaches only the enrolment
    pages, or None when it does not apply (yet)."""
    if not requires_second_factor(user):
        return None
    grace = SecondFactorGrace.objects.filter(user=user).first()
    if grace is None:
        return None
    return grace.started_at + timedelta(days=settings.MFA_GRACE_DAYS)


def second_factor_overdue(user):
    deadline = enrol_by(user)
    return deadline is not None and deadline <= timezone.now() and not has_second_factor(user)


def sessions_of(user):
    """The person's sign-ins that have not yet reached their end (SESSION_COOKIE_AGE after they began)."""
    oldest = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return list(SignedInSession.objects.filter(user=user, created_at__gt=oldest))


def token_used_key(token_key):
    """Where the moment a token was last used is kept; named by a digest, as the token itself is a secret."""
    return "security:token-used:" + hashlib.blake2b(token_key.encode(), digest_size=16).hexdigest()


def tokens_of(user):
    """The person's API tokens that have not expired, with where they were issued."""
    oldest = timezone.now() - timedelta(hours=settings.API_TOKEN_LIFETIME_HOURS)
    records = list(ApiTokenRecord.objects.filter(user=user, token__created__gt=oldest).select_related("token"))
    keys = {record.pk: token_used_key(record.token_id) for record in records}
    used = cache.get_many(list(keys.values())) if records else {}
    for record in records:
        record.last_used_at = used.get(keys[record.pk])
    return records


def open_closure_request(user):
    return ClosureRequest.objects.filter(user=user, status=ClosureRequest.Status.REQUESTED).first()


def closure_requests():
    return ClosureRequest.objects.select_related("user", "completed_by")


# Browser and system names as people know them, looked for in this order in a User-Agent.
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
    ("python-requests", "Python"),
    ("python-httpx", "Python"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)


def describe_device(user_agent):
    """A User-Agent in plain words: "Firefox on Windows", "Safari on iPhone", "curl"."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), None)
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Unknown device")
