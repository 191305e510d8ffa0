"""Conflicts of interest: automatic by the call's rules, declared by reviewers, added or lifted by administrators.

A conflicted reviewer never sees the proposal, on any page; the data that could leak exists in every test.
"""

import pytest
from django.urls import reverse

from partners.models import Membership
from portal.errors import DomainError
from proposals.models import Call, Conflict, Proposal, ReviewAssignment
from proposals.review import conflicts
from proposals.review import selectors as review_selectors
from proposals.review import services as review_services
from tests.factories import MembershipFactory, OrganisationFactory, ReviewerProfileFactory, ReviewFactory
from tests.proposals.review_support import audit_rows, new_reviewer, text

SAME_ORGANISATION = "The reviewer belongs to the lead organisation or a team member's organisation."
SAME_COUNTRY = "The reviewer is from the same country as the team, which this call excludes."
TITLE = "Regolith dust analyser"


def _make_reviewer(user):
    user.is_reviewer = True
    user.save(update_fields=["is_reviewer"])
    ReviewerProfileFactory(user=user)
    return user


@pytest.fixture
def pi_as_reviewer(pi):
    return _make_reviewer(pi)


@pytest.fixture
def coinvestigator_as_reviewer(foreign_coinvestigator):
    return _make_reviewer(foreign_coinvestigator)


@pytest.fixture
def lead_member_reviewer(organisation):
    """A member of the lead organisation who also reviews (no affiliation set on the profile)."""
    user = MembershipFactory(
        organisation=organisation, role=Membership.Role.MEMBER, user__email="lindiwe@south-lunar.example.org"
    ).user
    return _make_reviewer(user)


@pytest.fixture
def team_organisation_reviewer(foreign_coinvestigator):
    """A reviewer affiliated with a co-investigator's organisation, not with the lead one."""
    return new_reviewer("Nadia Nile", affiliation=foreign_coinvestigator.organisation)


@pytest.fixture
def person(request, review_call, foreign_coinvestigator):
    return request.getfixturevalue(request.param)


CONFLICTED = {
    "pi_as_reviewer": "The reviewer is the principal investigator.",
    "coinvestigator_as_reviewer": "The reviewer is on the team.",
    "conflicted_reviewer": SAME_ORGANISATION,
    "lead_member_reviewer": SAME_ORGANISATION,
    "team_organisation_reviewer": SAME_ORGANISATION,
}


@pytest.mark.parametrize(("person", "reason"), CONFLICTED.items(), indirect=["person"])
def test_an_automatic_conflict_refuses_the_assignment_and_says_why(proposal, person, reason, programme_admin):
    with pytest.raises(DomainError) as refused:
        review_services.add_assignment(proposal=proposal, reviewer=person, by=programme_admin)
    assert refused.value.message == f"Conflict of interest: {reason}"
    assert not ReviewAssignment.objects.exists()


def test_the_automatic_assignment_passes_over_every_conflicted_reviewer(
    review_call,
    proposal,
    pi_as_reviewer,
    coinvestigator_as_reviewer,
    conflicted_reviewer,
    lead_member_reviewer,
    team_organisation_reviewer,
    reviewer,
    programme_admin,
):
    result = review_services.assign_reviewers(call=review_call, by=programme_admin)
    assert [(p, profile.user) for p, profile, _match in result.pairs] == [(proposal, reviewer)]
    assert list(ReviewAssignment.objects.values_list("reviewer", flat=True)) == [reviewer.pk]
    [shortfall] = result.shortfalls
    assert (shortfall.proposal, shortfall.missing, shortfall.eligible) == (proposal, 2, 1)


@pytest.fixture
def south_african(db):
    """An external reviewer whose profile says South Africa, the lead organisation's country."""
    return new_reviewer("Sipho South", country="ZA")


@pytest.fixture
def egyptian(foreign_coinvestigator):
    """An external reviewer from Egypt, the country of a co-investigator."""
    return new_reviewer("Omar Egypt", country="EG")


@pytest.fixture
def member_in_south_africa(db):
    """A reviewer whose own partner organisation (not on the team) is South African; the profile names no country."""
    user = MembershipFactory(organisation=OrganisationFactory(name="Karoo Observatory", country="ZA")).user
    user.is_reviewer = True
    user.save(update_fields=["is_reviewer"])
    ReviewerProfileFactory(user=user, country="")
    return user


