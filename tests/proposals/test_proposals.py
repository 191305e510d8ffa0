from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.errors import DomainError, NotAllowed, TransitionNotAllowed
from proposals import services
from proposals.models import Call, Proposal, ProposalVersion, TeamMember
from tests.factories import CallFactory, MembershipFactory, OrganisationFactory, ProposalFactory, UserFactory
from tests.helpers import last_email_to, links_in, path_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def call(db):
    return CallFactory(title="Chang'e-8 payloads")


@pytest.fixture
def proposal(call, organisation, partner_admin):
    return ProposalFactory(call=call, organisation=organisation, principal_investigator=partner_admin)


def _past_deadline(call):
    Call.objects.filter(pk=call.pk).update(deadline=timezone.now() - timedelta(minutes=1))


# Calls -----------------------------------------------------------------------------------------


def test_call_opens_only_when_complete_and_changes_are_audited(programme_admin, db):
    call = CallFactory(status="draft", platforms=[])
    call.criteria = [{"key": "a", "name": "A", "weight": 60}]
    call.save()
    with pytest.raises(ValidationError) as refusal:
        services.open_call(call=call, by=programme_admin)
    assert "criteria" in refusal.value.message_dict and "platforms" in refusal.value.message_dict
    call.criteria = [{"key": "a", "name": "A", "weight": 100}]
    call.save()
    from tests.factories import PlatformFactory

    PlatformFactory(call=call)
    services.open_call(call=call, by=programme_admin)
    services.close_call(call=call, by=programme_admin)
    with pytest.raises(TransitionNotAllowed):
        services.close_call(call=call, by=programme_admin)
    assert list(
        AuditEvent.objects.filter(object_id=str(call.pk), object_type="proposals.call")
        .order_by("pk")
        .values_list("to_state", flat=True)
    ) == [
        "open",
        "closed",
    ]


def test_draft_calls_are_invisible_outside_administration(client, api_client, db):
    draft = CallFactory(status="draft", title="Secret draft call")
    CallFactory(title="Open Chang'e call")
    listing = client.get(reverse("proposals:call_list")).content.decode()
    assert "Open Chang&#x27;e call" in listing and "Secret draft call" not in listing
    assert client.get(reverse("proposals:call_detail", args=[draft.pk])).status_code == 404
    assert api_client.get(f"/api/v1/calls/{draft.pk}/").status_code == 404
    assert "Secret draft call" not in api_client.get("/api/v1/calls/").content.decode()


def test_calls_past_deadline_are_closed_by_the_sweep(db):
    due = CallFactory()
    Call.objects.filter(pk=due.pk).update(deadline=timezone.now() - timedelta(hours=1))
    later = CallFactory()
    assert services.close_calls_past_deadline() == 1
    assert Call.objects.get(pk=due.pk).status == "closed" and Call.objects.get(pk=later.pk).status == "open"


def test_api_opens_and_closes_calls_for_administrators_only(api_as, programme_admin, partner_admin, db):
    call = CallFactory(status="draft")
    assert api_as(partner_admin).post(f"/api/v1/calls/{call.pk}/open/").status_code == 403
    client = api_as(programme_admin)
    assert client.post(f"/api/v1/calls/{call.pk}/open/").json()["status"] == "open"
    assert client.post(f"/api/v1/calls/{call.pk}/open/").status_code == 409
    assert client.post(f"/api/v1/calls/{call.pk}/close/").json()["status"] == "closed"


# Drafting and submission -----------------------------------------------------------------------


def test_submission_freezes_a_version_and_emails_the_team_a_receipt(
    client, proposal, partner_admin, django_capture_on_commit_callbacks
):
    colleague = UserFactory(email="coi@other.example.org")
    MembershipFactory(user=colleague, organisation=OrganisationFactory(country="EG"))
    TeamMember.objects.create(
        proposal=proposal, user=colleague, full_name="Co I", email=colleague.email, organisation_name="Other"
    )
    with django_capture_on_commit_callbacks(execute=True):
        version = services.submit_proposal(proposal=proposal, by=partner_admin)
    assert version.number == 1 and version.content["title"] == proposal.title
    assert version.content_hash == services.content_hash(version.content)
    for address in (partner_admin.email, colleague.email):
        receipt = last_email_to(address)
        assert version.content_hash in receipt.body and "Version: 1" in receipt.body
    [link] = [url for url in links_in(last_email_to(partner_admin.email)) if "/proposals/" in url]
    client.force_login(partner_admin)
    assert proposal.title in client.get(path_of(link)).content.decode()


