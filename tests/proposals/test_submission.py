"""Submitting: frozen versions, receipts to the whole team, withdrawal, the deadline, budgets and completeness."""

import hashlib
import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from partners.services import suspend_organisation
from portal.audit.models import AuditEvent
from portal.errors import NotAllowed, TransitionNotAllowed
from portal.formatting import when
from proposals import services
from proposals.models import Proposal, ProposalVersion
from tests.factories import TeamMemberFactory
from tests.helpers import last_email_to, links_in, path_of
from tests.proposals.support import pass_deadline


@pytest.fixture
def team(proposal, lead_coinvestigator, foreign_coinvestigator):
    """The PI's team: two portal colleagues, one outsider with an email and one without."""
    TeamMemberFactory(
        proposal=proposal, user=None, full_name="Ines Outside", email="ines@uni.example.org", organisation_name="Uni"
    )
    TeamMemberFactory(proposal=proposal, user=None, full_name="Quiet Outsider", email="", organisation_name="Lab")
    return [lead_coinvestigator, foreign_coinvestigator]


# Freezing a version ---------------------------------------------------------------------------


def test_submission_freezes_version_one_with_the_hash_of_its_canonical_json(proposal, pi, team):
    version = services.submit_proposal(proposal=proposal, by=pi)

    assert (version.number, version.stage, version.submitted_by) == (1, "full", pi)
    content = version.content
    assert content["title"] == "Regolith dust analyser"
    assert (content["mass_kg"], content["platform"], content["trl_now"]) == ("4", "Lander", 6)
    assert content["organisation"] == "South Lunar Institute" and content["country"] == "ZA"
    assert content["principal_investigator"] == "Palesa Principal"
    assert [member["name"] for member in content["team"]] == [
        "Kagiso Colleague",
        "Nour Foreign",
        "Ines Outside",
        "Quiet Outsider",
    ]
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert version.content_hash == hashlib.sha256(canonical.encode()).hexdigest()
    assert version.content_hash == services.content_hash(content)
    assert services.content_hash(ProposalVersion.objects.get(pk=version.pk).content) == version.content_hash

    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED
    assert proposal.submitted_at == version.submitted_at
    event = AuditEvent.objects.get(action="proposal.submitted")
    assert (event.from_state, event.to_state) == ("draft", "submitted")
    assert event.data == {"version": 1, "content_hash": version.content_hash, "stage": "full"}


def test_a_frozen_version_cannot_be_changed(proposal, pi):
    version = services.submit_proposal(proposal=proposal, by=pi)
    version.content["title"] = "Rewritten history"
    with pytest.raises(ValueError, match="immutable"):
        version.save()
    assert ProposalVersion.objects.get(pk=version.pk).content["title"] == "Regolith dust analyser"


def test_a_submitted_proposal_cannot_be_submitted_again(proposal, pi):
    services.submit_proposal(proposal=proposal, by=pi)
    with pytest.raises(TransitionNotAllowed, match="already submitted"):
        services.submit_proposal(proposal=proposal, by=pi)
    assert proposal.versions.count() == 1


