"""Calls for proposals: draft → open → closed, refusals, visibility, the deadline sweep and the audit trail."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.errors import NotAllowed, TransitionNotAllowed
from proposals import calls, tasks
from proposals.models import Call
from tests.factories import CallFactory, MissionFactory, PlatformFactory

LANDER = {
    "kind": "lander",
    "name": "Chang'e-8 lander",
    "total_mass_kg": 200,
    "total_average_power_w": 300,
    "total_data_mb_per_day": 2000,
    "max_mass_kg": 10,
    "max_average_power_w": 50,
    "max_peak_power_w": 80,
    "max_length_mm": 300,
    "max_width_mm": 150,
    "max_height_mm": 150,
    "min_operating_temp_c": -180,
    "max_operating_temp_c": 80,
}


def _call_data(**overrides):
    return {
        "mission": MissionFactory(name="Chang'e-8"),
        "title": "Chang'e-8 payloads",
        "reference": "ce8-payloads",
        "description": "Room for international payloads on the lander.",
        "deadline": timezone.now() + timedelta(days=60),
        **overrides,
    }


def _audit_trail(call):
    return list(
        AuditEvent.objects.filter(object_type="proposals.call", object_id=str(call.pk))
        .order_by("pk")
        .values_list("action", "from_state", "to_state")
    )


# Lifecycle --------------------------------------------------------------------------------------


def test_call_goes_from_draft_to_open_to_closed_with_every_change_audited(programme_admin):
    call = calls.create_call(data=_call_data(), platforms=[LANDER], by=programme_admin)
    assert call.status == Call.Status.DRAFT
    assert call.platforms.get().max_mass_kg == 10

    calls.open_call(call=call, by=programme_admin)
    call.refresh_from_db()
    assert call.status == Call.Status.OPEN and call.opened_at is not None

    calls.close_call(call=call, by=programme_admin)
    call.refresh_from_db()
    assert call.status == Call.Status.CLOSED and call.closed_at is not None

    assert _audit_trail(call) == [
        ("call.created", "", "draft"),
        ("call.opened", "draft", "open"),
        ("call.closed", "open", "closed"),
    ]
    assert set(AuditEvent.objects.filter(object_type="proposals.call").values_list("actor", flat=True)) == {
        programme_admin.pk
    }


def test_call_editing_is_audited_with_the_changed_fields(programme_admin):
    call = CallFactory(status="draft")
    calls.update_call(call=call, data={"title": "Renamed call", "reviewers_per_proposal": 4}, by=programme_admin)
    event = AuditEvent.objects.get(action="call.updated")
    assert event.object_id == str(call.pk)
    assert event.data == {"changed": ["reviewers_per_proposal", "title"]}


def test_opening_is_refused_when_the_criteria_weights_do_not_add_up_to_100(programme_admin):
    call = CallFactory(
        status="draft",
        criteria=[{"key": "science", "name": "Science", "weight": 60}, {"key": "tech", "name": "Tech", "weight": 30}],
    )
    with pytest.raises(ValidationError) as refusal:
        calls.open_call(call=call, by=programme_admin)
    assert refusal.value.message_dict == {"criteria": ["The criteria weights add up to 90; they must add up to 100."]}
    assert Call.objects.get(pk=call.pk).status == Call.Status.DRAFT
    assert not AuditEvent.objects.filter(action="call.opened").exists()


def test_opening_is_refused_without_a_platform(programme_admin):
    call = CallFactory(status="draft", platforms=[])
    with pytest.raises(ValidationError) as refusal:
        calls.open_call(call=call, by=programme_admin)
    assert refusal.value.message_dict == {"platforms": ["Offer at least one platform."]}
    PlatformFactory(call=call)
    calls.open_call(call=call, by=programme_admin)
    assert Call.objects.get(pk=call.pk).status == Call.Status.OPEN


def test_opening_is_refused_once_the_deadline_has_passed(programme_admin):
    call = CallFactory(status="draft", deadline=timezone.now() - timedelta(hours=1))
    with pytest.raises(ValidationError) as refusal:
        calls.open_call(call=call, by=programme_admin)
    assert "already passed" in refusal.value.message_dict["deadline"][0]
    assert Call.objects.get(pk=call.pk).status == Call.Status.DRAFT


def test_opening_a_letter_stage_call_checks_the_letter_deadline(programme_admin):
    now = timezone.now()
    call = CallFactory(
        status="draft",
        has_letter_stage=True,
        letter_deadline=now - timedelta(hours=1),
        deadline=now + timedelta(days=30),
    )
    with pytest.raises(ValidationError) as refusal:
        calls.open_call(call=call, by=programme_admin)
    assert "deadline" in refusal.value.message_dict


def test_closing_is_only_for_open_calls(programme_admin):
    draft = CallFactory(status="draft")
    with pytest.raises(TransitionNotAllowed, match="Only an open call can be closed."):
        calls.close_call(call=draft, by=programme_admin)
    closed = CallFactory(status="closed")
    with pytest.raises(TransitionNotAllowed):
        calls.close_call(call=closed, by=programme_admin)
    with pytest.raises(TransitionNotAllowed, match="Only a draft call can be opened."):
        calls.open_call(call=closed, by=programme_admin)
    assert Call.objects.get(pk=draft.pk).status == Call.Status.DRAFT


def test_only_programme_administrators_change_calls(partner_admin):
    call = CallFactory(status="draft")
    with pytest.raises(NotAllowed):
        calls.open_call(call=call, by=partner_admin)
    with pytest.raises(NotAllowed):
        calls.create_call(data=_call_data(), platforms=[LANDER], by=partner_admin)
    assert Call.objects.get(pk=call.pk).status == Call.Status.DRAFT


def test_platforms_are_fixed_once_the_call_is_open(programme_admin, call):
    with pytest.raises(TransitionNotAllowed):
        calls.update_call(call=call, data={}, platforms=[LANDER], by=programme_admin)
    assert call.platforms.get().name == "Lander"


# The deadline sweep -----------------------------------------------------------------------------


def test_sweep_closes_only_open_calls_whose_deadline_has_passed(db):
    now = timezone.now()
    due = CallFactory(title="Due call")
    Call.objects.filter(pk=due.pk).update(deadline=now - timedelta(minutes=5))
    running = CallFactory(title="Running call")
    draft_past = CallFactory(status="draft")
    Call.objects.filter(pk=draft_past.pk).update(deadline=now - timedelta(days=1))
    closed_past = CallFactory(status="closed")
    Call.objects.filter(pk=closed_past.pk).update(deadline=now - timedelta(days=1))

    assert calls.close_calls_past_deadline() == 1

    statuses = dict(Call.objects.values_list("pk", "status"))
    assert statuses == {due.pk: "closed", running.pk: "open", draft_past.pk: "draft", closed_past.pk: "closed"}
    event = AuditEvent.objects.get(action="call.closed")
    assert (event.object_id, event.from_state, event.to_state, event.actor) == (str(due.pk), "open", "closed", None)
    assert calls.close_calls_past_deadline() == 0


def test_sweep_task_is_safe_to_run_twice(db):
    due = CallFactory()
    Call.objects.filter(pk=due.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    assert tasks.close_calls_past_deadline.delay().get() == 1
    assert tasks.close_calls_past_deadline.delay().get() == 0
    assert AuditEvent.objects.filter(action="call.closed").count() == 1


# Visibility -------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["anonymous", "partner_admin", "reviewer"])
def test_draft_calls_are_invisible_to_everyone_but_administrators(db, client, api_client, viewer, request):
    draft = CallFactory(status="draft", title="Secret draft call")
    CallFactory(title="Published open call")
    if viewer != "anonymous":
        user = request.getfixturevalue(viewer)
        client.force_login(user)
        api_client.force_authenticate(user)

    for show in ("open", "past"):
        listing = client.get(reverse("proposals:call_list"), {"show": show}).content.decode()
        assert "Secret draft call" not in listing
    assert client.get(reverse("proposals:call_detail", args=[draft.pk])).status_code == 404
    assert "Published open call" in client.get(reverse("proposals:call_list")).content.decode()

    api_list = api_client.get("/api/v1/calls/")
    assert api_list.status_code == 200
    assert "Secret draft call" not in api_list.content.decode()
    assert [row["title"] for row in api_list.json()["results"]] == ["Published open call"]
    assert api_client.get(f"/api/v1/calls/{draft.pk}/").status_code == 404


def test_administrators_see_draft_calls(client, api_as, programme_admin):
    draft = CallFactory(status="draft", title="Secret draft call")
    client.force_login(programme_admin)
    assert client.get(reverse("proposals:call_detail", args=[draft.pk])).status_code == 200
    assert "Secret draft call" in client.get(reverse("proposals:manage_calls")).content.decode()
    assert api_as(programme_admin).get(f"/api/v1/calls/{draft.pk}/").json()["status"] == "draft"


def test_open_calls_are_public_without_signing_in(client, api_client, call):
    listing = client.get(reverse("proposals:call_list"))
    assert listing.status_code == 200
    assert "Chang&#x27;e-8 international payloads" in listing.content.decode()

    page = client.get(reverse("proposals:call_detail", args=[call.pk]))
    assert page.status_code == 200
    assert "Sign in</a> to propose" in page.content.decode()
    assert "Asia/Shanghai" in page.content.decode()

    body = api_client.get(f"/api/v1/calls/{call.pk}/").json()
    assert body["status"] == "open"
    assert body["reference"] == "ce8-2026"
    [platform] = body["platforms"]
    assert (platform["kind"], platform["max_mass_kg"], platform["max_peak_power_w"]) == ("lander", "10.00", "80.00")


def test_closed_calls_are_listed_under_past_calls(client, db):
    CallFactory(title="Still open")
    CallFactory(title="Long closed", status="closed")
    current = client.get(reverse("proposals:call_list")).content.decode()
    past = client.get(reverse("proposals:call_list"), {"show": "past"}).content.decode()
    assert "Still open" in current and "Long closed" not in current
    assert "Long closed" in past and "Still open" not in past


# API ---------------------------------------------------------------------------------------------


def test_api_opens_and_closes_calls_and_answers_409_from_the_wrong_state(api_as, programme_admin):
    call = CallFactory(status="draft")
    admin = api_as(programme_admin)
    assert admin.post(f"/api/v1/calls/{call.pk}/close/").status_code == 409

    opened = admin.post(f"/api/v1/calls/{call.pk}/open/")
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    again = admin.post(f"/api/v1/calls/{call.pk}/open/")
    assert again.status_code == 409
    assert again.json() == {"detail": "Only a draft call can be opened."}

    assert admin.post(f"/api/v1/calls/{call.pk}/close/").json()["status"] == "closed"
    assert admin.post(f"/api/v1/calls/{call.pk}/close/").status_code == 409


def test_api_refuses_to_open_an_incomplete_call_naming_each_problem(api_as, programme_admin):
    call = CallFactory(status="draft", platforms=[], criteria=[{"key": "s", "name": "Science", "weight": 50}])
    response = api_as(programme_admin).post(f"/api/v1/calls/{call.pk}/open/")
    assert response.status_code == 400
    assert set(response.json()) == {"criteria", "platforms"}


def test_api_call_transitions_are_for_administrators_only(api_client, api_as, partner_admin):
    call = CallFactory(status="draft")
    assert api_client.post(f"/api/v1/calls/{call.pk}/open/").status_code in (401, 403)
    assert api_as(partner_admin).post(f"/api/v1/calls/{call.pk}/open/").status_code == 403
    assert Call.objects.get(pk=call.pk).status == Call.Status.DRAFT


def test_api_creates_a_call_as_a_draft_with_its_platforms(api_as, programme_admin, partner_admin):
    mission = MissionFactory(name="ILRS-1")
    body = {
        "mission": mission.pk,
        "reference": "ilrs1-2030",
        "title": "ILRS-1 instruments",
        "description": "Instruments for the station.",
        "deadline": (timezone.now() + timedelta(days=90)).isoformat(),
        "criteria": [
            {"key": "science", "name": "Science", "weight": 70},
            {"key": "feasibility", "name": "Feasibility", "weight": 30},
        ],
        "platforms": [LANDER],
    }
    assert api_as(partner_admin).post("/api/v1/calls/", body, format="json").status_code == 403

    response = api_as(programme_admin).post("/api/v1/calls/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "draft"
    assert [platform["name"] for platform in response.json()["platforms"]] == ["Chang'e-8 lander"]
    assert AuditEvent.objects.filter(action="call.created", object_id=str(response.json()["id"])).exists()

    body["criteria"][1]["weight"] = 20
    body["reference"] = "ilrs1-other"
    refused = api_as(programme_admin).post("/api/v1/calls/", body, format="json")
    assert refused.status_code == 400 and "criteria" in refused.json()


def test_api_filters_calls_by_status(api_client, db):
    CallFactory(title="Open one")
    CallFactory(title="Closed one", status="closed")
    titles = [row["title"] for row in api_client.get("/api/v1/calls/", {"status": "closed"}).json()["results"]]
    assert titles == ["Closed one"]
