"""The signed-in home page: each person's work, one section per role, in a fixed number of queries."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import Membership
from proposals import calls, services
from proposals.models import Call, Decision, Proposal, ReviewAssignment
from proposals.review import services as review_services
from tests.factories import (
    CallFactory,
    InvitationFactory,
    MembershipFactory,
    ProposalFactory,
    RegistrationFactory,
    ReviewAssignmentFactory,
)
from tests.proposals.review_support import new_reviewer, submitted_proposal, submitted_review, text

HOME = reverse("accounts:home")


def home(client):
    response = client.get(HOME)
    assert response.status_code == 200
    return html.unescape(text(response))


def test_partner_member_sees_open_calls_and_each_proposal_with_its_next_step(client, call, proposal, pi):
    incomplete = ProposalFactory(
        call=call, organisation=proposal.organisation, principal_investigator=pi, title="Half-written seismometer"
    )
    Proposal.objects.filter(pk=incomplete.pk).update(abstract="", schedule="")
    services.submit_proposal(proposal=proposal, by=pi)
    client.force_login(pi)
    page = home(client)
    assert call.title in page
    assert reverse("proposals:call_detail", args=[call.pk]) in page
    assert "Continue your proposal" in page
    assert "2 fields still missing" in page
    assert reverse("proposals:proposal_edit", args=[incomplete.pk]) in page
    assert "Submitted — you can still change it until" in page
    assert "version 1" in page


def test_a_call_the_organisation_is_not_eligible_for_is_not_offered(client, pi):
    CallFactory(title="Universities only", eligible_kinds=["university"])
    client.force_login(pi)
    page = home(client)
    assert "Universities only" not in page
    assert "No call is open to your organisation now." in page


def test_released_outcome_shows_on_the_home_page(client, review_call, proposal, pi, programme_admin):
    Decision.objects.create(proposal=proposal, outcome=Decision.Outcome.SELECTED, decided_by=programme_admin)
    client.force_login(pi)
    assert "Decision released" not in home(client)
    Decision.objects.filter(proposal=proposal).update(released_at=timezone.now())
    page = home(client)
    assert "Decision released: Selected" in page


def test_partner_admin_sees_people_and_open_invitations(client, organisation):
    admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user
    InvitationFactory(organisation=organisation, email="newcomer@south-lunar.example.org")
    client.force_login(admin)
    page = home(client)
    assert "newcomer@south-lunar.example.org" in page
    assert "1 person in the portal" in page


def test_reviewer_sees_assignments_to_answer_and_reviews_to_write_overdue_first(client, review_call, proposal):
    reviewer = new_reviewer("Rita Reviewer")
    pending = ReviewAssignmentFactory(proposal=proposal, reviewer=reviewer, status=ReviewAssignment.Status.PENDING)
    other = submitted_proposal(review_call, title="Late dust counter")
    ReviewAssignmentFactory(proposal=other, reviewer=reviewer, status=ReviewAssignment.Status.ACCEPTED)
    client.force_login(reviewer)
    page = home(client)
    assert "Read the abstract, then accept or decline" in page
    assert reverse("proposals:review_edit", args=[pending.pk]) in page
    assert "Write the review" in page
    Call.objects.filter(pk=review_call.pk).update(review_deadline=timezone.now() - timedelta(days=1))
    assert "Overdue" in home(client)


def test_administrator_sees_queues_with_the_next_step_of_each_call(client, programme_admin, review_call, proposal):
    RegistrationFactory(name="Kenya Lunar Lab", queued_at=timezone.now() - timedelta(days=3))
    CallFactory(title="Draft relay call", status="draft")
    client.force_login(programme_admin)
    page = home(client)
    assert "Kenya Lunar Lab" in page
    assert "Waiting for 3" in page
    assert "Open the call" in page
    assert "Assign reviewers: 0 of 3 places filled" in page
    assert "No call has every proposal decided yet." in page
    Call.objects.filter(pk=review_call.pk).update(reviewers_per_proposal=1)
    for name in ("A", "B"):
        submitted_review(proposal, new_reviewer(f"Reviewer {name}"), {})
    Decision.objects.create(proposal=proposal, outcome=Decision.Outcome.SELECTED, decided_by=programme_admin)
    page = home(client)
    assert reverse("proposals:release_confirm", args=[review_call.pk]) in page
    assert "Check what each team will receive, then release" in page


def test_a_person_with_several_roles_sees_each_section(client, organisation, programme_admin):
    MembershipFactory(user=programme_admin, organisation=organisation)
    programme_admin.is_reviewer = True
    programme_admin.save()
    client.force_login(programme_admin)
    page = home(client)
    for heading in ("Programme administration", "Reviewing", organisation.name):
        assert heading in page


def test_empty_states_say_what_to_do_next(client, pi, reviewer):
    Call.objects.all().delete()
    client.force_login(pi)
    assert "No proposal yet. Start one from an open call below" in home(client)
    client.force_login(reviewer)
    assert "No assignment is waiting for your answer." in home(client)


def _many_rows(call, organisation, pi, admin):
    for n in range(12):
        CallFactory(title=f"Open call {n}")
        CallFactory(title=f"Draft call {n}", status="draft")
        ProposalFactory(call=call, organisation=organisation, principal_investigator=pi)
        RegistrationFactory()
        InvitationFactory(organisation=organisation)
    reviewer = new_reviewer("Busy Reviewer")
    review = CallFactory(title="In review", status="under_review", review_deadline=timezone.now() + timedelta(days=3))
    for _n in range(12):
        ReviewAssignmentFactory(proposal=submitted_proposal(review), reviewer=reviewer, status="pending")
    return reviewer


@pytest.mark.parametrize("role", ["partner_admin", "reviewer", "admin"])
def test_home_page_runs_a_fixed_number_of_queries(
    client, call, organisation, pi, programme_admin, role, django_assert_max_num_queries
):
    Membership.objects.filter(user=pi).update(role=Membership.Role.ADMIN)
    reviewer = _many_rows(call, organisation, pi, programme_admin)
    person = {"partner_admin": pi, "reviewer": reviewer, "admin": programme_admin}[role]
    client.force_login(person)
    with django_assert_max_num_queries(13):
        response = client.get(HOME)
    assert response.status_code == 200


def test_after_release_a_reviewer_no_longer_sees_the_assignment_on_the_home_page(
    client, review_call, proposal, programme_admin
):
    reviewer = new_reviewer("Slow Reviewer")
    ReviewAssignmentFactory(proposal=proposal, reviewer=reviewer)
    review_services.decide(proposal=proposal, by=programme_admin, outcome=Decision.Outcome.NOT_SELECTED)
    calls.release_decisions(call=review_call, by=programme_admin, override_reason="Panel met in person.")
    client.force_login(reviewer)
    page = home(client)
    assert proposal.title not in page
