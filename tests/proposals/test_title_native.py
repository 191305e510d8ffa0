"""A proposal keeps its title in the team's own script beside the English one, and an organisation its own name:
entered in the editor or the API, frozen in each version, shown wherever the English one is."""

import pytest
from django.urls import reverse

from proposals import services
from proposals.models import Call, Proposal
from tests.factories import ProposalFactory
from tests.helpers import csv_rows

from .review_support import grades, submitted_review, text
from .support import post_data

SEISMOMETER = "Lunar seismometer"
NATIVE = "月震仪"
SHOWN = "Lunar seismometer · 月震仪"


def test_the_editor_saves_the_title_in_chinese_script_and_the_page_shows_it_beside_the_english(client, proposal, pi):
    client.force_login(pi)
    url = reverse("proposals:proposal_edit", args=[proposal.pk])
    editor = client.get(url)
    assert 'name="title_native"' in text(editor)
    data = post_data(editor.context["form"], editor.context["team"])
    data.update({"title": SEISMOMETER, "title_native": NATIVE, "save": ""})

    assert client.post(url, data).status_code == 302

    proposal.refresh_from_db()
    assert (proposal.title, proposal.title_native) == (SEISMOMETER, NATIVE)
    assert f"<h1>{SHOWN}</h1>" in text(client.get(reverse("proposals:proposal_detail", args=[proposal.pk])))
    assert SHOWN in text(client.get(reverse("proposals:proposal_list")))


def test_each_submitted_version_keeps_the_title_in_the_teams_script(proposal, pi):
    services.update_proposal(proposal=proposal, by=pi, data={"title_native": NATIVE})

    version = services.submit_proposal(proposal=proposal, by=pi)

    assert version.content["title_native"] == NATIVE
    assert version.content_hash == services.content_hash(version.content)


def test_the_api_reads_and_writes_the_title_in_the_teams_script(api_as, call, lander, partner_member):
    client = api_as(partner_member)
    created = client.post(
        "/api/v1/proposals/", {"call": call.pk, "title": SEISMOMETER, "title_native": NATIVE}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["title_native"] == NATIVE

    changed = client.patch(f"/api/v1/proposals/{created.json()['id']}/", {"title_native": "Сейсмометр"}, format="json")

    assert changed.status_code == 200 and changed.json()["title_native"] == "Сейсмометр"
    assert Proposal.objects.get().title_native == "Сейсмометр"
    too_long = client.patch(f"/api/v1/proposals/{created.json()['id']}/", {"title_native": "月" * 201}, format="json")
    assert too_long.status_code == 400 and "title_native" in too_long.json()


def test_the_schema_documents_the_title_in_the_teams_script(api_client, db):
    schemas = api_client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]

    for name in ("Proposal", "ProposalWriteRequest", "PatchedProposalWriteRequest"):
        assert "own script" in schemas[name]["properties"]["title_native"]["description"], name
    assert schemas["ProposalWriteRequest"]["properties"]["title_native"]["maxLength"] == 200
    for name in ("Assignment", "RankingRow"):
        assert schemas[name]["properties"]["title_native"]["type"] == "string", name
    assert "title_native" not in schemas["ProposalWriteRequest"].get("required", [])
    assert schemas["OrganisationBrief"]["properties"]["native_name"]["type"] == "string"


@pytest.fixture
def named_in_both(proposal, organisation):
    """`proposal` and its organisation with their own-script names, before `review_call` submits the proposal."""
    Proposal.objects.filter(pk=proposal.pk).update(title_native=NATIVE)
    organisation.native_name = "Suid-Maan Instituut"
    organisation.save()
    proposal.refresh_from_db()
    return proposal


def test_a_reviewer_of_a_dual_anonymous_call_sees_the_title_in_both_scripts_but_not_the_team(
    client, named_in_both, review_call, assignment, reviewer
):
    assert assignment.proposal.versions.get().content["title_native"] == NATIVE
    Call.objects.filter(pk=review_call.pk).update(anonymity=Call.Anonymity.DUAL)
    client.force_login(reviewer)

    for url in (reverse("proposals:review_edit", args=[assignment.pk]), reverse("proposals:review_list")):
        page = text(client.get(url))
        assert f"Regolith dust analyser · {NATIVE}" in page, url
        assert "Suid-Maan Instituut" not in page and "South Lunar Institute" not in page, url


def test_the_ranking_and_its_exports_carry_the_title_in_the_teams_script(
    client, proposal, review_call, reviewer, programme_admin
):
    Proposal.objects.filter(pk=proposal.pk).update(title_native=NATIVE)
    submitted_review(proposal, reviewer, grades(4, 4, 4))
    client.force_login(programme_admin)
    url = reverse("proposals:call_ranking", args=[review_call.pk])

    assert f"Regolith dust analyser · {NATIVE}" in text(client.get(url))
    header, row = csv_rows(client.get(url, {"format": "csv"}))
    assert row[header.index("Title in own language")] == NATIVE


def test_the_submissions_export_has_the_title_in_the_teams_script(client, call, programme_admin):
    ProposalFactory(call=call, title=SEISMOMETER, title_native=NATIVE)
    client.force_login(programme_admin)

    response = client.get(reverse("proposals:call_submissions", args=[call.pk]), {"format": "csv"})

    header, row = csv_rows(response)
    assert header[1:3] == ["Title", "Title in own language"] and row[1:3] == [SEISMOMETER, NATIVE]


def test_the_organisations_own_name_shows_beside_its_english_one(client, proposal, pi, organisation, programme_admin):
    organisation.native_name = "Suid-Maan Instituut"
    organisation.save()
    both = "South Lunar Institute · Suid-Maan Instituut"
    client.force_login(pi)

    assert both in text(client.get(reverse("proposals:proposal_detail", args=[proposal.pk])))
    assert f"<h1>{both}</h1>" in text(client.get(reverse("partners:my_organisation")))
    client.force_login(programme_admin)
    assert f"<h1>{both}</h1>" in text(client.get(reverse("partners:organisation_detail", args=[organisation.pk])))
    assert "Suid-Maan Instituut" in text(client.get(reverse("partners:directory")))
