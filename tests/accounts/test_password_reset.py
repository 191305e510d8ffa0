"""Choosing a new password through an emailed link; the form never tells who has an account."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token

from partners.services import set_password_url
from portal.audit.models import AuditEvent
from portal.notifications.models import OutboundEmail
from tests.factories import PASSWORD, UserFactory
from tests.helpers import last_email_to, links_in, path_of, sign_in

NEW_PASSWORD = "Tycho-Crater-77"


@pytest.fixture
def ask_for_reset(client, django_capture_on_commit_callbacks):
    """Post the reset form; the email leaves through the outbox once the request commits."""

    def _ask(email):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("accounts:password_reset"), {"email": email})

    return _ask


def _set_password_form(client, email):
    """Open the link from the reset email; the portal moves the token out of the address."""
    [link] = [url for url in links_in(last_email_to(email)) if "/set-password/" in url]
    response = client.get(path_of(link), follow=True)
    assert response.context["validlink"], "the emailed link must open the form"
    return response.redirect_chain[-1][0]


def _choose(client, form_url, password, again=None):
    return client.post(form_url, {"new_password1": password, "new_password2": again or password})


def test_reset_link_from_the_email_sets_a_new_password_that_signs_in(client, partner_member, ask_for_reset):
    response = ask_for_reset(partner_member.email.upper())
    assert response.url == reverse("accounts:password_reset_done")
    message = last_email_to(partner_member.email)
    assert message.subject == "Choose a new password for the ILRS Partner Portal"
    assert "Dear Mpho Member" in message.body

    form_url = _set_password_form(client, partner_member.email)
    response = _choose(client, form_url, NEW_PASSWORD)

    assert response.url == reverse("accounts:home")
    assert client.get(reverse("accounts:home")).status_code == 200, "signed in by choosing the password"
    client.logout()
    assert not sign_in(client, partner_member.email, PASSWORD)
    assert sign_in(client, partner_member.email, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("weak", "message"),
    [
        ("Moon-7", "This password is too short. It must contain at least 12 characters."),
        ("password123", "This password is too common."),
        ("20260101234", "This password is entirely numeric."),
        ("member@south-lunar", "The password is too similar to the email address."),
    ],
)
def test_weak_password_is_refused_with_the_reason(client, partner_member, ask_for_reset, weak, message):
    ask_for_reset(partner_member.email)
    form_url = _set_password_form(client, partner_member.email)

    response = _choose(client, form_url, weak)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert sign_in(client, partner_member.email, PASSWORD), "the old password still works"


def test_mismatched_passwords_are_refused(client, partner_member, ask_for_reset):
    ask_for_reset(partner_member.email)
    form_url = _set_password_form(client, partner_member.email)

    response = _choose(client, form_url, NEW_PASSWORD, again=NEW_PASSWORD + "x")

    assert "The two password fields didn’t match." in response.content.decode()


def test_reset_link_works_only_once(client, partner_member, ask_for_reset):
    ask_for_reset(partner_member.email)
    [link] = [url for url in links_in(last_email_to(partner_member.email)) if "/set-password/" in url]
    _choose(client, client.get(path_of(link), follow=True).redirect_chain[-1][0], NEW_PASSWORD)

    response = client.get(path_of(link), follow=True)

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert f'href="{reverse("accounts:password_reset")}"' in response.content.decode(), "the way to a new link"


def test_tampered_link_is_refused(client, partner_member, ask_for_reset):
    ask_for_reset(partner_member.email)
    [link] = [url for url in links_in(last_email_to(partner_member.email)) if "/set-password/" in url]

    response = client.get(path_of(link.rstrip("/")[:-3] + "xyz/"), follow=True)

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()


def test_person_who_never_chose_a_password_can_set_one(client, db, ask_for_reset):
    newcomer = UserFactory(email="newcomer@example.org", password=None)
    assert not newcomer.has_usable_password()

    ask_for_reset(newcomer.email)
    _choose(client, _set_password_form(client, newcomer.email), NEW_PASSWORD)

    assert sign_in(client, newcomer.email, NEW_PASSWORD)


def test_unknown_or_inactive_address_gets_the_same_answer_and_no_email(client, partner_member, ask_for_reset):
    known = ask_for_reset(partner_member.email)
    mail.outbox.clear()
    former = UserFactory(email="former@example.org", is_active=False)

    for address in ("nobody@example.org", former.email):
        response = ask_for_reset(address)
        assert (response.status_code, response.url) == (known.status_code, known.url)

    assert mail.outbox == []
    assert not OutboundEmail.objects.filter(to__in=["nobody@example.org", former.email]).exists()


def test_reset_email_goes_out_in_the_persons_language(partner_member, ask_for_reset):
    partner_member.language = "ru"
    partner_member.save()

    ask_for_reset(partner_member.email)

    assert OutboundEmail.objects.get(to=partner_member.email).language == "ru"


def test_a_new_password_ends_the_api_token(client, api_client, partner_member, ask_for_reset):
    token = Token.objects.create(user=partner_member)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api_client.get("/api/v1/me/").status_code == 200
    ask_for_reset(partner_member.email)

    assert _choose(client, _set_password_form(client, partner_member.email), NEW_PASSWORD).status_code == 302

    assert api_client.get("/api/v1/me/").status_code == 401


def test_the_owner_is_told_of_a_changed_password_in_their_language(
    client, partner_member, ask_for_reset, django_capture_on_commit_callbacks
):
    partner_member.language, partner_member.time_zone = "ru", "Europe/Moscow"
    partner_member.save()
    ask_for_reset(partner_member.email)
    form_url = _set_password_form(client, partner_member.email)

    with django_capture_on_commit_callbacks(execute=True):
        _choose(client, form_url, NEW_PASSWORD)

    notice = last_email_to(partner_member.email)
    with translation.override("ru"):
        assert notice.subject == gettext("Your password for the ILRS Partner Portal was changed")
        assert gettext("Choose a new password") in notice.alternatives[0][0]
    assert notice.subject != "Your password for the ILRS Partner Portal was changed"
    assert "(Europe/Moscow)" in notice.body
    assert "http://testserver" + reverse("accounts:password_reset") in links_in(notice)
    event = AuditEvent.objects.get(action="account.password_changed")
    assert (event.actor, event.object_id) == (partner_member, str(partner_member.pk))


def test_choosing_a_first_password_is_recorded_but_not_announced(client, db, django_capture_on_commit_callbacks):
    newcomer = UserFactory(email="new@south-lunar.example.org")
    newcomer.set_unusable_password()
    newcomer.save()
    form_page = client.get(path_of(set_password_url(newcomer)), follow=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = _choose(client, form_page.redirect_chain[-1][0], NEW_PASSWORD)

    assert response.url == reverse("accounts:home")
    assert not [message for message in mail.outbox if "new@south-lunar.example.org" in message.to]
    assert AuditEvent.objects.get(action="account.password_set").actor == newcomer
