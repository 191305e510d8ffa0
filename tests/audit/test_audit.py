"""The audit log: who changed what, from which state to which, why and from where; never rewritten."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from partners import services
from portal.audit.models import AuditEvent
from portal.audit.services import record_event


def test_state_change_through_the_portal_records_actor_states_reason_and_address(client, programme_admin, organisation):
    client.force_login(programme_admin)

    client.post(
        reverse("partners:organisation_detail", args=[organisation.pk]),
        {"action": "suspend", "reason": "Dues unpaid for 2026", "confirmed": "1"},
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )

    event = AuditEvent.objects.get(action="organisation.suspended")
    assert (event.actor, event.actor_label) == (programme_admin, "admin@programme.example.org")
    assert (event.from_state, event.to_state, event.reason) == ("active", "suspended", "Dues unpaid for 2026")
    assert (event.object_type, event.object_id, event.object_repr) == (
        "partners.organisation",
        str(organisation.pk),
        "South Lunar Institute",
    )
    assert event.organisation == organisation
    assert event.ip_address == "203.0.113.7", "the address is the client's, not a header anyone can set"


def test_refused_change_leaves_no_audit_row(client, programme_admin, organisation):
    client.force_login(programme_admin)

    response = client.post(
        reverse("partners:organisation_detail", args=[organisation.pk]), {"action": "suspend", "reason": " "}
    )

    assert response.status_code == 200 and "Please give a reason." in response.content.decode()
    assert not AuditEvent.objects.filter(action="organisation.suspended").exists()


def test_event_outside_a_request_or_by_an_anonymous_person_has_no_actor_or_address(organisation):
    for actor in (None, AnonymousUser()):
        event = record_event(actor=actor, action="registration.submitted", obj=organisation, to_state="submitted")

        assert (event.actor, event.actor_label, event.ip_address) == (None, "", None)
        assert (event.from_state, event.to_state, event.reason, event.data) == ("", "submitted", "", {})


def test_audit_events_cannot_be_changed_or_deleted_through_the_orm(programme_admin, organisation):
    event = record_event(actor=programme_admin, action="test.recorded", obj=organisation, reason="original")
    rows = AuditEvent.objects.filter(pk=event.pk)
    event.reason = "rewritten"

    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        rows.update(reason="rewritten")
    with pytest.raises(PermissionError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["reason"])
    with pytest.raises(PermissionError):
        rows.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.get(pk=event.pk).reason == "original"


def test_people_and_organisations_in_the_log_cannot_be_deleted_away(programme_admin, organisation):
    record_event(actor=programme_admin, action="test.recorded", obj=organisation, organisation=organisation)

    with pytest.raises(ProtectedError):
        organisation.delete()
    with pytest.raises(ProtectedError):
        programme_admin.delete()


@pytest.mark.services
def test_the_database_refuses_raw_updates_and_deletes(programme_admin, organisation):
    assert connection.vendor == "postgresql"
    services.suspend_organisation(organisation=organisation, by=programme_admin, reason="Dues unpaid")
    table = AuditEvent._meta.db_table

    for statement in (f"UPDATE {table} SET reason = 'forged'", f"DELETE FROM {table}"):
        refused = pytest.raises(DatabaseError, match="audit events are append-only")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)

    assert list(AuditEvent.objects.values_list("reason", flat=True)) == ["Dues unpaid"]


def test_histories_and_the_audit_log_speak_words_not_codes(client, programme_admin, db):
    from partners.models import Registration
    from partners.services import verify_registration_email
    from tests.factories import RegistrationFactory

    registration = RegistrationFactory(
        name="Kenya Lunar Lab", status=Registration.Status.SUBMITTED, email_verified_at=None, queued_at=None
    )
    verify_registration_email(registration=registration)
    client.force_login(programme_admin)
    for url in (reverse("partners:registration_detail", args=[registration.pk]), reverse("dashboard:audit_log")):
        page = client.get(url).content.decode()
        assert "Email verified" in page, url
        assert ">registration.email_verified<" not in page, url
        assert "submitted → pending_review" not in page and ">pending_review<" not in page, url
    log = client.get(reverse("dashboard:audit_log")).content.decode()
    assert f"Registration #{registration.pk}: Kenya Lunar Lab" in log
    assert "Awaiting email verification → Pending review" in log