@pytest.mark.parametrize("who", ["south_african", "egyptian", "member_in_south_africa"])
@pytest.mark.parametrize(
    ("policy", "conflicted"),
    [(Call.ConflictPolicy.ORGANISATION_AND_COUNTRY, True), (Call.ConflictPolicy.ORGANISATION, False)],
)
def test_a_reviewer_from_the_teams_country_is_conflicted_only_where_the_call_says_so(
    request, review_call, proposal, foreign_coinvestigator, programme_admin, who, policy, conflicted
):
    review_call.conflict_policy = policy
    review_call.save(update_fields=["conflict_policy"])
    proposal = Proposal.objects.get(pk=proposal.pk)
    person = request.getfixturevalue(who)
    if conflicted:
        with pytest.raises(DomainError, match=SAME_COUNTRY):
            review_services.add_assignment(proposal=proposal, reviewer=person, by=programme_admin)
        assert not ReviewAssignment.objects.exists()
    else:
        review_services.add_assignment(proposal=proposal, reviewer=person, by=programme_admin)
        assert ReviewAssignment.objects.get().reviewer == person


def test_a_reviewer_from_elsewhere_is_not_conflicted_even_by_country(review_call, proposal, reviewer):
    review_call.conflict_policy = Call.ConflictPolicy.ORGANISATION_AND_COUNTRY
    review_call.save(update_fields=["conflict_policy"])
    assert conflicts.conflict_reason(Proposal.objects.get(pk=proposal.pk), reviewer) == ""


# Declared by the reviewer -----------------------------------------------------------------------


def test_a_reviewer_declares_a_conflict_with_a_reason_and_loses_the_assignment(
    client, assignment, proposal, reviewer, programme_admin
):
    ReviewFactory(assignment=assignment, status="draft", submitted_at=None)
    client.force_login(reviewer)
    url = reverse("proposals:assignment_respond", args=[assignment.pk])

    refused = client.post(url, {"action": "conflict", "reason": "  "}, follow=True)
    assert "Say what the conflict is." in text(refused)
    assert ReviewAssignment.objects.filter(pk=assignment.pk).exists() and not Conflict.objects.exists()

    declared = client.post(url, {"action": "conflict", "reason": "I co-authored a paper with the PI."}, follow=True)
    assert "Conflict recorded; the proposal is no longer assigned to you." in text(declared)
    assert TITLE not in text(declared)
    assert not ReviewAssignment.objects.filter(pk=assignment.pk).exists()
    conflict = Conflict.objects.get()
    assert (conflict.kind, conflict.reviewer, conflict.reason) == (
        Conflict.Kind.DECLARED,
        reviewer,
        "I co-authored a paper with the PI.",
    )
    [event] = audit_rows("conflict.declared")
    assert (event.actor, event.object_id, event.reason) == (reviewer, str(proposal.pk), conflict.reason)

    # The automatic assignment does not bring the proposal back.
    review_services.assign_reviewers(call=proposal.call, by=programme_admin)
    assert not ReviewAssignment.objects.filter(reviewer=reviewer).exists()
    assert client.get(reverse("proposals:review_edit", args=[assignment.pk])).status_code == 404


# Added or lifted by an administrator -------------------------------------------------------------


def test_an_administrator_adds_a_conflict_only_with_a_reason_and_it_is_audited(
    client, assignment, proposal, reviewer, programme_admin
):
    client.force_login(programme_admin)
    url = reverse("proposals:call_review", args=[proposal.call_id])
    form = {"action": "add_conflict", "proposal": proposal.pk, "reviewer": reviewer.pk}

    refused = client.post(url, {**form, "reason": ""}, follow=True)
    assert "Give a reason." in text(refused)
    assert not Conflict.objects.exists() and ReviewAssignment.objects.filter(pk=assignment.pk).exists()

    added = client.post(url, {**form, "reason": "Shares a grant with the PI."}, follow=True)
    assert "Conflict updated." in text(added)
    assert not ReviewAssignment.objects.filter(pk=assignment.pk).exists()
    assert Conflict.objects.get().kind == Conflict.Kind.ADDED
    [event] = audit_rows("conflict.added")
    assert (event.actor, event.object_id, event.reason, event.data) == (
        programme_admin,
        str(proposal.pk),
        "Shares a grant with the PI.",
        {"reviewer": reviewer.email},
    )

    client.force_login(reviewer)
    assert TITLE not in text(client.get(reverse("proposals:review_list")))
    assert client.get(reverse("proposals:review_edit", args=[assignment.pk])).status_code == 404


