"""The dashboard's figures are cached, and forgotten as soon as anything they count changes."""

import time
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from portal.dashboard import caching, figures
from portal.dashboard.selectors import Scope
from tests.factories import OrganisationFactory

from .support import table


@pytest.fixture(autouse=True)
def settled(monkeypatch):
    """Keep figures as soon as they are computed; the settling time has its own test."""
    monkeypatch.setattr(caching, "SETTLE", 0)


def countries(scope=None):
    return [row[0] for row in table(figures.dashboard_sections(scope or Scope())[0], "partners_by_country")]


def test_second_look_is_served_from_the_cache(client, programme, programme_admin, django_assert_max_num_queries):
    client.force_login(programme_admin)
    client.get(reverse("dashboard:dashboard"))

    # Only the session, the person, the navigation and the filter form's choices are read again.
    with django_assert_max_num_queries(6):
        assert client.get(reverse("dashboard:dashboard")).status_code == 200


def test_a_change_to_the_data_is_seen_at_once(programme):
    assert "Chile" not in countries()

    OrganisationFactory(name="Andes Lab", country="CL", joined_on=date(2025, 5, 1))

    assert "Chile" in countries()


def test_a_change_is_seen_in_every_section(programme):
    countries()

    programme.proposals.p5.status = "withdrawn"
    programme.proposals.p5.save()

    section = figures.dashboard_sections(Scope())[1]
    assert table(section, "proposals_by_call")[-1][2:] == [0, 0, 1, 1]


def test_figures_are_kept_only_once_the_change_has_surely_committed(programme, monkeypatch):
    """Figures computed right after a change may have read the data before its transaction committed."""
    monkeypatch.setattr(caching, "SETTLE", 10)
    built = []

    def build():
        built.append(1)
        return len(built)

    caching.forget_figures()
    assert [caching.cached("test", "a", build), caching.cached("test", "a", build)] == [1, 2]

    later = time.time() + 11
    monkeypatch.setattr(caching.time, "time", lambda: later)
    assert [caching.cached("test", "a", build), caching.cached("test", "a", build)] == [3, 3]


def test_deleting_is_a_change_too(programme):
    countries()

    programme.proposals.p7.assignments.all().delete()

    assert table(figures.dashboard_sections(Scope())[3], "review_progress") == [
        ["Chang'e-7 payloads", 1, 1, 0, 0, 1, 0]
    ]


def test_signing_in_keeps_the_cached_figures(client, programme, programme_admin):
    countries()
    version = caching.data_version()

    client.force_login(programme_admin)

    programme_admin.refresh_from_db()
    assert programme_admin.last_login is not None
    assert caching.data_version() == version


def test_each_filter_and_language_has_its_own_copy(programme):
    built = []

    def build():
        built.append(1)
        return len(built)

    assert [caching.cached("test", "a", build), caching.cached("test", "a", build)] == [1, 1]
    assert caching.cached("test", "b", build) == 2
    with translation.override("ru"):
        assert caching.cached("test", "a", build) == 3
    keys = {Scope().key, Scope(call=programme.calls.z).key, Scope(year=2023).key, Scope(phase="utilisation").key}
    assert len(keys) == 4


def test_a_token_of_another_form_is_read_as_an_old_change(db):
    from django.core.cache import cache

    cache.set(caching.VERSION_KEY, "0123abcd", None)

    assert caching.changed_at(caching.data_version()) == 0.0
    assert caching.cached("test", "a", lambda: "built") == "built"
