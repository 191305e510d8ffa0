"""API tokens for email and password, the lock-out on the API, and who the token belongs to."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.authtoken.models import Token

from tests.factories import PASSWORD, UserFactory

TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"


def _token(api_client, email, password):
    return api_client.post(TOKEN, {"email": email, "password": password}, format="json")


def test_token_then_me_shows_the_person_their_roles_and_organisation(api_client, partner_admin):
    response = _token(api_client, partner_admin.email.upper(), PASSWORD)
    assert response.status_code == 200

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    me = api_client.get(ME)

    assert me.status_code == 200
    assert me.json() == {
        "id": partner_admin.pk,
        "email": "lead@south-lunar.example.org",
        "full_name": "Lerato Lead",
        "position": "",
        "language": "en",
        "time_zone": "UTC",
        "is_programme_admin": False,
        "is_reviewer": False,
        "membership": {
            "organisation_id": partner_admin.organisation.pk,
            "organisation_name": "South Lunar Institute",
            "role": "admin",
        },
    }


def test_me_shows_programme_roles_without_a_membership(api_client, db):
    person = UserFactory(is_programme_admin=True, is_reviewer=True)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {_token(api_client, person.email, PASSWORD).json()['token']}")

    me = api_client.get(ME).json()

    assert (me["is_programme_admin"], me["is_reviewer"], me["membership"]) == (True, True, None)


def test_asking_twice_gives_the_same_token(api_client, partner_member):
    assert (
        _token(api_client, partner_member.email, PASSWORD).json()
        == _token(api_client, partner_member.email, PASSWORD).json()
    )


def test_wrong_password_answers_400_with_a_message(api_client, partner_member):
    response = _token(api_client, partner_member.email, "not-my-password")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["The email address or the password is wrong."]}


def test_missing_fields_are_named(api_client, db):
    response = api_client.post(TOKEN, {"email": "not-an-address"}, format="json")

    assert response.status_code == 400 and {"email", "password"} <= set(response.json())


def test_inactive_account_gets_no_token(api_client, db):
    former = UserFactory(is_active=False)

    assert _token(api_client, former.email, PASSWORD).status_code == 400


def test_repeated_failures_lock_the_api_with_403_even_against_the_right_password(api_client, partner_member, settings):
    statuses = [
        _token(api_client, partner_member.email, "guess").status_code for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[:-1] == [400] * (settings.AXES_FAILURE_LIMIT - 1)

    locked = _token(api_client, partner_member.email, PASSWORD)

    assert locked.status_code == 403
    assert locked["Content-Type"] == "application/json"
    assert locked.json() == {"detail": "Too many failed sign-ins: this account is locked for 15 minutes."}


def test_failures_on_the_sign_in_page_lock_the_api_too(client, api_client, partner_member, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": partner_member.email.upper(), "password": "guess"})

    assert _token(api_client, partner_member.email, PASSWORD).status_code == 403


def test_anonymous_or_unknown_token_cannot_read_me(api_client, partner_member):
    assert api_client.get(ME).status_code in (401, 403)

    api_client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = api_client.get(ME)

    assert response.status_code in (401, 403)
    assert partner_member.email not in response.content.decode()


def test_asking_for_tokens_is_throttled_per_client_at_the_configured_rate(api_client, partner_admin, settings):
    allowed = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"].split("/")[0])
    for n in range(allowed):
        assert _token(api_client, partner_admin.email, PASSWORD).status_code == 200, n

    refused = _token(api_client, partner_admin.email, PASSWORD)

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    elsewhere = api_client.post(
        TOKEN, {"email": partner_admin.email, "password": PASSWORD}, format="json", REMOTE_ADDR="203.0.113.9"
    )
    assert elsewhere.status_code == 200, "another client has its own allowance"


def test_a_token_expires_after_its_lifetime_and_a_new_one_is_given(api_client, partner_member, settings):
    issued = _token(api_client, partner_member.email, PASSWORD).json()
    created = Token.objects.get(key=issued["token"]).created
    assert parse_datetime(issued["expires_at"]) == created + timedelta(hours=settings.API_TOKEN_LIFETIME_HOURS)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {issued['token']}")
    assert api_client.get(ME).status_code == 200

    Token.objects.filter(key=issued["token"]).update(created=timezone.now() - timedelta(hours=12, seconds=1))

    refused = api_client.get(ME)
    assert refused.status_code == 401
    assert refused.json() == {"detail": "This token has expired: ask for a new one."}
    api_client.credentials()
    renewed = _token(api_client, partner_member.email, PASSWORD).json()
    assert renewed["token"] != issued["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {renewed['token']}")
    assert api_client.get(ME).status_code == 200


def test_the_owner_ends_a_token_and_it_stops_working_at_once(api_client, partner_member):
    key = _token(api_client, partner_member.email, PASSWORD).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert api_client.delete(TOKEN).status_code == 204

    assert api_client.get(ME).status_code == 401
    assert not Token.objects.filter(user=partner_member).exists()
    api_client.credentials()
    assert api_client.delete(TOKEN).status_code == 401
