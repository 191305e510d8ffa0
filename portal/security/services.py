"""Changes to a person's second factors, sign-ins, API tokens and account closure."""

import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from rest_framework.authtoken.models import Token

from portal.audit.services import record_event
from portal.client import client_address
from portal.errors import DomainError
from portal.transitions import refuse

from . import selectors
from .models import ApiTokenRecord, ClosureRequest, SecondFactorGrace, SignedInSession
from .permissions import closure_refusal, requires_second_factor

# Keys of the session that say what the sign-in still owes: a second factor to give now, or an enrolment due by a
# moment (ISO 8601). Read on every request without touching the database.
PENDING = "security_second_factor_pending"
ENROL_BY = "security_enrol_by"
RECOVERY_CODE_COUNT = 10
# "Last seen" is written at most once in this many seconds per sign-in or token, not on every request.
SEEN_INTERVAL = 60


def _user_agent(request):
    return request.META.get("HTTP_USER_AGENT", "").replace("\x00", "")[:300]


def _seen_key(kind, key):
    return f"security:seen:{kind}:{key}"


# The "seen" marks this process set, with when (time.time()): the later requests of a sign-in or token within the
# interval find theirs here and ask neither the cache nor the database, while the cache's mark keeps the writes to
# one an interval across processes. Forgotten all at once when this many are held (each is a key and a float).
_seen_here = {}
_SEEN_HERE_LIMIT = 20_000


def _note_seen(cache_key):
    if len(_seen_here) >= _SEEN_HERE_LIMIT:
        _seen_here.clear()
    _seen_here[cache_key] = time.time()


def _seen_recently(cache_key):
    """True if `cache_key` was marked seen less than SEEN_INTERVAL ago, by this process or any other (which the
    cache is asked at most once an interval); otherwise it is marked now."""
    if _seen_here.get(cache_key, 0) > time.time() - SEEN_INTERVAL:
        return True
    _note_seen(cache_key)
    return not cache.add(cache_key, 1, SEEN_INTERVAL)


# --- Sign-ins to the pages ---------------------------------------------------------------------------------------


def refresh_session_flags(*, request, user):
    """Note in the session whether this sign-in still owes a second factor, or an enrolment and by when."""
    session = request.session
    has_device = selectors.has_second_factor(user)
    verified = getattr(user, "is_verified", lambda: False)()
    if has_device and not verified:
        session[PENDING] = True
    else:
        session.pop(PENDING, None)
    if requires_second_factor(user) and not has_device:
        grace, _created = SecondFactorGrace.objects.get_or_create(user=user)
        session[ENROL_BY] = selectors.enrol_by(user).isoformat()
    else:
        session.pop(ENROL_BY, None)


def record_sign_in(*, request, user):
    """A new sign-in to the pages: listed for its owner, and told what it still owes."""
    session_key = request.session.session_key
    if session_key is None:
        request.session.save()
        session_key = request.session.session_key
    now = timezone.now()
    SignedInSession.objects.filter(
        user=user, created_at__lte=now - timezone.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    ).delete()
    SignedInSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "user": user,
            "user_agent": _user_agent(request),
            "ip_address": client_address(request),
            "created_at": now,
            "last_seen_at": now,
        },
    )
    cache.set(_seen_key("session", session_key), 1, SEEN_INTERVAL)
    _note_seen(_seen_key("session", session_key))
    refresh_session_flags(request=request, user=user)


def touch_session(*, request, user):
    """Mark the sign-in as seen now, at most once a minute."""
    session_key = request.session.session_key
    if not session_key or _seen_recently(_seen_key("session", session_key)):
        return
    now = timezone.now()
    updated = SignedInSession.objects.filter(session_key=session_key, user=user).update(last_seen_at=now)
    if not updated:
        SignedInSession.objects.get_or_create(
            session_key=session_key,
            defaults={"user": user, "user_agent": _user_agent(request), "ip_address": client_address(request)},
        )


def touch_token(*, token):
    """Note, in the cache and at most once a minute, when a token was used: the API's requests write nothing."""
    used_key = selectors.token_used_key(token.pk)
    if not _seen_recently(used_key + ":recent"):
        cache.set(used_key, timezone.now(), settings.API_TOKEN_LIFETIME_HOURS * 3600)


def _end_session_key(session_key):
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore(session_key).delete()
    SignedInSession.objects.filter(session_key=session_key).delete()
    # Tokens asked for from this sign-in end with it.
    Token.objects.filter(record__session_key=session_key).delete()


def forget_sign_in(*, request):
    """On signing out of the pages: the sign-in's row goes, and so do the API tokens asked for from it."""
    session_key = getattr(request, "session", None) and request.session.session_key
    if session_key:
        SignedInSession.objects.filter(session_key=session_key).delete()
        Token.objects.filter(record__session_key=session_key).delete()


@transaction.atomic
def end_session(*, user, signed_in_session):
    """Sign one of the person's sign-ins out, wherever it is; the API tokens asked for from it end too."""
    if signed_in_session.user_id != user.pk:
        raise DomainError(_("This sign-in is not yours."))
    _end_session_key(signed_in_session.session_key)
    record_event(actor=user, action="account.session_ended", obj=user, data={"session": signed_in_session.pk})


