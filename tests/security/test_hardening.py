"""Sessions, response headers and production settings, as SECURITY.md maps them to OWASP ASVS."""

import importlib
import logging
import sys
from datetime import timedelta

from django.conf import global_settings, settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, MembershipFactory, ProposalFactory
from tests.helpers import sign_in


def test_signing_in_replaces_the_session_key(db, client):
    person = MembershipFactory().user
    before = client.session.session_key
    assert SessionStore().exists(before)

    assert sign_in(client, person.email, PASSWORD)

    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not SessionStore().exists(before)


def test_signing_out_ends_the_session_on_the_server(db, client):
    person = MembershipFactory().user
    assert sign_in(client, person.email, PASSWORD)
    signed_in = client.cookies[settings.SESSION_COOKIE_NAME].value

    client.post(reverse("accounts:logout"))

    assert not SessionStore().exists(signed_in)
    assert client.get(reverse("accounts:home")).status_code == 302


def test_a_change_sent_without_its_csrf_token_is_refused_on_pages_and_the_api(db):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(MembershipFactory().user)

    assert browser.post(reverse("notifications:mark_all_read")).status_code == 403
    assert browser.post(reverse("api:proposal-list"), {}).status_code == 403


def test_pages_forbid_inline_scripts_framing_and_type_sniffing(db, client):
    response = client.get(reverse("home"))

    policy = dict(
        directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";") if directive
    )
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def _policy(response):
    return dict(
        directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";") if directive
    )


def test_only_the_api_docs_may_use_inline_styles(db, client):
    before = client.get(reverse("home"))
    docs = client.get(reverse("api-docs"))
    after = client.get(reverse("home"))

    assert "'unsafe-inline'" in _policy(docs)["style-src"]
    assert _policy(before)["style-src"] == _policy(after)["style-src"] == "'self'"


def test_production_keeps_cookies_secure_and_passwords_slowly_hashed(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-long-random-looking-value-only-for-reading-the-settings-module")
    monkeypatch.setenv("ALLOWED_HOSTS", "portal.example.org")
    for switch in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        monkeypatch.delenv(switch, raising=False)  # the defaults are what a deployment gets
    monkeypatch.delitem(sys.modules, "portal.settings.production", raising=False)
    production = importlib.import_module("portal.settings.production")

    hashers = getattr(production, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)
    assert hashers[0].rsplit(".", 1)[-1] in ("PBKDF2PasswordHasher", "Argon2PasswordHasher", "ScryptPasswordHasher")
    assert production.DEBUG is False
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
    assert production.SESSION_COOKIE_NAME == "__Host-sessionid"
    assert getattr(production, "SESSION_COOKIE_DOMAIN", None) is None
    assert getattr(production, "SESSION_COOKIE_PATH", "/") == "/"
    assert production.SESSION_COOKIE_HTTPONLY
    assert getattr(production, "SESSION_COOKIE_SAMESITE", global_settings.SESSION_COOKIE_SAMESITE) in ("Lax", "Strict")
    assert production.SECURE_SSL_REDIRECT
    assert production.SECURE_HSTS_SECONDS >= 365 * 24 * 3600
    assert production.SECURE_HSTS_INCLUDE_SUBDOMAINS


def test_a_sign_in_ends_after_twelve_hours_even_when_used(db, client):
    person = MembershipFactory().user
    assert sign_in(client, person.email, PASSWORD)
    session = SessionStore(client.cookies[settings.SESSION_COOKIE_NAME].value)
    assert session.get_expiry_age() == 12 * 3600
    # Using the portal does not push the end further away.
    expires = Session.objects.get(session_key=session.session_key).expire_date
    assert client.get(reverse("accounts:home")).status_code == 200
    assert Session.objects.get(session_key=session.session_key).expire_date == expires

    # Once that moment has passed, the session is over.
    Session.objects.filter(session_key=session.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("accounts:home")).status_code == 302


def test_refused_requests_are_logged_with_who_and_where_but_no_query_string(db, client, api_client, caplog):
    other = ProposalFactory()
    person = MembershipFactory().user
    client.force_login(person)
    api_client.force_authenticate(person)

    with caplog.at_level(logging.WARNING, logger="portal.access"):
        client.get(reverse("proposals:proposal_detail", args=[other.pk]) + "?token=secret-in-a-link")
        api_client.get(f"/api/v1/proposals/{other.pk}/")
        Client().get(reverse("accounts:home"))  # a redirect to sign in is not a refusal
        Client().get("/api/v1/me/", REMOTE_ADDR="203.0.113.5")

    lines = [record.getMessage() for record in caplog.records if record.name == "portal.access"]
    assert lines == [
        f"refused GET /proposals/{other.pk}/ 404: user {person.pk} from 127.0.0.1",
        f"refused GET /api/v1/proposals/{other.pk}/ 404: user {person.pk} from 127.0.0.1",
        "refused GET /api/v1/me/ 401: anonymous from 203.0.113.5",
    ]
    assert "secret-in-a-link" not in caplog.text


def test_a_plain_http_stack_keeps_a_cookie_name_browsers_accept(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-long-random-looking-value-only-for-reading-the-settings-module")
    monkeypatch.setenv("ALLOWED_HOSTS", "localhost")
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "false")  # as docker-compose.yml on http://localhost
    monkeypatch.delitem(sys.modules, "portal.settings.production", raising=False)

    production = importlib.import_module("portal.settings.production")

    assert production.SESSION_COOKIE_NAME == "sessionid"
