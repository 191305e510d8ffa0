"""Forms that send email or create records are limited per client address, with a clear page when exceeded."""

from django.core import mail
from django.urls import reverse

from partners.models import Registration
from tests.factories import PASSWORD
from tests.partners.support import JOIN_FORM


def test_the_join_form_is_limited_per_address(client, db, settings, django_capture_on_commit_callbacks):
    settings.RATELIMIT_REGISTRATION = "2/h"
    for n in range(2):
        response = client.post(reverse("partners:join"), {**JOIN_FORM, "contact_email": f"contact{n}@moon.example.org"})
        assert response.status_code == 302
    refused = client.post(reverse("partners:join"), {**JOIN_FORM, "contact_email": "contact9@moon.example.org"})
    assert refused.status_code == 429
    assert "Too many requests" in refused.content.decode()
    assert Registration.objects.count() == 2
    assert client.get(reverse("partners:join")).status_code == 200, "reading the form is never limited"


def test_password_reset_emails_are_limited_per_address(
    client, partner_member, settings, django_capture_on_commit_callbacks
):
    settings.RATELIMIT_PASSWORD_RESET = "1/h"
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("accounts:password_reset"), {"email": partner_member.email})
        refused = client.post(reverse("accounts:password_reset"), {"email": partner_member.email})
    assert first.status_code == 302
    assert refused.status_code == 429
    assert [message.to for message in mail.outbox] == [[partner_member.email]]


def test_sign_in_attempts_are_limited_per_address_across_accounts(client, partner_member, settings):
    settings.RATELIMIT_LOGIN = "3/h"
    # Wrong passwords on three different accounts: no one account reaches its lock-out, the address does.
    for n in range(3):
        tried = client.post(reverse("accounts:login"), {"username": f"someone{n}@moon.example.org", "password": "x"})
        assert tried.status_code == 200
    refused = client.post(reverse("accounts:login"), {"username": partner_member.email, "password": PASSWORD})
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accounts:login")).status_code == 200, "the sign-in page itself stays readable"
