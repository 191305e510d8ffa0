"""The second factor: an authenticator app (TOTP) with recovery codes, asked for after the password on the pages
and the API, required for programme administrators and reviewers after a grace period to enrol."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from portal.security.models import SecondFactorGrace
from tests.factories import PASSWORD, UserFactory

TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"
HOME = reverse("accounts:home")
VERIFY = reverse("security:verify")
SECURITY = reverse("security:overview")


def code_for(device, offset=0):
    """The code an authenticator app shows now (or `offset` steps away), as the app computes it."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = timezone.now().timestamp() + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def with_authenticator(user):
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    recovery = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    StaticToken.objects.create(device=recovery, token="recover1")
    StaticToken.objects.create(device=recovery, token="recover2")
    return device


def after_a_while(device):
    """Time passes after a wrong code: django-otp makes each device wait longer after every failure."""
    type(device).objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(hours=1))


def sign_in(client, user):
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_a_person_sets_up_an_authenticator_app_and_sees_ten_recovery_codes_once(client, partner_member):
    client.force_login(partner_member)
    page = client.get(reverse("security:authenticator"))
    assert page.status_code == 200
    assert b'src="data:image/svg+xml' in page.content
    device = TOTPDevice.objects.get(user=partner_member, confirmed=False)

    wrong = client.post(reverse("security:authenticator"), {"code": "000000" if code_for(device) != "000000" else "1"})
    assert "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=partner_member, confirmed=True).exists()
    after_a_while(device)

    shown = client.post(reverse("security:authenticator"), {"code": code_for(device)})

    assert shown.status_code == 200
    codes = StaticToken.objects.filter(device__user=partner_member).values_list("token", flat=True)
    assert len(codes) == 10
    assert all(code in shown.content.decode() for code in codes)
    overview = client.get(SECURITY).content.decode()
    assert "10 unused recovery codes left" in overview
    assert not any(code in overview for code in codes)


def test_signing_in_asks_for_the_authenticator_code_after_the_password(client, partner_member):
    device = with_authenticator(partner_member)
    sign_in(client, partner_member)

    held = client.get(HOME)
    assert held.status_code == 302
    assert held["Location"].startswith(VERIFY)
    assert client.get(ME).status_code == 403
    wrong = client.post(VERIFY, {"code": "12345", "next": HOME})
    assert "That code is not right" in wrong.content.decode()
    assert client.get(HOME).status_code == 302
    after_a_while(device)

    passed = client.post(VERIFY, {"code": code_for(device), "next": HOME})

    assert passed.status_code == 302
    assert passed["Location"] == HOME
    assert client.get(HOME).status_code == 200
    assert client.get(ME).status_code == 200


def test_pages_after_the_second_factor_do_not_look_the_device_up_again(client, partner_member):
    device = with_authenticator(partner_member)
    sign_in(client, partner_member)
    client.post(VERIFY, {"code": code_for(device), "next": HOME})

    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200

    assert [query["sql"] for query in queries if "otp_" in query["sql"]] == []


def test_a_code_already_used_does_not_work_again(client, partner_member):
    device = with_authenticator(partner_member)
    code = code_for(device)
    sign_in(client, partner_member)
    client.post(VERIFY, {"code": code})
    client.post(reverse("accounts:logout"))

    sign_in(client, partner_member)
    again = client.post(VERIFY, {"code": code})

    assert "That code is not right" in again.content.decode()
    assert client.get(HOME).status_code == 302


def test_a_recovery_code_signs_in_once_only(client, partner_member):
    with_authenticator(partner_member)
    sign_in(client, partner_member)
    used = client.post(VERIFY, {"code": "RECOVER1"}, follow=True)
    assert "You used a recovery code; 1 are left" in used.content.decode()
    client.post(reverse("accounts:logout"))

    sign_in(client, partner_member)
    again = client.post(VERIFY, {"code": "recover1"})

    assert "That code is not right" in again.content.decode()
    assert client.get(HOME).status_code == 302
    assert list(StaticToken.objects.filter(device__user=partner_member).values_list("token", flat=True)) == ["recover2"]