def test_withdraw_and_resubmit_makes_version_two_with_a_readable_diff(
    client, proposal, partner_admin, django_capture_on_commit_callbacks
):
    services.submit_proposal(proposal=proposal, by=partner_admin)
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_proposal(proposal=proposal, by=partner_admin, reason="Fix the abstract")
    assert "withdrawn" in last_email_to(partner_admin.email).subject
    services.update_proposal(proposal=proposal, by=partner_admin, data={"abstract": "Maps water ice."})
    assert services.submit_proposal(proposal=proposal, by=partner_admin).number == 2
    client.force_login(partner_admin)
    page = client.get(reverse("proposals:proposal_versions", args=[proposal.pk])).content.decode()
    assert "<del>- Measures the regolith.</del>" in page and "<ins>+ Maps water ice.</ins>" in page


def test_nothing_is_submitted_edited_or_withdrawn_after_the_deadline(api_as, proposal, partner_admin, call):
    _past_deadline(call)
    with pytest.raises(TransitionNotAllowed) as refusal:
        services.submit_proposal(proposal=proposal, by=partner_admin)
    assert "deadline" in refusal.value.message and "Asia/Shanghai" in refusal.value.message
    response = api_as(partner_admin).post(f"/api/v1/proposals/{proposal.pk}/submit/")
    assert response.status_code == 409 and "deadline" in response.json()["detail"]
    assert api_as(partner_admin).patch(f"/api/v1/proposals/{proposal.pk}/", {"title": "x"}).status_code == 409
    Proposal.objects.filter(pk=proposal.pk).update(status="submitted")
    assert api_as(partner_admin).post(f"/api/v1/proposals/{proposal.pk}/withdraw/").status_code == 409
    assert not ProposalVersion.objects.exists()


def test_suspended_organisation_cannot_submit(proposal, partner_admin, organisation, programme_admin):
    from partners.services import suspend_organisation

    suspend_organisation(organisation=organisation, by=programme_admin, reason="Dues")
    with pytest.raises(NotAllowed):
        services.submit_proposal(proposal=proposal, by=partner_admin)


def test_budget_checks_name_each_field_and_its_limit(api_as, proposal, partner_admin):
    proposal.mass_kg = "12.5"
    proposal.average_power_w = 60
    proposal.length_mm = 400
    proposal.min_operating_temp_c = -200
    proposal.save()
    problems = services.resource_problems(proposal)
    assert problems["mass_kg"] == "Mass 12.5 kg exceeds the lander's 10 kg per-payload limit."
    assert problems["average_power_w"] == "Average power 60 W exceeds the lander's 50 W per-payload limit."
    assert "300 mm" in problems["length_mm"] and "-180" in problems["min_operating_temp_c"]
    response = api_as(partner_admin).post(f"/api/v1/proposals/{proposal.pk}/submit/")
    assert response.status_code == 400 and {"mass_kg", "average_power_w", "length_mm"} <= set(response.json())


def test_incomplete_draft_is_refused_with_field_errors(api_as, call, partner_admin, organisation):
    created = api_as(partner_admin).post(
        "/api/v1/proposals/", {"call": call.pk, "title": "Just a title"}, format="json"
    )
    assert created.status_code == 201
    response = api_as(partner_admin).post(f"/api/v1/proposals/{created.json()['id']}/submit/")
    assert response.status_code == 400
    assert response.json()["abstract"] == ["Abstract is required before submitting."]


def test_only_active_partner_members_start_proposals_on_open_calls(api_as, call, reviewer, partner_member, db):
    assert api_as(reviewer).post("/api/v1/proposals/", {"call": call.pk, "title": "x"}).status_code == 403
    closed = CallFactory(status="closed")
    assert api_as(partner_member).post("/api/v1/proposals/", {"call": closed.pk, "title": "x"}).status_code == 409
    only_agencies = CallFactory(eligible_kinds=["space_agency"])
    response = api_as(partner_member).post("/api/v1/proposals/", {"call": only_agencies.pk, "title": "x"})
    assert response.status_code == 400 and "eligible" in response.json()["detail"]


