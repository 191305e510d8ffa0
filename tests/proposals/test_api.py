"""The proposals REST API: drafting, submitting, versions, withdrawal, filters and its error bodies."""

import pytest

from partners.services import suspend_organisation
from proposals.models import Proposal, TeamMember
from tests.factories import CallFactory, MissionFactory, ProposalFactory, UserFactory

# Starting a draft -------------------------------------------------------------------------------


def test_a_partner_member_starts_a_draft_with_a_team(api_as, call, lander, partner_member):
    colleague = UserFactory(email="colleague@moon.example.org", full_name="Moon Colleague")
    response = api_as(partner_member).post(
        "/api/v1/proposals/",
        {
            "call": call.pk,
            "title": "Lunar seismometer",
            "platform": lander.pk,
            "areas": ["payloads"],
            "team": [
                {"email": "colleague@moon.example.org", "role": "Data analysis"},
                {"full_name": "Ines Outside", "organisation_name": "University of Lisbon", "country": "PT"},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["stage"], body["call"]) == ("draft", "full", call.pk)
    assert body["organisation"]["name"] == "South Lunar Institute" and body["organisation"]["country"] == "ZA"
    assert body["principal_investigator"] == {"id": partner_member.pk, "full_name": "Mpho Member"}
    assert body["reference"] == f"CE8-2026-{body['id']:04d}"
    # The colleague from outside the lead organisation is invited: nothing of their account shows until they accept.
    assert [(m["email"], m["full_name"], m["is_portal_user"], m["status"]) for m in body["team"]] == [
        ("colleague@moon.example.org", "", False, "invited"),
        ("", "Ines Outside", False, "member"),
    ]
    assert body["resource_problems"] == {}
    assert body["deadline"] is not None
    assert TeamMember.objects.get(email="colleague@moon.example.org").role == "Data analysis"
    assert not TeamMember.objects.filter(user=colleague).exists()


def test_a_team_member_needs_an_email_or_a_name_and_organisation(api_as, call, partner_member):
    response = api_as(partner_member).post(
        "/api/v1/proposals/",
        {"call": call.pk, "title": "Lunar seismometer", "team": [{"full_name": "Nobody Without Organisation"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "team" in response.json()
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(
    ("call_kwargs", "status_code", "detail"),
    [
        ({"status": "closed"}, 409, "This call is not open for proposals."),
        ({"eligible_kinds": ["space_agency"]}, 400, "Organisations of your kind are not eligible for this call."),
        ({"eligible_countries": ["CN"]}, 400, "Organisations from your country are not eligible for this call."),
    ],
)
def test_a_draft_is_refused_on_calls_it_may_not_join(api_as, partner_member, call_kwargs, status_code, detail):
    call = CallFactory(**call_kwargs)
    response = api_as(partner_member).post("/api/v1/proposals/", {"call": call.pk, "title": "x"}, format="json")
    assert response.status_code == status_code
    assert response.json() == {"detail": detail}
    assert not Proposal.objects.exists()


def test_a_draft_call_cannot_even_be_named(api_as, partner_member):
    draft = CallFactory(status="draft")
    response = api_as(partner_member).post("/api/v1/proposals/", {"call": draft.pk, "title": "x"}, format="json")
    assert response.status_code == 400 and "call" in response.json()


def test_only_members_of_an_active_partner_organisation_start_drafts(
    api_client, api_as, call, reviewer, partner_member, organisation, programme_admin
):
    body = {"call": call.pk, "title": "Lunar seismometer"}
    assert api_client.post("/api/v1/proposals/", body, format="json").status_code in (401, 403)
    assert api_as(reviewer).post("/api/v1/proposals/", body, format="json").status_code == 403

    suspend_organisation(organisation=organisation, by=programme_admin, reason="Membership dues")
    partner_member.refresh_from_db()
    refused = api_as(partner_member).post("/api/v1/proposals/", body, format="json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Your organisation is suspended: it cannot submit or change proposals."}
    assert not Proposal.objects.exists()


# Saving a draft ---------------------------------------------------------------------------------


def test_a_patch_saves_only_the_fields_sent(api_as, proposal, pi):
    response = api_as(pi).patch(
        f"/api/v1/proposals/{proposal.pk}/", {"heritage": "Flew on Chang'e-4.", "call": 999}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["heritage"] == "Flew on Chang'e-4."
    proposal.refresh_from_db()
    assert (proposal.heritage, proposal.title, proposal.call.reference) == (
        "Flew on Chang'e-4.",
        "Regolith dust analyser",
        "ce8-2026",
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [({"trl_now": 12}, "trl_now"), ({"areas": ["astrology"]}, "areas"), ({"mass_kg": "-1"}, "mass_kg")],
)
def test_invalid_values_are_refused_with_the_field_named(api_as, proposal, pi, change, field):
    response = api_as(pi).patch(f"/api/v1/proposals/{proposal.pk}/", change, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_a_platform_of_another_call_is_refused(api_as, proposal, pi):
    elsewhere = CallFactory().platforms.get()
    response = api_as(pi).patch(f"/api/v1/proposals/{proposal.pk}/", {"platform": elsewhere.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {"platform": ["Choose one of the platforms this call offers."]}


# Submitting, versions, withdrawing -----------------------------------------------------------------


def test_submit_withdraw_and_resubmit_through_the_api(api_as, proposal, pi):
    client = api_as(pi)
    first = client.post(f"/api/v1/proposals/{proposal.pk}/submit/")
    assert first.status_code == 201
    assert (first.json()["number"], first.json()["stage"], first.json()["submitted_by"]) == (
        1,
        "full",
        "Palesa Principal",
    )
    assert len(first.json()["content_hash"]) == 64
    assert first.json()["content"]["title"] == "Regolith dust analyser"

    again = client.post(f"/api/v1/proposals/{proposal.pk}/submit/")
    assert again.status_code == 409 and again.json() == {"detail": "This proposal is already submitted."}
    # A change to a submitted proposal waits beside the submitted version, which keeps counting.
    assert client.patch(f"/api/v1/proposals/{proposal.pk}/", {"title": "x"}, format="json").status_code == 200
    assert Proposal.objects.get(pk=proposal.pk).title == "Regolith dust analyser"

    withdrawn = client.post(f"/api/v1/proposals/{proposal.pk}/withdraw/", {"reason": "Typo"}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert client.post(f"/api/v1/proposals/{proposal.pk}/withdraw/").status_code == 409

    client.patch(f"/api/v1/proposals/{proposal.pk}/", {"title": "Regolith dust analyser II"}, format="json")
    second = client.post(f"/api/v1/proposals/{proposal.pk}/submit/")
    assert second.json()["number"] == 2

    versions = client.get(f"/api/v1/proposals/{proposal.pk}/versions/").json()
    assert versions["count"] == 2
    assert [(v["number"], v["content"]["title"]) for v in versions["results"]] == [
        (2, "Regolith dust analyser II"),
        (1, "Regolith dust analyser"),
    ]
    assert versions["results"][1]["content_hash"] == first.json()["content_hash"]


def test_proposals_are_filtered_by_call_and_status(api_as, call, organisation, partner_admin):
    ProposalFactory(call=call, organisation=organisation, title="Draft here")
    submitted = ProposalFactory(call=call, organisation=organisation, title="Submitted here")
    Proposal.objects.filter(pk=submitted.pk).update(status=Proposal.Status.SUBMITTED)
    ProposalFactory(organisation=organisation, title="Other call")
    client = api_as(partner_admin)

    def titles(**filters):
        return sorted(row["title"] for row in client.get("/api/v1/proposals/", filters).json()["results"])

    assert titles() == ["Draft here", "Other call", "Submitted here"]
    assert titles(call=call.pk) == ["Draft here", "Submitted here"]
    assert titles(call=call.pk, status="submitted") == ["Submitted here"]
    assert titles(stage="letter") == []


def test_missions_are_public(api_client, call):
    MissionFactory(name="ILRS-1", phase="construction_2", target_launch_year=2031)
    names = [mission["name"] for mission in api_client.get("/api/v1/missions/").json()["results"]]
    assert "ILRS-1" in names and call.mission.name in names


def test_the_schema_describes_the_proposal_endpoints(api_client, db):
    response = api_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/calls/{id}/open/",
        "/api/v1/proposals/{id}/submit/",
        "/api/v1/proposals/{id}/withdraw/",
        "/api/v1/proposals/{id}/attachments/",
        "/api/v1/proposals/{id}/compliance/",
        "/api/v1/proposals/{id}/shortlist/",
    ):
        assert path in paths, path
