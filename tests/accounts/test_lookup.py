"""The signed-in person, their API token and their session, read with plain queries, behave as Django's."""

from django.contrib.sessions.models import Session
from django.urls import reverse
from rest_framework.authtoken.models import Token

from portal.accounts import lookup
from portal.accounts.sessions import SessionStore
from tests.factories import MembershipFactory, UserFactory


def test_a_user_read_by_id_is_the_orms_user(db):
    person = MembershipFactory(user__full_name="Zhang Wei", user__language="zh-hans").user
    read = lookup.user_by_pk(person.pk)
    assert read == person
    assert (read.email, read.full_name, read.language, read.time_zone, read.date_joined) == (
        person.email,
        person.full_name,
        person.language,
        person.time_zone,
        person.date_joined,
    )
    assert read._state.adding is False
    assert read.partner_membership.organisation == person.partner_membership.organisation
    assert lookup.user_by_pk(person.pk + 1000) is None


def test_a_token_is_read_with_its_owner(db):
    person = UserFactory()
    token = Token.objects.create(user=person)
    read = lookup.token_with_user(token.key)
    assert (read.key, read.user_id, read.created, read.user) == (token.key, person.pk, token.created, person)
    assert lookup.token_with_user("0" * 40) is None
    read.delete()
    assert not Token.objects.filter(key=token.key).exists()


def test_the_api_refuses_unknown_and_inactive_tokens_as_drf_does(api_client, db):
    person = UserFactory()
    token = Token.objects.create(user=person)
    api_client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    refused = api_client.get("/api/v1/me/")
    assert (refused.status_code, refused.json()["detail"]) == (401, "Invalid token.")
    person.is_active = False
    person.save(update_fields=["is_active"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    refused = api_client.get("/api/v1/me/")
    assert (refused.status_code, refused.json()["detail"]) == (401, "User inactive or deleted.")


def test_a_deactivated_person_is_signed_out_of_the_pages(client, db):
    person = MembershipFactory().user
    client.force_login(person)
    assert client.get(reverse("accounts:home")).status_code == 200
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert client.get(reverse("accounts:home")).status_code == 302


def test_sessions_are_read_until_they_expire(db):
    person = UserFactory()
    store = SessionStore()
    store["_auth_user_id"] = str(person.pk)
    store.create()
    assert SessionStore(store.session_key).load()["_auth_user_id"] == str(person.pk)
    assert SessionStore("not-a-session-key-of-anyone").load() == {}
    Session.objects.filter(session_key=store.session_key).update(expire_date="2000-01-01T00:00:00Z")
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None
