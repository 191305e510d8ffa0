"""One client address for the sign-in lock-out, the page limits, the API throttles, the audit log and the log of
refused requests: the connection's, or the one a configured number of trusted proxies vouches for.

`X-Forwarded-For` is written by the client unless a proxy of the portal's own wrote it: with no trusted proxy
(TRUSTED_PROXY_COUNT=0) a forged header changes nothing; behind one, only its right-most entry (the one that proxy
appended) counts, and whatever the client put to its left is ignored.
"""

import logging

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from partners.api import RegistrationThrottle
from partners.models import Registration
from portal.accounts.api import TokenThrottle
from portal.audit.models import AuditEvent
from portal.client import client_address
from tests.factories import PASSWORD
from tests.partners.support import API_REGISTRATION

TOKEN = "/api/v1/auth/token/"
REGISTRATIONS = "/api/v1/registrations/"
PROXY = "10.0.0.2"  # the reverse proxy in front of the portal, as the portal sees it connect
CLIENT = "198.51.100.20"  # the client, as the proxy saw it connect


def _forged(n):
    return f"203.0.{n // 250}.{n % 250 + 1}"


@pytest.fixture
def tight_throttles(monkeypatch):
    monkeypatch.setattr(TokenThrottle, "rate", "2/hour", raising=False)
    monkeypatch.setattr(RegistrationThrottle, "rate", "2/hour", raising=False)


def _token(api_client, email, **headers):
    return api_client.post(TOKEN, {"email": email, "password": PASSWORD}, format="json", **headers)


def _apply(api_client, n, **headers):
    body = {**API_REGISTRATION, "contact_email": f"contact{n}@andes.example.org"}
    return api_client.post(REGISTRATIONS, body, format="json", **headers)


def test_without_trusted_proxies_a_forged_x_forwarded_for_does_not_escape_the_token_throttle(
    api_client, partner_member, settings, tight_throttles
):
    settings.TRUSTED_PROXY_COUNT = 0
    assert [_token(api_client, partner_member.email).status_code for _ in range(2)] == [200, 200]
    assert _token(api_client, partner_member.email).status_code == 429

    forged = [_token(api_client, partner_member.email, HTTP_X_FORWARDED_FOR=_forged(n)).status_code for n in range(40)]

    assert forged == [429] * 40
    assert _token(api_client, partner_member.email, REMOTE_ADDR="192.0.2.50").status_code == 200, (
        "another connection has its own allowance"
    )


def test_without_trusted_proxies_a_forged_x_forwarded_for_does_not_escape_the_registration_throttle(
    api_client, db, settings, tight_throttles
):
    settings.TRUSTED_PROXY_COUNT = 0
    assert [_apply(api_client, n).status_code for n in range(2)] == [201, 201]
    assert _apply(api_client, 2).status_code == 429

    forged = [_apply(api_client, 10 + n, HTTP_X_FORWARDED_FOR=_forged(n)).status_code for n in range(25)]

    assert forged == [429] * 25
    assert Registration.objects.count() == 2
    assert set(AuditEvent.objects.filter(action__startswith="registration").values_list("ip_address", flat=True)) == {
        "127.0.0.1"
    }


def test_behind_one_proxy_the_right_most_address_counts_and_a_forged_left_part_does_not_help(
    api_client, partner_member, settings, tight_throttles
):
    settings.TRUSTED_PROXY_COUNT = 1
    through_proxy = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": CLIENT}
    assert [_token(api_client, partner_member.email, **through_proxy).status_code for _ in range(2)] == [200, 200]
    assert _token(api_client, partner_member.email, **through_proxy).status_code == 429

    forged = [
        _token(api_client, partner_member.email, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{_forged(n)}, {CLIENT}")
        for n in range(40)
    ]
    applied = [
        _apply(api_client, n, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{_forged(n)}, {CLIENT}") for n in range(2)
    ]
    applied += [
        _apply(api_client, 2 + n, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{_forged(n)},{CLIENT}") for n in range(25)
    ]

    assert [response.status_code for response in forged] == [429] * 40
    assert [response.status_code for response in applied] == [201, 201] + [429] * 25
    assert set(AuditEvent.objects.filter(action__startswith="registration").values_list("ip_address", flat=True)) == {
        CLIENT
    }
    other_client = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.21"}
    assert _token(api_client, partner_member.email, **other_client).status_code == 200, (
        "another client behind the same proxy has its own allowance"
    )


@pytest.mark.parametrize(
    ("trusted", "expected"), [(0, PROXY), (1, CLIENT)], ids=["no trusted proxy", "one trusted proxy"]
)
def test_the_lock_out_counts_failed_sign_ins_per_client_address(client, partner_member, settings, trusted, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("accounts:login"),
            {"username": partner_member.email, "password": "guess"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"{_forged(n)}, {CLIENT}",
        )

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [expected]
    locked = client.post(
        reverse("accounts:login"),
        {"username": partner_member.email, "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"{_forged(99)}, {CLIENT}",
    )
    assert locked.status_code == 429, "a new forged address does not lift the lock-out"


@pytest.mark.parametrize("trusted", [0, 1])
def test_the_sign_in_page_limit_is_not_dodged_with_a_forged_x_forwarded_for(client, db, settings, trusted):
    settings.TRUSTED_PROXY_COUNT = trusted
    settings.RATELIMIT_LOGIN = "2/h"
    sent = [
        client.post(
            reverse("accounts:login"),
            {"username": f"someone{n}@moon.example.org", "password": "x"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"{_forged(n)}, {CLIENT}",
        ).status_code
        for n in range(12)
    ]
    assert sent == [200, 200] + [429] * 10
    another_client = client.post(
        reverse("accounts:login"),
        {"username": "someone@moon.example.org", "password": "x"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.21",
    )
    # Behind the proxy, another client has its own allowance; without a trusted proxy it is the same connection.
    assert another_client.status_code == (200 if trusted else 429)


@pytest.mark.parametrize(
    ("trusted", "expected"), [(0, PROXY), (1, CLIENT)], ids=["no trusted proxy", "one trusted proxy"]
)
def test_refused_requests_are_logged_with_the_client_address(api_client, db, settings, caplog, trusted, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    with caplog.at_level(logging.WARNING, logger="portal.access"):
        api_client.get("/api/v1/me/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.66, {CLIENT}")

    [record] = [record for record in caplog.records if record.name == "portal.access"]
    assert record.getMessage() == f"refused GET /api/v1/me/ 401: anonymous from {expected}"


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, "203.0.113.9", PROXY),
        (1, "", PROXY),  # not through the proxy at all: the connection's address
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        (1, "1.2.3.4, not-an-address", PROXY),
        (2, "1.2.3.4, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (2, "203.0.113.9", PROXY),  # shorter than the configured chain
        (1, "2001:DB8::1", "2001:db8::1"),
    ],
)
def test_client_address_believes_exactly_the_trusted_proxies(settings, trusted, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected
