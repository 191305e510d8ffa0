"""Signed links sent by email. Each is tied to the state it acts on, so it works only once."""

from django.core import signing

VERIFY_SALT = "partners.registration.verify"
EDIT_SALT = "partners.registration.edit"
INVITATION_SALT = "partners.invitation"

VERIFY_MAX_AGE = 7 * 24 * 3600
EDIT_MAX_AGE = 30 * 24 * 3600
INVITATION_MAX_AGE = 7 * 24 * 3600


class InvalidLink(Exception):
    pass


def _load(token, *, salt, max_age):
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise InvalidLink("expired") from exc
    except signing.BadSignature as exc:
        raise InvalidLink("invalid") from exc


def verification_token(registration):
    return signing.dumps({"r": registration.pk}, salt=VERIFY_SALT)


def registration_id_from_verification(token):
    return _load(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)["r"]


def edit_token(registration):
    stamp = registration.decided_at.isoformat() if registration.decided_at else ""
    return signing.dumps({"r": registration.pk, "d": stamp}, salt=EDIT_SALT)


def registration_from_edit(token, queryset):
    """The registration an edit link is for, if the link belongs to its latest change request."""
    payload = _load(token, salt=EDIT_SALT, max_age=EDIT_MAX_AGE)
    registration = queryset.filter(pk=payload["r"]).first()
    stamp = registration.decided_at.isoformat() if registration and registration.decided_at else ""
    if registration is None or payload["d"] != stamp:
        raise InvalidLink("invalid")
    return registration


def invitation_token(invitation):
    return signing.dumps({"i": invitation.pk}, salt=INVITATION_SALT)


def invitation_id_from_token(token):
    return _load(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)["i"]
