"""Sign-ins kept by Django's own session engine (in the database) and authentication backend."""

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
