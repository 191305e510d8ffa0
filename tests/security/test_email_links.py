"""Every link in an email is built from SITE_URL, never from the Host (or port) a request arrived with: a request
sent to another name or port of the server cannot make the portal email links that point elsewhere."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from partners.models import Registration
from tests.factories import RegistrationFactory
from tests.partners.support import JOIN_FORM

SITE_URL = "https://portal.ilrs.example.org"
ELSEWHERE = {"HTTP_HOST": "127.0.0.1:6666"}
HREF = re.compile(r"""https?://[^\s"'<>]+""")


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE_URL
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1"]  # the request's host is one the portal answers on


def _links(message):
    texts = [message.body] + [content for content, _type in getattr(message, "alternatives", [])]
    return [link for text in texts for link in HREF.findall(text)]


def _assert_every_link_from_site_url(expected_fragment):
    assert mail.outbox, "an email was sent"
    links = [link for message in mail.outbox for link in _links(message)]
    assert any(expected_fragment in link for link in links), links
    elsewhere = [link for link in links if link != SITE_URL and not link.startswith(SITE_URL + "/")]
    assert not elsewhere, f"links not built from SITE_URL: {elsewhere}"


def test_the_password_reset_link_is_built_from_site_url(
    client, site, partner_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": partner_member.email}, **ELSEWHERE)

    assert response.status_code == 302
    _assert_every_link_from_site_url("/accounts/set-password/")


def test_the_verification_link_is_built_from_site_url(client, site, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("partners:join"), JOIN_FORM, **ELSEWHERE)

    assert Registration.objects.exists()
    _assert_every_link_from_site_url("/join/verify/")


def test_the_invitation_link_is_built_from_site_url(
    client, site, organisation, partner_admin, django_capture_on_commit_callbacks
):
    client.force_login(partner_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("partners:invite", args=[organisation.pk]), {"email": "new@example.org"}, **ELSEWHERE)

    _assert_every_link_from_site_url("/invitations/accept/")


def test_the_welcome_link_of_an_approved_application_is_built_from_site_url(
    api_client, site, programme_admin, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory()
    api_client.force_authenticate(programme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/v1/registrations/{registration.pk}/approve/", **ELSEWHERE)

    assert response.status_code == 200
    _assert_every_link_from_site_url("/accounts/set-password/")
