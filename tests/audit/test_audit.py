import pytest
from django.db import DatabaseError, connection, transaction

from partners import services
from portal.audit.models import AuditEvent
from portal.audit.services import record_event


def test_state_change_records_actor_states_reason_and_ip(client, programme_admin, organisation):
    client.force_login(programme_admin)
    client.post(
        f"/manage/organisations/{organisation.pk}/",
        {"action": "suspend", "reason": "Dues unpaid"},
        REMOTE_ADDR="203.0.113.7",
    )
    event = AuditEvent.objects.get(action__contains="suspend")
    assert event.actor == programme_admin and event.reason == "Dues unpaid"
    assert (event.from_state, event.to_state) == ("active", "suspended")
    assert event.ip_address == "203.0.113.7"


def test_audit_events_cannot_be_changed_or_deleted_through_the_orm(programme_admin, organisation):
    event = record_event(actor=programme_admin, action="test.recorded", obj=organisation)
    event.reason = "rewritten"
    with pytest.raises(Exception):
        event.save()
    with pytest.raises(Exception):
        event.delete()
    with pytest.raises(Exception):
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(Exception):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


@pytest.mark.services
def test_the_database_refuses_raw_updates_and_deletes(programme_admin, organisation):
    services.suspend_organisation(organisation=organisation, by=programme_admin, reason="x")
    table = AuditEvent._meta.db_table
    for statement in (f"UPDATE {table} SET reason = 'forged'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEvent.objects.filter(reason="forged").count() == 0 and AuditEvent.objects.exists()
