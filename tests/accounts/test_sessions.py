"""Sign-ins kept by Django's own session engine (in the database) and authentication backend."""

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.urls import reverse

from tests.factories import MembershipFactory


def test_a_deactivated_person_is_signed_out_of_the_pages(client, db):
    person = MembershipFactory().user
    client.force_login(person)
    assert client.get(reverse("accounts:home")).status_code == 200
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert client.get(reverse("accounts:home")).status_code == 302


def test_a_sign_in_outlives_a_flushed_cache_and_ends_as_soon_as_its_row_goes(client, db):
    person = MembershipFactory().user
    client.force_login(person)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    cache.clear()
    assert client.get(reverse("accounts:home")).status_code == 200
    Session.objects.filter(session_key=key).delete()  # "sign out everywhere" deletes rows like this
    assert client.get(reverse("accounts:home")).status_code == 302


@pytest.mark.services
def test_the_redis_cache_keeps_one_client_and_works_as_djangos(settings):
    from portal.cache import RedisCache

    redis_cache = RedisCache(settings.TEST_REDIS_URL, {"KEY_PREFIX": "sessions-test"})
    redis_cache.set("answer", {"rows": [1, 2, 3]}, 30)
    assert redis_cache.get("answer") == {"rows": [1, 2, 3]}
    assert redis_cache._cache.get_client(write=False) is redis_cache._cache.get_client(write=True)
    redis_cache.delete("answer")
    assert redis_cache.get("answer") is None