@transaction.atomic
def end_everywhere(*, user, keep_session_key=None):
    """Sign the person out of every sign-in (but the one named) and end all their API tokens."""
    keys = SignedInSession.objects.filter(user=user).exclude(session_key=keep_session_key or "")
    ended = 0
    for session_key in list(keys.values_list("session_key", flat=True)):
        _end_session_key(session_key)
        ended += 1
    tokens = Token.objects.filter(user=user).delete()[0]
    record_event(
        actor=user,
        action="account.signed_out_everywhere",
        obj=user,
        data={"sessions": ended, "tokens": tokens, "kept_current": bool(keep_session_key)},
    )
    return ended


@transaction.atomic
def revoke_token(*, user, record):
    """End one of the person's API tokens at once."""
    if record.user_id != user.pk:
        raise DomainError(_("This token is not yours."))
    Token.objects.filter(pk=record.token_id).delete()
    record_event(actor=user, action="account.token_revoked", obj=user)


def record_token(*, token, request):
    """Note where a new API token was asked for; asked for from a signed-in browser, it belongs to that sign-in."""
    session = getattr(request, "session", None)
    session_key = ""
    if session is not None and session.session_key and str(session.get("_auth_user_id")) == str(token.user_id):
        session_key = session.session_key
    ApiTokenRecord.objects.update_or_create(
        token=token,
        defaults={
            "user_id": token.user_id,
            "session_key": session_key,
            "user_agent": _user_agent(request),
            "ip_address": client_address(request),
            "created_at": token.created,
        },
    )


# --- Second factor --------------------------------------------------------------------------------------------


def check_second_factor(*, request, user, code):
    """The device `code` belongs to (an authenticator app's current code or an unused recovery code, which is
    then spent), or None; a wrong code counts as a failed sign-in towards the lock-out (django-axes)."""
    code = "".join(str(code or "").split()).lower()
    device = match_token(user, code) if code and len(code) <= 64 else None
    if device is None:
        user_login_failed.send(sender=__name__, credentials={"username": user.email}, request=request)
    return device


def start_sign_in_verified(*, request, device):
    """The sign-in has given its second factor."""
    otp_login(request, device)
    request.session.pop(PENDING, None)


def start_authenticator(*, user):
    """The authenticator app being set up: a new secret, shown until it is confirmed with a code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


@transaction.atomic
def confirm_authenticator(*, request, user, device, code):
    """Turn the authenticator app on once it has given a right code; returns fresh recovery codes."""
    code = "".join(str(code or "").split())
    if device.user_id != user.pk or device.confirmed or not device.verify_token(code):
        raise DomainError(_("That code is not right: enter the 6 digits the app shows now."), field="code")
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    record_event(actor=user, action="account.authenticator_added", obj=user)
    otp_login(request, device)
    refresh_session_flags(request=request, user=request.user)
    return codes


def _new_recovery_codes(user):
    device, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": "Recovery codes", "confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def new_recovery_codes(*, user):
    """Replace the person's recovery codes; the old ones stop working."""
    if not selectors.has_second_factor(user):
        raise DomainError(_("Set up an authenticator app or a passkey first."))
    codes = _new_recovery_codes(user)
    record_event(actor=user, action="account.recovery_codes_replaced", obj=user)
    return codes


def _drop_recovery_codes_if_alone(user):
    if not selectors.has_second_factor(user):
        StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def remove_authenticator(*, request, user):
    """Turn the authenticator app off (recovery codes go too when no passkey is left)."""
    TOTPDevice.objects.filter(user=user).delete()
    _drop_recovery_codes_if_alone(user)
    record_event(actor=user, action="account.authenticator_removed", obj=user)
    refresh_session_flags(request=request, user=request.user)


@transaction.atomic
def remove_passkey(*, request, user, credential):
    if credential.user_id != user.pk:
        raise DomainError(_("This passkey is not yours."))
    credential.delete()
    _drop_recovery_codes_if_alone(user)
    record_event(actor=user, action="account.passkey_removed", obj=user)
    refresh_session_flags(request=request, user=request.user)


def passkey_added(*, credential):
    record_event(actor=credential.user, action="account.passkey_added", obj=credential.user)


# --- Account closure ------------------------------------------------------------------------------------------


@transaction.atomic
def request_closure(*, user, reason):
    """A person asks for their account to be closed; an administrator completes it."""
    if selectors.open_closure_request(user) is not None:
        raise DomainError(_("You have already asked for your account to be closed."))
    closure = ClosureRequest.objects.create(user=user, reason=reason.strip())
    record_event(actor=user, action="account.closure_requested", obj=user, reason=closure.reason)
    return closure


@transaction.atomic
def complete_closure(*, closure, by):
    """Close the account: it can no longer sign in and its personal fields are replaced. What the programme's
    record keeps stays: audit rows, and submitted proposal versions that name their authors as they were."""
    closure = ClosureRequest.objects.select_for_update().get(pk=closure.pk)
    refuse(closure_refusal(by, closure))
    user = closure.user
    for session_key in list(SignedInSession.objects.filter(user=user).values_list("session_key", flat=True)):
        _end_session_key(session_key)
    Token.objects.filter(user=user).delete()
    for model in (TOTPDevice, StaticDevice, WebAuthnCredential):
        model.objects.filter(user=user).delete()
    user.full_name = _("Closed account %(number)s") % {"number": user.pk}
    user.email = f"closed-account-{user.pk}@closed.invalid"
    user.position = ""
    user.is_active = False
    user.is_reviewer = False
    user.is_programme_admin = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    closure.status = ClosureRequest.Status.COMPLETED
    closure.completed_at = timezone.now()
    closure.completed_by = by
    closure.reason = ""
    closure.save()
    record_event(actor=by, action="account.closed", obj=user, from_state="active", to_state="closed")
    return closure
