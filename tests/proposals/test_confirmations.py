"""Irreversible steps are confirmed on a page that says what follows, and a button shows only when its action
would be carried out: the same predicate decides the button and the service."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.errors import TransitionNotAllowed
from proposals import permissions, services
from proposals.models import Call, Conflict, Decision, Proposal, ReviewAssignment
from tests.factories import ProposalFactory, ReviewAssignmentFactory, ReviewerProfileFactory
from tests.proposals.review_support import text


def page_of(response):
    return html.unescape(text(response))


@pytest.fixture
def pending(review_call, proposal, reviewer):
    return ReviewAssignmentFactory(proposal=proposal, reviewer=reviewer, status=ReviewAssignment.Status.PENDING)


def test_reviewer_reads_title_abstract_and_team_before_answering(client, pending, proposal, reviewer):
    client.force_login(reviewer)
    page = page_of(client.get(reverse("proposals:review_list")))
    assert proposal.title in page and proposal.abstract in page
    assert proposal.organisation.name in page
    assert reverse("proposals:review_edit", args=[pending.pk]) in page
    assert ">Accept</button>" in page


def test_on_a_dual_anonymous_call_the_preview_hides_the_team(client, pending, review_call, proposal, reviewer):
    Call.objects.filter(pk=review_call.pk).update(anonymity=Call.Anonymity.DUAL)
    client.force_login(reviewer)
    page = page_of(client.get(reverse("proposals:review_list")))
    assert proposal.abstract in page
    assert proposal.organisation.name not in page and proposal.principal_investigator.full_name not in page
    decline = page_of(client.get(reverse("proposals:assignment_decline", args=[pending.pk])))
    assert proposal.organisation.name not in decline


def test_declining_is_confirmed_with_a_reason_and_says_what_follows(client, pending, reviewer):
    client.force_login(reviewer)
    url = reverse("proposals:assignment_decline", args=[pending.pk])
    confirm = page_of(client.get(url))
    assert "The programme office is told at once" in confirm
    assert ReviewAssignment.objects.get(pk=pending.pk).status == ReviewAssignment.Status.PENDING
    empty = page_of(client.post(url, {"action": "decline", "reason": ""}))
    assert "Say why you decline." in empty
    assert ReviewAssignment.objects.get(pk=pending.pk).status == ReviewAssignment.Status.PENDING
    done = page_of(client.post(url, {"action": "decline", "reason": "Travelling all month."}, follow=True))
    assert "Declined." in done
    assert ReviewAssignment.objects.get(pk=pending.pk).status == ReviewAssignment.Status.DECLINED


def test_declaring_a_conflict_is_confirmed(client, pending, proposal, reviewer):
    client.force_login(reviewer)
    url = reverse("proposals:assignment_decline", args=[pending.pk]) + "?conflict=1"
    assert "will not be assigned to you again" in page_of(client.get(url))
    client.post(url, {"action": "conflict", "reason": "Former student of the PI."})
    assert Conflict.objects.get(proposal=proposal, reviewer=reviewer).kind == Conflict.Kind.DECLARED


def test_someone_elses_assignment_has_no_confirmation_page(client, pending, programme_admin):
    other = ReviewAssignmentFactory(proposal=pending.proposal, status=ReviewAssignment.Status.PENDING)
    client.force_login(pending.reviewer)
    assert client.get(reverse("proposals:assignment_decline", args=[other.pk])).status_code == 404


def test_a_decided_proposal_shows_no_withdraw_and_no_edit(client, review_call, proposal, pi, programme_admin):
    Decision.objects.create(
        proposal=proposal, outcome="not_selected", decided_by=programme_admin, released_at=timezone.now()
    )
    Call.objects.filter(pk=review_call.pk).update(status=Call.Status.DECIDED)
    client.force_login(pi)
    page = page_of(client.get(reverse("proposals:proposal_detail", args=[proposal.pk])))
    assert "Outcome: Not selected" in page
    for absent in ("Withdraw", "Edit the draft", "Check and submit"):
        assert absent not in page
    assert not permissions.can_withdraw_proposal(pi, proposal)
    with pytest.raises(TransitionNotAllowed):
        services.withdraw_proposal(proposal=proposal, by=pi)


def test_a_draft_past_its_deadline_offers_no_edit_or_submit(client, call, proposal, pi):
    Call.objects.filter(pk=call.pk).update(deadline=timezone.now() - timedelta(hours=1))
    proposal.refresh_from_db()
    client.force_login(pi)
    page = page_of(client.get(reverse("proposals:proposal_detail", args=[proposal.pk])))
    assert "Edit the draft" not in page and "Check and submit" not in page
    assert not permissions.can_submit_proposal(pi, proposal)
    with pytest.raises(TransitionNotAllowed, match="has passed"):
        services.submit_proposal(proposal=proposal, by=pi)


def test_a_submitted_proposal_before_its_deadline_offers_withdraw_only_to_its_editors(
    client, proposal, pi, partner_member, programme_admin
):
    services.submit_proposal(proposal=proposal, by=pi)
    proposal.refresh_from_db()
    withdraw = reverse("proposals:proposal_withdraw", args=[proposal.pk])
    client.force_login(pi)
    assert withdraw in text(client.get(reverse("proposals:proposal_detail", args=[proposal.pk])))
    client.force_login(programme_admin)
    assert withdraw not in text(client.get(reverse("proposals:proposal_detail", args=[proposal.pk])))
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.SUBMITTED


def test_lifting_a_conflict_is_confirmed_before_it_is_recorded(client, review_call, proposal, programme_admin):
    colleague = ReviewerProfileFactory(affiliation=proposal.organisation).user
    client.force_login(programme_admin)
    url = reverse("proposals:call_review", args=[review_call.pk])
    form = {"action": "lift_conflict", "proposal": proposal.pk, "reviewer": colleague.pk, "reason": "Other lab."}
    confirm = page_of(client.post(url, form))
    assert "may then be assigned to review" in confirm
    assert not Conflict.objects.exists()
    client.post(url, {**form, "confirmed": "1"})
    assert Conflict.objects.get(proposal=proposal, reviewer=colleague).kind == Conflict.Kind.LIFTED


def test_the_proposal_list_shows_the_outcome_column_only_once_released(
    client, review_call, proposal, pi, programme_admin
):
    decision = Decision.objects.create(proposal=proposal, outcome="selected", decided_by=programme_admin)
    client.force_login(pi)
    url = reverse("proposals:proposal_list")
    assert "Outcome" not in page_of(client.get(url))
    decision.released_at = timezone.now()
    decision.save()
    page = page_of(client.get(url))
    assert ">Outcome</th>" in page and "Selected</a>" in page


def test_the_proposal_list_sorts_by_its_columns(client, call, organisation, pi):
    for title in ("Beta probe", "Alpha camera", "Gamma drill"):
        ProposalFactory(call=call, organisation=organisation, principal_investigator=pi, title=title)
    client.force_login(pi)
    url = reverse("proposals:proposal_list")
    page = page_of(client.get(url, {"sort": "title"}))
    assert page.index("Alpha camera") < page.index("Beta probe") < page.index("Gamma drill")
    assert 'aria-sort="ascending"' in page and "?sort=-title" in page
    page = page_of(client.get(url, {"sort": "-title"}))
    assert page.index("Gamma drill") < page.index("Beta probe") < page.index("Alpha camera")
    assert client.get(url, {"sort": "nonsense"}).status_code == 200
