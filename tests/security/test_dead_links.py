"""Every dead link of an email answers alike: 400, with the one page that says the link is no longer valid and
what to do. Set-password links (used, altered), verification, invitation and edit links (altered, or naming
something that has moved on) used to answer some 200 and some 400."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from partners import tokens
from partners.models import Invitation, Registration
from partners.services import set_password_url
from tests.factories import InvitationFactory, RegistrationFactory, UserFactory

PAGE = "partners/link_invalid.html"


def _path(url):
    return urlsplit(url).path


def _altered(path):
    token = path.rstrip("/").rsplit("/", 1)[1]
    return path.replace(token, token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"))


def _used_set_password_link():
    user = UserFactory(password=None)
    link = _path(set_password_url(user))
    user.set_password("Regolith-2026-ok")
    user.save()
    return link


def _altered_set_password_link():
    return _altered(_path(set_password_url(UserFactory(password=None))))


def _altered_verification_link():
    registration = RegistrationFactory()
    return _altered(reverse("partners:verify_email", args=[tokens.verification_token(registration)]))


def _altered_invitation_link():
    invitation = InvitationFactory()
    return _altered(reverse("partners:invitation_accept", args=[tokens.invitation_token(invitation)]))


def _revoked_invitation_link():
    invitation = InvitationFactory(revoked_at=timezone.now())
    assert invitation.status == Invitation.Status.REVOKED
    return reverse("partners:invitation_accept", args=[tokens.invitation_token(invitation)])


def _altered_edit_link():
    registration = RegistrationFactory(status=Registration.Status.CHANGES_REQUESTED)
    return _altered(reverse("partners:registration_edit", args=[tokens.edit_token(registration)]))


def _closed_edit_link():
    registration = RegistrationFactory(status=Registration.Status.PENDING_REVIEW)
    return reverse("partners:registration_edit", args=[tokens.edit_token(registration)])


DEAD_LINKS = {
    "used set-password": _used_set_password_link,
    "altered set-password": _altered_set_password_link,
    "altered verification": _altered_verification_link,
    "altered invitation": _altered_invitation_link,
    "revoked invitation": _revoked_invitation_link,
    "altered edit": _altered_edit_link,
    "closed edit": _closed_edit_link,
}


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("make_link", DEAD_LINKS.values(), ids=DEAD_LINKS.keys())
def test_every_dead_link_answers_400_with_the_same_page(client, db, make_link, method):
    link = make_link()

    response = getattr(client, method)(link, follow=True)

    assert response.status_code == 400
    assert PAGE in [template.name for template in response.templates]
    page = response.content.decode()
    assert "can no longer be used" in page or "This link is not valid" in page or "not waiting for changes" in page
    assert '<form class="stacked"' not in page, "no form is offered on a dead link"


def test_a_dead_set_password_link_says_how_to_get_a_new_one(client, db):
    response = client.get(_used_set_password_link(), follow=True)

    page = response.content.decode()
    assert "The link is incomplete, has expired or was replaced by a newer one." in page
    assert f'<a href="{reverse("accounts:password_reset")}">Ask for a new one.</a>' in page


def test_a_live_set_password_link_still_opens_the_form(client, db):
    response = client.get(_path(set_password_url(UserFactory(password=None))), follow=True)

    assert response.status_code == 200
    assert response.context["validlink"]
