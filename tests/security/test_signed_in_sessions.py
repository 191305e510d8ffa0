"""Sign-ins and API tokens a person sees and ends: one, all but this browser, or all; signing out of the pages
ends the API token asked for from that sign-in."""

import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from portal.audit.models import AuditEvent
from portal.security import services
from portal.security.models import ApiTokenRecord, SignedInSession
from tests.factories import PASSWORD, UserFactory

HOME = reverse("accounts:home")
SECURITY = reverse("security:overview")
TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"
FIREFOX_ON_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1"
)


def browser(user, user_agent, address="203.0.113.7"):
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_the_security_page_lists_each_sign_in_in_plain_words_and_the_api_tokens(partner_member):
    laptop = browser(partner_member, FIREFOX_ON_WINDOWS, "203.0.113.7")
    browser(partner_member, SAFARI_ON_IPHONE, "198.51.100.20")
    token = (
        Client(HTTP_USER_AGENT="curl/8.5.0", REMOTE_ADDR="192.0.2.5")
        .post(TOKEN, {"email": partner_member.email, "password": PASSWORD})
        .json()["token"]
    )
    never_used = laptop.get(SECURITY).content.decode()
    Client(HTTP_AUTHORIZATION=f"Token {token}").get(ME)

    page = laptop.get(SECURITY).content.decode()

    assert "Firefox on Windows" in page
    assert "Safari on iPhone" in page
    assert "203.0.113.7" in page and "198.51.100.20" in page
    assert "this browser" in page
    assert "curl" in page and "192.0.2.5" in page
    assert Token.objects.get(user=partner_member).key not in page
    assert "<dd>—</dd>" in never_used.split('id="api-tokens"')[1]
    assert "<dd>—</dd>" not in page.split('id="api-tokens"')[1]


def test_an_empty_security_page_says_so(client, partner_member):
    SignedInSession.objects.all().delete()
    client.force_login(partner_member)
    SignedInSession.objects.all().delete()
    cache.set(f"security:seen:session:{client.session.session_key}", 1, 60)

    page = client.get(SECURITY).content.decode()

    assert "No sign-in is recorded." in page
    assert "You have no API token." in page
    assert "No passkey yet." in page
    assert "No authenticator app is set up." in page


def test_the_security_page_reads_a_fixed_number_of_queries(partner_member, django_assert_max_num_queries):
    laptop = browser(partner_member, FIREFOX_ON_WINDOWS)
    for _ in range(15):
        browser(partner_member, SAFARI_ON_IPHONE)

    with django_assert_max_num_queries(16):
        assert laptop.get(SECURITY).status_code == 200


def test_last_seen_is_written_at_most_once_a_minute(partner_member, monkeypatch):
    laptop = browser(partner_member, FIREFOX_ON_WINDOWS)
    signed_in = SignedInSession.objects.get(user=partner_member)
    first_seen = signed_in.last_seen_at
    laptop.get(HOME)
    signed_in.refresh_from_db()
    assert signed_in.last_seen_at == first_seen

    a_minute_later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: a_minute_later)  # for the portal's process and its cache alike
    laptop.get(HOME)

    signed_in.refresh_from_db()
    assert signed_in.last_seen_at > first_seen


def test_last_seen_is_written_once_a_minute_across_the_portal_processes(partner_member, monkeypatch):
    laptop = browser(partner_member, FIREFOX_ON_WINDOWS)
    signed_in = SignedInSession.objects.get(user=partner_member)
    first_seen = signed_in.last_seen_at

    monkeypatch.setattr(services, "_seen_here", {})  # the next request reaches a worker that has not seen it
    laptop.get(HOME)

    signed_in.refresh_from_db()
    assert signed_in.last_seen_at == first_seen


def test_signing_out_elsewhere_ends_that_sign_in_on_the_server(partner_member):
    laptop = browser(partner_member, FIREFOX_ON_WINDOWS)
    phone = browser(partner_member, SAFARI_ON_IPHONE)
    phone_session = SignedInSession.objects.get(user_agent=SAFARI_ON_IPHONE)

    response = laptop.post(reverse("security:end_session", args=[phone_session.pk]))

    assert response.status_code == 302
    assert phone.get(HOME)["Location"].startswith(reverse("accounts:login"))
    assert laptop.get(HOME).status_code == 200
    assert AuditEvent.objects.filter(action="account.session_ended", actor=partner_member).exists()


def test_signing_out_of_the_pages_ends_the_api_token_asked_for_from_that_sign_in(partner_member):
    laptop = browser(partner_member, FIREFOX_ON_WINDOWS)
    token = laptop.post(TOKEN, {"email": partner_member.email, "password": PASSWORD}).json()["token"]
    assert ApiTokenRecord.objects.get(token_id=token).session_key == laptop.session.session_key
    script = Client(HTTP_AUTHORIZATION=f"Token {token}")
    assert script.get(ME).status_code == 200

    laptop.post(reverse("accounts:logout"))

    assert script.get(ME).status_code == 401


def test_a_token_asked_for_without_a_sign_in_survives_signing_out_of_the_pages(partner_member):
    laptop = browser(partner_member, FIREFOX_ON_WINDOWS)
    token = Client().post(TOKEN, {"email": partner_member.email, "password": PASSWORD}).json()["token"]

    laptop.post(reverse("accounts:logout"))

    assert Client(HTTP_AUTHORIZATION=f"Token {token}").get(ME).status_code == 200


def test_a_token_is_revoked_from_the_security_page(partner_member):
    laptop = browser(partner_member, FIREFOX_ON_WINDOWS)
    token = Client().post(TOKEN, {"email": partner_member.email, "password": PASSWORD}).json()["token"]

    laptop.post(reverse("security:revoke_token", args=[ApiTokenRecord.objects.get(token_id=token).pk]))

    assert Client(HTTP_AUTHORIZATION=f"Token {token}").get(ME).status_code == 401


@pytest.mark.parametrize("include_current", [False, True])
def test_sign_out_everywhere_ends_every_other_sign_in_and_every_token(partner_member, include_current):
    laptop = browser(partner_member, FIREFOX_ON_WINDOWS)
    phone = browser(partner_member, SAFARI_ON_IPHONE)
    token = Client().post(TOKEN, {"email": partner_member.email, "password": PASSWORD}).json()["token"]

    laptop.post(reverse("security:end_everywhere"), {"include_current": "on"} if include_current else {})

    assert phone.get(HOME).status_code == 302
    assert Client(HTTP_AUTHORIZATION=f"Token {token}").get(ME).status_code == 401
    assert (laptop.get(HOME).status_code == 302) is include_current
    assert AuditEvent.objects.filter(action="account.signed_out_everywhere", actor=partner_member).exists()


def test_nobody_ends_someone_elses_sign_in_or_token(partner_member, db):
    stranger = UserFactory()
    browser(stranger, SAFARI_ON_IPHONE)
    Client().post(TOKEN, {"email": stranger.email, "password": PASSWORD})
    laptop = browser(partner_member, FIREFOX_ON_WINDOWS)

    theirs = SignedInSession.objects.get(user=stranger)
    assert laptop.post(reverse("security:end_session", args=[theirs.pk])).status_code == 404
    record = ApiTokenRecord.objects.get(user=stranger)
    assert laptop.post(reverse("security:revoke_token", args=[record.pk])).status_code == 404
    assert SignedInSession.objects.filter(user=stranger).exists()
    assert Token.objects.filter(user=stranger).exists()
    assert "Safari on iPhone" not in laptop.get(SECURITY).content.decode()