def test_an_administrator_lifts_an_automatic_conflict_with_a_reason(
    review_call, proposal, conflicted_reviewer, programme_admin
):
    with pytest.raises(DomainError, match="Conflict of interest"):
        review_services.add_assignment(proposal=proposal, reviewer=conflicted_reviewer, by=programme_admin)
    with pytest.raises(DomainError, match="Give a reason."):
        review_services.set_conflict(
            proposal=proposal, reviewer=conflicted_reviewer, by=programme_admin, conflicted=False, reason=" "
        )

    review_services.set_conflict(
        proposal=proposal,
        reviewer=conflicted_reviewer,
        by=programme_admin,
        conflicted=False,
        reason="The affiliation ended in 2023.",
    )
    assignment = review_services.add_assignment(proposal=proposal, reviewer=conflicted_reviewer, by=programme_admin)
    assert assignment.reviewer == conflicted_reviewer
    [event] = audit_rows("conflict.lifted")
    assert (event.actor, event.reason) == (programme_admin, "The affiliation ended in 2023.")


def test_only_administrators_set_conflicts(review_call, proposal, reviewer, conflicted_reviewer):
    with pytest.raises(DomainError, match="Only programme administrators"):
        review_services.set_conflict(
            proposal=proposal, reviewer=conflicted_reviewer, by=reviewer, conflicted=False, reason="I say so."
        )
    assert not Conflict.objects.exists()


# What a conflicted reviewer sees -----------------------------------------------------------------


def test_a_conflict_added_after_the_review_was_submitted_hides_the_proposal_everywhere(
    client, assignment, proposal, reviewer, programme_admin
):
    ReviewFactory(assignment=assignment)
    client.force_login(reviewer)
    assert TITLE in text(client.get(reverse("proposals:review_list")))

    review_services.set_conflict(
        proposal=proposal, reviewer=reviewer, by=programme_admin, conflicted=True, reason="Undisclosed consultancy."
    )
    assert ReviewAssignment.objects.filter(pk=assignment.pk).exists(), "a submitted review is kept for the record"
    for name in ("proposals:review_list", "proposals:proposal_list", "accounts:home", "notifications:list"):
        response = client.get(reverse(name))
        assert response.status_code == 200 and TITLE not in text(response), name
    assert client.get(reverse("proposals:review_edit", args=[assignment.pk])).status_code == 404
    respond = client.post(reverse("proposals:assignment_respond", args=[assignment.pk]), {"action": "accept"})
    assert respond.status_code == 404
    assert client.get(reverse("proposals:proposal_detail", args=[proposal.pk])).status_code == 404


def test_the_review_progress_no_longer_counts_a_review_whose_reviewer_is_found_conflicted_later(
    client, assignment, proposal, reviewer, programme_admin
):
    ReviewFactory(assignment=assignment)
    before = review_selectors.review_progress(proposal.call)
    assert (before["assigned"], before["accepted"], before["submitted"]) == (1, 1, 1)

    review_services.set_conflict(
        proposal=proposal, reviewer=reviewer, by=programme_admin, conflicted=True, reason="Undisclosed consultancy."
    )
    after = review_selectors.review_progress(proposal.call)
    assert after == {"assigned": 0, "accepted": 0, "declined": 0, "submitted": 0, "overdue": 0}
    client.force_login(programme_admin)
    board = text(client.get(reverse("proposals:call_review", args=[proposal.call_id])))
    assert "conflict: the review no longer counts" in board, "the board keeps the assignment on record, marked"


def test_an_assigned_reviewer_still_cannot_open_the_proposal_page(client, assignment, proposal, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("proposals:review_edit", args=[assignment.pk])).status_code == 200
    assert client.get(reverse("proposals:proposal_detail", args=[proposal.pk])).status_code == 404


@pytest.mark.parametrize("who", ["other_reviewer", "other_partner_admin", "pi", "programme_admin"])
def test_nobody_but_the_assigned_reviewer_opens_an_assignment(request, client, assignment, who):
    person = new_reviewer("Otto Other") if who == "other_reviewer" else request.getfixturevalue(who)
    client.force_login(person)
    assert client.get(reverse("proposals:review_edit", args=[assignment.pk])).status_code == 404
    respond = client.post(reverse("proposals:assignment_respond", args=[assignment.pk]), {"action": "decline"})
    assert respond.status_code == 404
    assert TITLE not in text(client.get(reverse("proposals:review_list")))
