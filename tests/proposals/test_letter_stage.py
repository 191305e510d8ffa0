"""Calls with a letter-of-intent stage: letters first, shortlisting after the letter deadline, then full proposals."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.errors import NotAllowed, TransitionNotAllowed
from portal.formatting import when
from proposals import services
from proposals.models import Proposal
from tests.factories import CallFactory, TeamMemberFactory
from tests.helpers import last_email_to
from tests.proposals.support import pass_letter_deadline

FULL_PROPOSAL_FIELDS = {
    "mass_kg": 4,
    "average_power_w": 20,
    "peak_power_w": 40,
    "length_mm": 200,
    "width_mm": 100,
    "height_mm": 100,
    "data_mb_per_day": 100,
    "min_operating_temp_c": -150,
    "max_operating_temp_c": 60,
    "trl_now": 6,
    "trl_delivery": 8,
    "science_objectives": "Volatile transport at the south pole.",
    "schedule": "Flight model in 2027.",
}


@pytest.fixture
def letter_call(db):
    now = timezone.now()
    return CallFactory(
        title="Chang'e-7 letters first",
        has_letter_stage=True,
        letter_deadline=now + timedelta(days=5),
        deadline=now + timedelta(days=60),
    )


@pytest.fixture
def letter(letter_call, pi):
    """A letter of intent with only the letter fields filled in."""
    return services.create_proposal(
        call=letter_call,
        by=pi,
        data={
            "title": "Ice drill",
            "abstract": "Drills one metre into the regolith.",
            "platform": letter_call.platforms.get(),
            "cooperation_level": "equipment",
            "cooperation_mode": "in_kind",
            "areas": ["payloads"],
        },
    )


def test_a_new_proposal_starts_as_a_letter_of_intent(letter):
    assert (letter.stage, letter.status) == (Proposal.Stage.LETTER, Proposal.Status.DRAFT)
    assert letter.deadline == letter.call.letter_deadline


def test_a_letter_needs_only_the_letter_fields(letter, pi, django_capture_on_commit_callbacks):
    assert letter.mass_kg is None and letter.trl_now is None
    assert services.submission_problems(letter) == {}
    with django_capture_on_commit_callbacks(execute=True):
        version = services.submit_proposal(proposal=letter, by=pi)
    assert (version.number, version.stage) == (1, "letter")
    assert "Stage: Letter of intent" in last_email_to(pi.email).body


def test_a_letter_missing_a_letter_field_is_refused_for_that_field_only(letter, pi):
    services.update_proposal(proposal=letter, by=pi, data={"areas": []})
    with pytest.raises(ValidationError) as refusal:
        services.submit_proposal(proposal=letter, by=pi)
    assert refusal.value.message_dict == {"areas": ["Areas is required before submitting."]}


def test_shortlisting_waits_for_the_letter_deadline(letter, pi, programme_admin):
    services.submit_proposal(proposal=letter, by=pi)
    with pytest.raises(TransitionNotAllowed, match="once the letter-of-intent deadline has passed"):
        services.shortlist_letter(proposal=letter, by=programme_admin, shortlisted=True)
    assert Proposal.objects.get(pk=letter.pk).shortlist == ""


def test_only_submitted_letters_are_shortlisted(letter, programme_admin, letter_call):
    pass_letter_deadline(letter_call)
    with pytest.raises(TransitionNotAllowed, match="Only a submitted letter"):
        services.shortlist_letter(proposal=letter, by=programme_admin, shortlisted=True)


def test_only_administrators_shortlist(api_as, letter, pi, partner_admin, letter_call):
    services.submit_proposal(proposal=letter, by=pi)
    pass_letter_deadline(letter_call)
    with pytest.raises(NotAllowed):
        services.shortlist_letter(proposal=letter, by=partner_admin, shortlisted=True)
    response = api_as(partner_admin).post(f"/api/v1/proposals/{letter.pk}/shortlist/", {"shortlisted": True})
    assert response.status_code == 403
    assert Proposal.objects.get(pk=letter.pk).shortlist == ""


def test_a_shortlisted_letter_becomes_a_full_draft_that_can_be_submitted(
    letter, pi, programme_admin, letter_call, django_capture_on_commit_callbacks
):
    TeamMemberFactory(proposal=letter)
    services.submit_proposal(proposal=letter, by=pi)
    pass_letter_deadline(letter_call)

    with django_capture_on_commit_callbacks(execute=True):
        services.shortlist_letter(proposal=letter, by=programme_admin, shortlisted=True, reason="Strong science")
    letter.refresh_from_db()
    assert (letter.shortlist, letter.stage, letter.status) == ("shortlisted", "full", "draft")
    assert letter.deadline == letter_call.deadline
    assert {address for message in mail.outbox for address in message.to} == {
        pi.email,
        letter.team.get().email,
    }
    assert last_email_to(pi.email).subject == f"{letter.reference}: your letter of intent is shortlisted"
    event = AuditEvent.objects.get(action="proposal.shortlisted")
    assert (event.from_state, event.to_state, event.reason) == ("pending", "shortlisted", "Strong science")

    with pytest.raises(ValidationError) as incomplete:
        services.submit_proposal(proposal=letter, by=pi)
    assert "mass_kg" in incomplete.value.message_dict

    services.update_proposal(proposal=letter, by=pi, data=FULL_PROPOSAL_FIELDS)
    version = services.submit_proposal(proposal=letter, by=pi)
    assert (version.number, version.stage) == (2, "full")
    assert list(letter.versions.order_by("number").values_list("stage", flat=True)) == ["letter", "full"]


def test_a_team_not_shortlisted_cannot_submit_a_full_proposal(
    api_as, letter, pi, programme_admin, letter_call, django_capture_on_commit_callbacks
):
    services.submit_proposal(proposal=letter, by=pi)
    pass_letter_deadline(letter_call)
    with django_capture_on_commit_callbacks(execute=True):
        services.shortlist_letter(proposal=letter, by=programme_admin, shortlisted=False, reason="Out of scope")
    letter.refresh_from_db()
    assert (letter.shortlist, letter.stage, letter.status) == ("not_shortlisted", "letter", "submitted")
    assert "Out of scope" in last_email_to(pi.email).body

    response = api_as(pi).post(f"/api/v1/proposals/{letter.pk}/submit/")
    assert response.status_code == 409
    assert letter.versions.count() == 1


def test_a_full_stage_draft_without_a_shortlist_decision_cannot_be_submitted(api_as, letter, pi, letter_call):
    pass_letter_deadline(letter_call)
    Proposal.objects.filter(pk=letter.pk).update(stage=Proposal.Stage.FULL, **FULL_PROPOSAL_FIELDS)
    response = api_as(pi).post(f"/api/v1/proposals/{letter.pk}/submit/")
    assert response.status_code == 409
    assert response.json() == {"detail": "Only shortlisted teams can submit a full proposal."}
    assert not letter.versions.exists()


def test_after_the_letter_deadline_new_proposals_are_refused(client, api_as, letter_call, partner_member):
    pass_letter_deadline(letter_call)
    with pytest.raises(TransitionNotAllowed, match="letter-of-intent stage is over"):
        services.create_proposal(call=letter_call, by=partner_member, data={"title": "Too late"})

    response = api_as(partner_member).post(
        "/api/v1/proposals/", {"call": letter_call.pk, "title": "Too late"}, format="json"
    )
    assert response.status_code == 409

    client.force_login(partner_member)
    page = client.post(reverse("proposals:proposal_start", args=[letter_call.pk]), {"title": "Too late"}, follow=True)
    assert "letter-of-intent stage is over" in page.content.decode()
    assert not Proposal.objects.exists()


def test_after_the_letter_deadline_an_unsubmitted_letter_cannot_be_submitted(letter, pi, letter_call):
    named = when(pass_letter_deadline(letter_call), letter_call.time_zone)
    with pytest.raises(TransitionNotAllowed) as refusal:
        services.submit_proposal(proposal=letter, by=pi)
    assert named in refusal.value.message


def test_administrators_shortlist_from_the_submissions_page(client, letter, pi, programme_admin, letter_call):
    services.submit_proposal(proposal=letter, by=pi)
    submissions = reverse("proposals:call_submissions", args=[letter_call.pk])
    client.force_login(programme_admin)
    assert "Shortlist</button>" not in client.get(submissions).content.decode()

    pass_letter_deadline(letter_call)
    assert "Shortlist</button>" in client.get(submissions).content.decode()
    response = client.post(
        reverse("proposals:proposal_shortlist", args=[letter.pk]), {"decision": "shortlist", "next": submissions}
    )
    assert response.status_code == 302 and response["Location"] == submissions
    assert Proposal.objects.get(pk=letter.pk).shortlist == "shortlisted"


def test_the_call_page_invites_letters_while_the_letter_stage_runs(client, letter_call, partner_member):
    client.force_login(partner_member)
    page = client.get(reverse("proposals:call_detail", args=[letter_call.pk])).content.decode()
    assert "Send a letter of intent" in page
    assert "(shortlisted teams only)" in page