def test_edit_rights_follow_the_team_and_the_lead_organisation(api_as, proposal, partner_member, organisation):
    foreign = MembershipFactory(organisation=OrganisationFactory(country="RU")).user
    TeamMember.objects.create(
        proposal=proposal, user=foreign, full_name="F", email=foreign.email, organisation_name="Far"
    )
    assert api_as(foreign).get(f"/api/v1/proposals/{proposal.pk}/").status_code == 200
    assert api_as(foreign).patch(f"/api/v1/proposals/{proposal.pk}/", {"title": "Mine"}).status_code == 403
    assert api_as(partner_member).patch(f"/api/v1/proposals/{proposal.pk}/", {"title": "Mine"}).status_code == 403
    TeamMember.objects.create(
        proposal=proposal,
        user=partner_member,
        full_name="M",
        email=partner_member.email,
        organisation_name=organisation.name,
    )
    assert api_as(partner_member).patch(f"/api/v1/proposals/{proposal.pk}/", {"title": "Ours"}).status_code == 200


def test_another_organisations_drafts_are_invisible(client, api_as, proposal, other_partner_admin):
    client.force_login(other_partner_admin)
    assert proposal.title not in client.get(reverse("proposals:proposal_list")).content.decode()
    for name in ("proposal_detail", "proposal_edit", "proposal_versions", "proposal_submit"):
        assert client.get(reverse(f"proposals:{name}", args=[proposal.pk])).status_code == 404, name
    assert api_as(other_partner_admin).get(f"/api/v1/proposals/{proposal.pk}/").status_code == 404
    assert proposal.title not in api_as(other_partner_admin).get("/api/v1/proposals/").content.decode()


# Letters of intent, compliance ----------------------------------------------------------------


def test_letter_stage_then_shortlist_then_full_proposal(programme_admin, partner_admin, organisation, db):
    now = timezone.now()
    call = CallFactory(
        has_letter_stage=True, letter_deadline=now + timedelta(days=5), deadline=now + timedelta(days=60)
    )
    draft = services.create_proposal(
        call=call,
        by=partner_admin,
        data={
            "title": "Ice drill",
            "abstract": "Drills.",
            "platform": call.platforms.first(),
            "cooperation_level": "equipment",
            "cooperation_mode": "in_kind",
            "areas": ["payloads"],
        },
    )
    assert draft.stage == "letter"
    services.submit_proposal(proposal=draft, by=partner_admin)
    with pytest.raises(TransitionNotAllowed):
        services.shortlist_letter(proposal=draft, by=programme_admin, shortlisted=True)
    Call.objects.filter(pk=call.pk).update(letter_deadline=now - timedelta(minutes=1))
    with pytest.raises(TransitionNotAllowed):
        services.create_proposal(call=call, by=partner_admin, data={"title": "Too late"})
    services.shortlist_letter(proposal=draft, by=programme_admin, shortlisted=True)
    draft.refresh_from_db()
    assert (draft.stage, draft.status) == ("full", "draft")
    services.update_proposal(
        proposal=draft,
        by=partner_admin,
        data={
            field: getattr(ProposalFactory.build(call=call, organisation=organisation), field)
            for field in (
                "mass_kg",
                "average_power_w",
                "peak_power_w",
                "length_mm",
                "width_mm",
                "height_mm",
                "data_mb_per_day",
                "min_operating_temp_c",
                "max_operating_temp_c",
                "trl_now",
                "trl_delivery",
                "science_objectives",
                "schedule",
            )
        },
    )
    assert services.submit_proposal(proposal=draft, by=partner_admin).stage == "full"