def test_the_receipt_goes_to_the_whole_team_with_the_version_and_its_hash(
    proposal, pi, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        version = services.submit_proposal(proposal=proposal, by=pi)

    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted(
        [pi.email, "coi@south-lunar.example.org", "coi@nile-space.example.org", "ines@uni.example.org"]
    )
    for message in mail.outbox:
        assert message.subject == f"Receipt: {proposal.reference} submitted (version 1)"
        assert "Version: 1" in message.body
        assert f"Content fingerprint (SHA-256): {version.content_hash}" in message.body
        assert '"Regolith dust analyser" has been submitted to the call' in message.body
        assert f"http://testserver/proposals/{proposal.pk}/" in links_in(message)


def test_the_receipt_link_opens_the_proposal_for_the_signed_in_pi(
    client, proposal, pi, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_proposal(proposal=proposal, by=pi)
    [link] = [url for url in links_in(last_email_to(pi.email)) if "/proposals/" in url]
    assert link.startswith("http://testserver/")

    client.force_login(pi)
    page = client.get(path_of(link))
    assert page.status_code == 200
    assert "Regolith dust analyser" in page.content.decode()
    assert "Submitted" in page.content.decode()


def test_nothing_is_emailed_when_a_submission_is_refused(proposal, pi, django_capture_on_commit_callbacks):
    Proposal.objects.filter(pk=proposal.pk).update(abstract="")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.submit_proposal(proposal=proposal, by=pi)
    assert mail.outbox == []
    assert not ProposalVersion.objects.exists()


# Withdrawing and resubmitting -----------------------------------------------------------------


def test_withdrawal_is_confirmed_to_the_team_and_resubmission_makes_version_two(
    proposal, pi, lead_coinvestigator, django_capture_on_commit_callbacks
):
    first = services.submit_proposal(proposal=proposal, by=pi)
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_proposal(proposal=proposal, by=pi, reason="The abstract needs work")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.WITHDRAWN
    for address in (pi.email, lead_coinvestigator.email):
        confirmation = last_email_to(address)
        assert confirmation.subject == f"{proposal.reference} was withdrawn"
        assert '"Regolith dust analyser" was withdrawn by Palesa Principal.' in confirmation.body
        assert "Reason: The abstract needs work" in confirmation.body
    event = AuditEvent.objects.get(action="proposal.withdrawn")
    assert (event.from_state, event.to_state, event.reason) == ("submitted", "withdrawn", "The abstract needs work")

    services.update_proposal(proposal=proposal, by=pi, data={"abstract": "Maps water ice in shadowed craters."})
    second = services.submit_proposal(proposal=proposal, by=pi)
    assert second.number == 2
    assert second.content["abstract"] == "Maps water ice in shadowed craters."
    assert second.content_hash != first.content_hash
    assert ProposalVersion.objects.get(pk=first.pk).content["abstract"] == "Measures the regolith."


def test_only_a_submitted_proposal_can_be_withdrawn(proposal, pi):
    with pytest.raises(TransitionNotAllowed, match="Only a submitted proposal"):
        services.withdraw_proposal(proposal=proposal, by=pi)


def test_version_history_shows_a_readable_diff_between_versions(client, proposal, pi):
    services.submit_proposal(proposal=proposal, by=pi)
    services.withdraw_proposal(proposal=proposal, by=pi)
    services.update_proposal(
        proposal=proposal, by=pi, data={"abstract": "Maps water ice.", "title": "Water ice mapper"}
    )
    services.submit_proposal(proposal=proposal, by=pi)

    client.force_login(pi)
    response = client.get(reverse("proposals:proposal_versions", args=[proposal.pk]))
    page = response.content.decode()
    assert "Changes from version 1 to version 2" in page
    assert [change["field"] for change in response.context["changes"]] == ["Abstract", "Title"]
    assert "<h3>Abstract</h3>" in page and "<h3>Title</h3>" in page and "<h3>Schedule</h3>" not in page
    assert "<del>- Measures the regolith.</del>" in page
    assert "<ins>+ Maps water ice.</ins>" in page
    assert "<del>- Regolith dust analyser</del>" in page and "<ins>+ Water ice mapper</ins>" in page

    same = client.get(reverse("proposals:proposal_versions", args=[proposal.pk]), {"a": 2, "b": 2})
    assert "The two versions have the same content." in same.content.decode()


# After the deadline -----------------------------------------------------------------------------


def test_after_the_deadline_nothing_can_be_submitted_edited_or_withdrawn(proposal, pi, call):
    deadline = pass_deadline(call)
    named = when(deadline, call.time_zone)
    assert "Asia/Shanghai" in named

    with pytest.raises(TransitionNotAllowed) as refusal:
        services.submit_proposal(proposal=proposal, by=pi)
    assert named in refusal.value.message
    with pytest.raises(TransitionNotAllowed, match="deadline"):
        services.update_proposal(proposal=proposal, by=pi, data={"title": "Too late"})
    assert not ProposalVersion.objects.exists()
    assert Proposal.objects.get(pk=proposal.pk).title == "Regolith dust analyser"


def test_after_the_deadline_a_submitted_proposal_cannot_be_withdrawn(proposal, pi, call):
    services.submit_proposal(proposal=proposal, by=pi)
    deadline = pass_deadline(call)
    with pytest.raises(TransitionNotAllowed) as refusal:
        services.withdraw_proposal(proposal=proposal, by=pi)
    assert when(deadline, call.time_zone) in refusal.value.message
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.SUBMITTED


def test_api_answers_409_naming_the_deadline_after_it_passed(api_as, proposal, pi, call):
    client = api_as(pi)
    named = when(pass_deadline(call), call.time_zone)

    submit = client.post(f"/api/v1/proposals/{proposal.pk}/submit/")
    assert submit.status_code == 409
    assert named in submit.json()["detail"]
    patch = client.patch(f"/api/v1/proposals/{proposal.pk}/", {"title": "Too late"}, format="json")
    assert patch.status_code == 409 and named in patch.json()["detail"]

    Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.SUBMITTED)
    withdraw = client.post(f"/api/v1/proposals/{proposal.pk}/withdraw/")
    assert withdraw.status_code == 409 and named in withdraw.json()["detail"]
    assert not ProposalVersion.objects.exists()


def test_submit_page_after_the_deadline_says_which_deadline_passed(client, proposal, pi, call):
    named = when(pass_deadline(call), call.time_zone)
    client.force_login(pi)
    response = client.post(reverse("proposals:proposal_submit", args=[proposal.pk]), follow=True)
    assert named in response.content.decode()
    assert not ProposalVersion.objects.exists()


# A suspended organisation ----------------------------------------------------------------------


def test_a_suspended_organisation_cannot_submit(api_as, proposal, pi, organisation, programme_admin):
    suspend_organisation(organisation=organisation, by=programme_admin, reason="Membership dues")
    with pytest.raises(NotAllowed, match="suspended"):
        services.submit_proposal(proposal=proposal, by=pi)
    response = api_as(pi).post(f"/api/v1/proposals/{proposal.pk}/submit/")
    assert response.status_code == 403
    assert "suspended" in response.json()["detail"]
    assert not ProposalVersion.objects.exists()


# Completeness and budgets ----------------------------------------------------------------------


def test_an_incomplete_proposal_is_refused_with_an_error_for_each_missing_field(api_as, call, partner_member):
    client = api_as(partner_member)
    created = client.post("/api/v1/proposals/", {"call": call.pk, "title": "Just a title"}, format="json")
    assert created.status_code == 201

    response = client.post(f"/api/v1/proposals/{created.json()['id']}/submit/")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == set(services.REQUIRED_FOR_FULL) - {"title"}
    assert errors["abstract"] == ["Abstract is required before submitting."]
    assert errors["trl_now"] == ["TRL now is required before submitting."]
    assert errors["min_operating_temp_c"] == ["Lowest operating temperature (°C) is required before submitting."]
    assert not ProposalVersion.objects.exists()


def test_the_submit_page_lists_what_is_missing_and_offers_no_submit_button(client, call, partner_member):
    draft = services.create_proposal(call=call, by=partner_member, data={"title": "Just a title"})
    client.force_login(partner_member)
    url = reverse("proposals:proposal_submit", args=[draft.pk])
    page = client.get(url).content.decode()
    assert "The proposal cannot be submitted yet:" in page
    assert "Abstract is required before submitting." in page
    assert "Submit the proposal" not in page

    posted = client.post(url)
    assert posted.status_code == 200
    assert "Abstract is required before submitting." in posted.content.decode()
    assert not ProposalVersion.objects.exists()


# (what the team asks for, the field refused, the message): against a lander of 10 kg, 50 W (80 W peak),
# 300 × 150 × 150 mm, −180…80 °C and 2000 MB/day.
BUDGET_BREACHES = [
    ({"mass_kg": "12.5"}, "mass_kg", "Mass 12.5 kg exceeds the lander's 10 kg per-payload limit."),
    (
        {"average_power_w": "60", "peak_power_w": "75"},
        "average_power_w",
        "Average power 60 W exceeds the lander's 50 W per-payload limit.",
    ),
    ({"peak_power_w": "95.5"}, "peak_power_w", "Peak power 95.5 W exceeds the lander's 80 W per-payload limit."),
    ({"length_mm": 400}, "length_mm", "Length 400 mm exceeds the lander's 300 mm envelope."),
    ({"width_mm": 151}, "width_mm", "Width 151 mm exceeds the lander's 150 mm envelope."),
    ({"height_mm": 200}, "height_mm", "Height 200 mm exceeds the lander's 150 mm envelope."),
    (
        {"data_mb_per_day": "2500"},
        "data_mb_per_day",
        "Data volume 2,500 MB/day exceeds the lander's total of 2,000 MB/day.",
    ),
    (
        {"min_operating_temp_c": "-200"},
        "min_operating_temp_c",
        "The payload must operate down to -180 °C on the lander; it is rated to -200 °C.",
    ),
    ({"max_operating_temp_c": "85"}, "max_operating_temp_c", "Operating up to 85 °C exceeds the lander's 80 °C limit."),
]


@pytest.mark.parametrize(("changes", "field", "message"), BUDGET_BREACHES)
def test_a_request_beyond_the_platforms_limit_is_refused_naming_value_and_limit(proposal, pi, changes, field, message):
    services.update_proposal(proposal=proposal, by=pi, data=changes)
    proposal.refresh_from_db()
    assert services.resource_problems(proposal) == {field: message}
    with pytest.raises(ValidationError) as refusal:
        services.submit_proposal(proposal=proposal, by=pi)
    assert refusal.value.message_dict == {field: [message]}
    assert not ProposalVersion.objects.exists()


@pytest.mark.parametrize(("changes", "field", "message"), BUDGET_BREACHES)
def test_api_answers_400_with_the_field_name_for_a_budget_breach(api_as, proposal, pi, changes, field, message):
    client = api_as(pi)
    saved = client.patch(f"/api/v1/proposals/{proposal.pk}/", changes, format="json")
    assert saved.status_code == 200, "a draft over budget can still be saved"
    assert saved.json()["resource_problems"] == {field: message}

    response = client.post(f"/api/v1/proposals/{proposal.pk}/submit/")
    assert response.status_code == 400
    assert response.json() == {field: [message]}


def test_the_submit_page_shows_each_budget_breach(client, proposal, pi):
    services.update_proposal(
        proposal=proposal, by=pi, data={"mass_kg": "12.5", "average_power_w": "60", "peak_power_w": "70"}
    )
    client.force_login(pi)
    page = client.get(reverse("proposals:proposal_submit", args=[proposal.pk])).content.decode()
    assert "Mass 12.5 kg exceeds the lander&#x27;s 10 kg per-payload limit." in page
    assert "Average power 60 W exceeds the lander&#x27;s 50 W per-payload limit." in page
    assert "within the limit" in page, "the other resources are shown as fine"


def test_requests_exactly_at_the_limits_are_accepted(proposal, pi):
    at_limit = {
        "mass_kg": 10,
        "average_power_w": 50,
        "peak_power_w": 80,
        "length_mm": 300,
        "width_mm": 150,
        "height_mm": 150,
        "data_mb_per_day": 2000,
        "min_operating_temp_c": -180,
        "max_operating_temp_c": 80,
    }
    services.update_proposal(proposal=proposal, by=pi, data=at_limit)
    assert services.submit_proposal(proposal=proposal, by=pi).number == 1


def test_inconsistent_requests_are_refused(proposal, pi):
    services.update_proposal(
        proposal=proposal,
        by=pi,
        data={"peak_power_w": 10, "trl_now": 7, "trl_delivery": 5, "min_operating_temp_c": 70},
    )
    with pytest.raises(ValidationError) as refusal:
        services.submit_proposal(proposal=proposal, by=pi)
    assert refusal.value.message_dict == {
        "peak_power_w": ["Peak power cannot be lower than average power."],
        "trl_delivery": ["The TRL at delivery cannot be lower than the TRL now."],
        "max_operating_temp_c": ["The highest operating temperature is below the lowest."],
    }