def test_wrong_codes_count_towards_the_lock_out_like_wrong_passwords(client, partner_member, settings):
    with_authenticator(partner_member)
    sign_in(client, partner_member)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(VERIFY, {"code": "99999999"})

    locked = client.post(VERIFY, {"code": "99999999"})

    assert locked.status_code == 429
    assert client.get(HOME).status_code == 302  # signed out
    refused = client.post(reverse("accounts:login"), {"username": partner_member.email, "password": PASSWORD})
    assert refused.status_code == 429


@pytest.mark.parametrize("role", ["is_programme_admin", "is_reviewer"])
def test_required_roles_see_a_banner_until_their_grace_period_ends(client, db, role):
    person = UserFactory(**{role: True})
    sign_in(client, person)

    page = client.get(HOME)

    assert page.status_code == 200
    assert 'id="second-factor-banner"' in page.content.decode()
    grace = SecondFactorGrace.objects.get(user=person)
    assert grace.started_at > timezone.now() - timedelta(minutes=1)


@pytest.mark.parametrize("role", ["is_programme_admin", "is_reviewer"])
def test_required_roles_reach_only_the_enrolment_pages_after_the_grace_period(client, db, role, settings):
    person = UserFactory(**{role: True})
    SecondFactorGrace.objects.create(user=person, started_at=timezone.now() - timedelta(days=settings.MFA_GRACE_DAYS))
    sign_in(client, person)

    held = client.get(HOME)
    assert held.status_code == 302
    assert held["Location"] == SECURITY
    assert client.get(reverse("proposals:call_list")).status_code == 302
    assert client.get(ME).status_code == 403
    assert client.get(SECURITY).status_code == 200
    assert client.get(reverse("security:authenticator")).status_code == 200

    device = TOTPDevice.objects.get(user=person, confirmed=False)
    client.post(reverse("security:authenticator"), {"code": code_for(device)})

    assert client.get(HOME).status_code == 200
    assert 'id="second-factor-banner"' not in client.get(HOME).content.decode()


def test_people_whose_role_does_not_require_it_are_never_held(client, partner_admin):
    SecondFactorGrace.objects.create(user=partner_admin, started_at=timezone.now() - timedelta(days=365))
    sign_in(client, partner_admin)

    page = client.get(HOME)

    assert page.status_code == 200
    assert 'id="second-factor-banner"' not in page.content.decode()


def test_an_api_token_needs_the_code_for_people_with_a_second_factor(api_client, partner_member):
    device = with_authenticator(partner_member)
    credentials = {"email": partner_member.email, "password": PASSWORD}

    missing = api_client.post(TOKEN, credentials, format="json")
    wrong = api_client.post(TOKEN, {**credentials, "otp": "000000" if code_for(device) != "000000" else "1"})

    assert missing.status_code == 400
    assert "otp" in missing.json()
    assert wrong.status_code == 400
    assert "otp" in wrong.json()
    assert not Token.objects.filter(user=partner_member).exists()
    after_a_while(device)
    given = api_client.post(TOKEN, {**credentials, "otp": code_for(device)}, format="json")
    assert given.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {given.json()['token']}")
    assert api_client.get(ME).status_code == 200


def test_a_recovery_code_gives_an_api_token_once(api_client, partner_member):
    with_authenticator(partner_member)
    credentials = {"email": partner_member.email, "password": PASSWORD, "otp": "recover2"}

    assert api_client.post(TOKEN, credentials, format="json").status_code == 200
    Token.objects.all().delete()
    assert api_client.post(TOKEN, credentials, format="json").status_code == 400


def test_wrong_codes_on_the_api_lock_the_account_even_against_the_right_code(api_client, partner_member, settings):
    device = with_authenticator(partner_member)
    credentials = {"email": partner_member.email, "password": PASSWORD}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api_client.post(TOKEN, {**credentials, "otp": "99999999"}, format="json")

    locked = api_client.post(TOKEN, {**credentials, "otp": code_for(device)}, format="json")

    assert locked.status_code == 403
    assert not Token.objects.filter(user=partner_member).exists()


def test_no_api_token_for_a_required_role_past_its_grace_period_without_a_second_factor(api_client, reviewer, settings):
    SecondFactorGrace.objects.create(
        user=reviewer, started_at=timezone.now() - timedelta(days=settings.MFA_GRACE_DAYS, minutes=1)
    )

    refused = api_client.post(TOKEN, {"email": reviewer.email, "password": PASSWORD}, format="json")

    assert refused.status_code == 403
    assert "Security page" in refused.json()["detail"]