def test_compliance_after_close_needs_a_reason_when_not_eligible(programme_admin, proposal, partner_admin, call):
    services.submit_proposal(proposal=proposal, by=partner_admin)
    with pytest.raises(TransitionNotAllowed):
        services.record_compliance(proposal=proposal, by=programme_admin, eligible=True)
    services.close_call(call=call, by=programme_admin)
    with pytest.raises(DomainError):
        services.record_compliance(proposal=proposal, by=programme_admin, eligible=False)
    services.record_compliance(proposal=proposal, by=programme_admin, eligible=False, reason="Over mass")
    proposal.refresh_from_db()
    assert proposal.compliance == "not_eligible" and proposal.compliance_reason == "Over mass"


# Attachments ------------------------------------------------------------------------------------


def test_attachments_are_real_pdfs_within_the_size_limit(
    client, api_as, proposal, partner_admin, other_partner_admin, settings
):
    url = f"/api/v1/proposals/{proposal.pk}/attachments/"
    ok = api_as(partner_admin).post(
        url, {"file": SimpleUploadedFile("design.pdf", PDF), "kind": "technical"}, format="multipart"
    )
    assert ok.status_code == 201, ok.content
    fake = api_as(partner_admin).post(
        url, {"file": SimpleUploadedFile("fake.pdf", b"MZ\x90 not a pdf")}, format="multipart"
    )
    assert fake.status_code == 400 and fake.json()["file"] == ["The file is not a PDF document."]
    settings.PROPOSAL_ATTACHMENT_MAX_BYTES = 10
    big = api_as(partner_admin).post(url, {"file": SimpleUploadedFile("big.pdf", PDF)}, format="multipart")
    assert big.status_code == 400 and "limit" in big.json()["file"][0]
    download = reverse("proposals:attachment_download", args=[ok.json()["id"]])
    client.force_login(partner_admin)
    assert b"".join(client.get(download).streaming_content) == PDF
    client.force_login(other_partner_admin)
    assert client.get(download).status_code == 404


# Reminders -------------------------------------------------------------------------------------


def test_deadline_reminders_go_once_to_unsubmitted_drafts(
    call, proposal, partner_admin, organisation, django_capture_on_commit_callbacks
):
    submitted = ProposalFactory(call=call, organisation=organisation)
    services.submit_proposal(proposal=submitted, by=submitted.principal_investigator)
    Call.objects.filter(pk=call.pk).update(deadline=timezone.now() + timedelta(days=6))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_deadline_reminders() == 1
        assert services.send_deadline_reminders() == 0
    reminder = last_email_to(partner_admin.email)
    assert "not submitted" in reminder.subject and "7 days" in reminder.subject
    assert not [
        m
        for m in __import__("django.core.mail").core.mail.outbox
        if submitted.principal_investigator.email in m.to and "not submitted" in m.subject
    ]
    later = timezone.now() + timedelta(days=5, hours=12)
    assert services.send_deadline_reminders(now=later) == 1
    assert services.send_deadline_reminders(now=later) == 0


# Pages ------------------------------------------------------------------------------------------


