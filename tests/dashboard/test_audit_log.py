"""The audit log browser: filters by actor, organisation, object type, action and date; paginated."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from partners import services as partner_services
from portal.audit.services import record_event
from tests.factories import OrganisationFactory, RegistrationFactory, UserFactory


@pytest.fixture
def events(programme_admin, monkeypatch):
    """Suspending one organisation, approving an application, and an old event of another administrator."""
    suspended = OrganisationFactory(name="Orbit Works")
    partner_services.suspend_organisation(organisation=suspended, by=programme_admin, reason="Dues unpaid")
    registration = RegistrationFactory(name="Lunar Lab")
    record_event(actor=programme_admin, action="registration.approved", obj=registration, from_state="pending_review")
    other_admin = UserFactory(email="second.admin@programme.example.org", is_programme_admin=True)
    # Audit rows cannot be changed afterwards, so the old one is written with the clock set back.
    month_ago = timezone.now() - timedelta(days=30)
    with monkeypatch.context() as clock:
        clock.setattr(timezone, "now", lambda: month_ago)
        old = record_event(actor=other_admin, action="call.opened", obj=other_admin)
    return {"suspended": suspended, "old": old}


def rows(client, **query):
    response = client.get(reverse("dashboard:audit_log"), query)
    assert response.status_code == 200
    return [event.action for event in response.context["page"].object_list]


def test_every_filter(client, programme_admin, events):
    client.force_login(programme_admin)
    today = timezone.now().date()

    assert rows(client, organisation="orbit") == ["organisation.suspended"]
    assert rows(client, actor="second.admin") == ["call.opened"]
    assert rows(client, object_type="partners.registration") == ["registration.approved"]
    assert rows(client, action="call.opened") == ["call.opened"]
    assert "call.opened" not in rows(client, since=today.isoformat())
    assert rows(client, until=(today - timedelta(days=1)).isoformat()) == ["call.opened"]


def test_filter_choices_come_from_the_log_and_name_the_object_types(client, programme_admin, events):
    client.force_login(programme_admin)

    page = client.get(reverse("dashboard:audit_log")).content.decode()

    assert '<option value="partners.registration">Registration</option>' in page
    assert '<option value="organisation.suspended">Organisation suspended</option>' in page
    assert '<option value="" selected>All</option>' in page
    assert "Dues unpaid" in page


def test_the_log_is_paginated(client, programme_admin, events):
    for number in range(60):
        record_event(actor=programme_admin, action="bulk.test", obj=programme_admin, data={"n": number})
    client.force_login(programme_admin)

    first = client.get(reverse("dashboard:audit_log"), {"action": "bulk.test"})
    second = client.get(reverse("dashboard:audit_log"), {"action": "bulk.test", "page": 2})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 10
    assert "Page 1 of 2" in first.content.decode()