def test_editor_keeps_what_was_typed_when_a_field_is_wrong(client, proposal, partner_admin):
    client.force_login(partner_admin)
    url = reverse("proposals:proposal_edit", args=[proposal.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        {
            "title": "A new typed title",
            "trl_now": "12",
            "areas": ["payloads"],
            "team-TOTAL_FORMS": "0",
            "team-INITIAL_FORMS": "0",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "A new typed title" in response.content.decode() and response.context["form"].errors["trl_now"]
    proposal.refresh_from_db()
    assert proposal.title != "A new typed title"


def test_an_expired_session_brings_the_person_back_to_what_they_typed(client, proposal, partner_admin):
    url = reverse("proposals:proposal_edit", args=[proposal.pk])
    response = client.post(url, {"title": "Typed before the session expired"})
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    client.force_login(partner_admin)
    page = client.get(url).content.decode()
    assert "Typed before the session expired" in page and "session had expired" in page


def test_admin_submissions_list_filters_and_exports_csv(client, programme_admin, call, db):
    egypt = ProposalFactory(call=call, organisation=OrganisationFactory(country="EG", name="Cairo Space"))
    ProposalFactory(call=call, organisation=OrganisationFactory(country="TH", name="Bangkok Lab"))
    client.force_login(programme_admin)
    url = reverse("proposals:call_submissions", args=[call.pk])
    page = client.get(url, {"country": "EG"}).content.decode()
    assert "Cairo Space" in page and "Bangkok Lab" not in page
    csv = b"".join(client.get(url, {"format": "csv", "country": "EG"}).streaming_content).decode()
    header, *rows = csv.strip().splitlines()
    assert header.startswith("Reference,Title,Lead organisation") and len(rows) == 1 and egypt.title in rows[0]


def test_manage_pages_are_closed_to_partners(client, partner_admin, call):
    client.force_login(partner_admin)
    for url in (
        reverse("proposals:manage_calls"),
        reverse("proposals:call_edit", args=[call.pk]),
        reverse("proposals:call_submissions", args=[call.pk]),
    ):
        assert client.get(url).status_code == 404


def test_lists_run_constant_queries(
    client, api_as, programme_admin, partner_admin, organisation, call, django_assert_max_num_queries
):
    for count in (5, 25):
        ProposalFactory.create_batch(count, call=call, organisation=organisation, principal_investigator=partner_admin)
        CallFactory.create_batch(count)
        client.force_login(partner_admin)
        with django_assert_max_num_queries(10):
            client.get(reverse("proposals:proposal_list"))
        with django_assert_max_num_queries(10):
            client.get(reverse("proposals:call_list"))
        with django_assert_max_num_queries(10):
            api_as(partner_admin).get("/api/v1/proposals/")
        with django_assert_max_num_queries(8):
            api_as(partner_admin).get("/api/v1/calls/")
        client.force_login(programme_admin)
        with django_assert_max_num_queries(12):
            client.get(reverse("proposals:call_submissions", args=[call.pk]))


def test_administrator_creates_a_call_in_the_editor_with_deadlines_in_its_zone(client, programme_admin, db):
    from tests.factories import MissionFactory

    mission = MissionFactory(name="ILRS-1")
    client.force_login(programme_admin)
    platform = {
        "kind": "lander",
        "name": "Research module",
        "total_mass_kg": "300",
        "total_average_power_w": "800",
        "total_data_mb_per_day": "20000",
        "max_mass_kg": "40",
        "max_average_power_w": "100",
        "max_peak_power_w": "200",
        "max_length_mm": "400",
        "max_width_mm": "300",
        "max_height_mm": "300",
        "min_operating_temp_c": "-170",
        "max_operating_temp_c": "70",
    }
    data = {
        "mission": mission.pk,
        "title": "ILRS-1 instruments",
        "reference": "ilrs1-test",
        "description": "Instruments.",
        "time_zone": "Asia/Shanghai",
        "deadline": "2030-03-31T23:59",
        "reviewers_per_proposal": "3",
        "conflict_policy": "organisation",
        "anonymity": "dual",
        "criteria-TOTAL_FORMS": "2",
        "criteria-INITIAL_FORMS": "2",
        "criteria-0-name": "Scientific value",
        "criteria-0-weight": "60",
        "criteria-1-name": "Technical feasibility",
        "criteria-1-weight": "30",
        "platforms-TOTAL_FORMS": "1",
        "platforms-INITIAL_FORMS": "0",
        **{f"platforms-0-{key}": value for key, value in platform.items()},
    }
    refused = client.post(reverse("proposals:call_create"), data)
    assert refused.status_code == 200 and "add up to 100" in refused.content.decode()
    assert "ILRS-1 instruments" in refused.content.decode()
    data["criteria-1-weight"] = "40"
    response = client.post(reverse("proposals:call_create"), data)
    assert response.status_code == 302, [
        (f.errors, getattr(f, "non_form_errors", lambda: "")())
        for f in (response.context["form"], response.context["criteria"], response.context["platforms"])
    ]
    call = Call.objects.get(reference="ilrs1-test")
    assert call.status == "draft" and call.platforms.get().max_mass_kg == 40
    assert call.deadline.isoformat() == "2030-03-31T15:59:00+00:00"
    assert [c["weight"] for c in call.criteria] == [60, 40]
    client.post(reverse("proposals:call_transition", args=[call.pk, "open"]))
    assert Call.objects.get(pk=call.pk).status == "open"
