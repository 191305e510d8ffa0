"""Assigning reviewers: the automatic run, adjustments by hand, reviewers accepting or declining, the emails."""

from collections import Counter

import pytest
from django.core import mail
from django.urls import reverse

from portal.errors import DomainError, NotAllowed, TransitionNotAllowed
from portal.notifications.models import Notification
from proposals.models import Call, ReviewAssignment
from proposals.review import affinity
from proposals.review import services as review_services
from tests.factories import ProposalFactory, ReviewAssignmentFactory, ReviewerProfileFactory, ReviewFactory, UserFactory
from tests.helpers import last_email_to, links_in, path_of, sign_in
from tests.proposals.review_support import accepted, audit_rows, new_reviewer, submitted_proposal, text


@pytest.fixture
def three_proposals(review_call, proposal):
    """`proposal` and two more submitted proposals from other (South African) organisations."""
    return [proposal, submitted_proposal(review_call, title="Lunar seismometer"), submitted_proposal(review_call)]


@pytest.fixture
def four_reviewers(reviewer):
    """Four external reviewers from Germany, three proposals each at most."""
    others = [new_reviewer(name, max_load_per_call=3) for name in ("Otto Other", "Uma Umbra", "Vera Vega")]
    reviewer.reviewer_profile.max_load_per_call = 3
    reviewer.reviewer_profile.save()
    return [reviewer, *others]


def _pairs():
    return Counter(ReviewAssignment.objects.values_list("proposal", "reviewer"))


def test_the_automatic_run_gives_every_proposal_its_reviewers_within_their_loads(
    review_call, three_proposals, four_reviewers, programme_admin, django_capture_on_commit_callbacks
):
    affinity.compute_call_affinity(call=review_call)  # as the task does when the call closes
    with django_capture_on_commit_callbacks(execute=True):
        result = review_services.assign_reviewers(call=review_call, by=programme_admin)

    assert result.shortfalls == []
    assignments = ReviewAssignment.objects.all()
    per_proposal = Counter(a.proposal_id for a in assignments)
    assert per_proposal == {p.pk: 3 for p in three_proposals}
    assert all(count == 1 for count in _pairs().values()), "nobody reviews a proposal twice"
    assert sorted(Counter(a.reviewer_id for a in assignments).values()) == [2, 2, 2, 3]
    assert {a.status for a in assignments} == {ReviewAssignment.Status.PENDING}
    # Rita's keywords (regolith, dust) are words of the first proposal's title: she gets it.
    assert assignments.filter(proposal=three_proposals[0], reviewer=four_reviewers[0]).exists()

    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        r.email for r in four_reviewers
    ), "each assigned reviewer is emailed once"
    [event] = audit_rows("call.reviewers_assigned")
    assert (event.actor, event.data["assigned"], event.data["short"]) == (programme_admin, 9, {})


def test_a_second_run_adds_nothing_when_every_slot_is_filled(
    review_call, three_proposals, four_reviewers, programme_admin
):
    review_services.assign_reviewers(call=review_call, by=programme_admin)
    before = _pairs()
    again = review_services.assign_reviewers(call=review_call, by=programme_admin)
    assert again.pairs == [] and _pairs() == before


def test_loads_already_held_in_the_call_count_against_the_cap(review_call, three_proposals, programme_admin):
    busy = new_reviewer("Bea Busy", max_load_per_call=2)
    accepted(three_proposals[1], busy)
    free = new_reviewer("Fred Free", max_load_per_call=1)
    review_services.assign_reviewers(call=review_call, by=programme_admin)
    assert ReviewAssignment.objects.filter(reviewer=busy).count() == 2
    assert ReviewAssignment.objects.filter(reviewer=free).count() == 1


def test_too_few_eligible_reviewers_are_reported_per_proposal(
    client, review_call, proposal, reviewer, conflicted_reviewer, programme_admin
):
    """k = 3. The first proposal has two eligible reviewers (Carl is conflicted), the second all three."""
    other = submitted_proposal(review_call, title="Lunar seismometer")
    new_reviewer("Otto Other")
    client.force_login(programme_admin)
    response = client.post(reverse("proposals:call_review", args=[review_call.pk]), {"action": "assign"}, follow=True)

    page = text(response)
    assert "5 assignments made" in page
    assert f"{proposal.reference} still lacks 1 reviewer(s): 2 eligible reviewers in all." in page
    assert f"{other.reference} still lacks" not in page
    assert not ReviewAssignment.objects.filter(reviewer=conflicted_reviewer, proposal=proposal).exists()
    assert ReviewAssignment.objects.filter(proposal=other).count() == 3
    [event] = audit_rows("call.reviewers_assigned")
    assert event.data["short"] == {proposal.reference: 1}


@pytest.mark.parametrize("status", [Call.Status.OPEN, Call.Status.CLOSED, Call.Status.DECIDED])
def test_reviewers_are_assigned_only_while_the_call_is_under_review(
    client, review_call, proposal, reviewer, programme_admin, status
):
    Call.objects.filter(pk=review_call.pk).update(status=status)
    with pytest.raises(TransitionNotAllowed, match="Reviewers are assigned once the call is under review."):
        review_services.assign_reviewers(call=review_call, by=programme_admin)
    with pytest.raises(TransitionNotAllowed, match="Reviewers are assigned once the call is under review."):
        review_services.add_assignment(proposal=proposal, reviewer=reviewer, by=programme_admin)
    client.force_login(programme_admin)
    response = client.post(reverse("proposals:call_review", args=[review_call.pk]), {"action": "assign"}, follow=True)
    assert "Reviewers are assigned once the call is under review." in text(response)
    assert not ReviewAssignment.objects.exists()


def test_a_closed_call_goes_to_review_once(client, review_call, programme_admin):
    Call.objects.filter(pk=review_call.pk).update(status=Call.Status.CLOSED)
    client.force_login(programme_admin)
    url = reverse("proposals:call_review", args=[review_call.pk])
    assert "Start the review" in text(client.get(url))
    started = client.post(url, {"action": "start"}, follow=True)
    assert "The call is under review." in text(started) and "Assign reviewers automatically" in text(started)
    review_call.refresh_from_db()
    assert review_call.status == Call.Status.UNDER_REVIEW
    [event] = audit_rows("call.review_started")
    assert (event.actor, event.from_state, event.to_state) == (programme_admin, "closed", "under_review")
    again = client.post(url, {"action": "start"}, follow=True)
    assert "Only a closed call can go to review." in text(again)


def test_only_administrators_assign(review_call, proposal, reviewer):
    with pytest.raises(NotAllowed):
        review_services.assign_reviewers(call=review_call, by=reviewer)
    with pytest.raises(NotAllowed):
        review_services.add_assignment(proposal=proposal, reviewer=reviewer, by=reviewer)
    assert not ReviewAssignment.objects.exists()


# By hand ------------------------------------------------------------------------------------------


def test_an_administrator_adds_a_reviewer_by_hand_and_the_reviewer_is_emailed(
    client, review_call, proposal, reviewer, programme_admin, django_capture_on_commit_callbacks
):
    affinity.compute_call_affinity(call=review_call)
    client.force_login(programme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("proposals:call_review", args=[review_call.pk]),
            {"action": "add", "proposal": proposal.pk, "reviewer": reviewer.pk},
            follow=True,
        )
    assert "Reviewer added." in text(response)
    assignment = ReviewAssignment.objects.get()
    assert (assignment.proposal, assignment.reviewer) == (proposal, reviewer)
    # One shared area (10) and the stored affinity of Rita's keywords with the proposal's words.
    assert assignment.match == assignment.reasons["match"] > 10
    assert assignment.reasons["areas"] == ["payloads"] and assignment.reasons["rank"] == 1
    assert {"regolith", "dust"} <= set(assignment.reasons["terms"])
    assert audit_rows("assignment.added")[0].data == {"reviewer": reviewer.email}

    email = last_email_to(reviewer.email)
    assert email.subject == "Review assignments: Chang'e-8 international payloads"
    [link] = [link for link in links_in(email) if "/reviews/" in link]
    client.force_login(reviewer)
    page = client.get(path_of(link))
    assert page.status_code == 200 and "Regolith dust analyser" in text(page) and "Accept" in text(page)


@pytest.mark.parametrize(("load", "held"), [(1, "1 proposal"), (2, "2 proposals")])
def test_a_reviewer_at_their_most_is_refused_by_hand_with_the_count_in_good_grammar(
    review_call, proposal, reviewer, programme_admin, load, held
):
    reviewer.reviewer_profile.max_load_per_call = load
    reviewer.reviewer_profile.save()
    for _n in range(load):
        accepted(submitted_proposal(review_call), reviewer)
    with pytest.raises(DomainError) as refused:
        review_services.add_assignment(proposal=proposal, reviewer=reviewer, by=programme_admin)
    assert refused.value.message == f"Rita Reviewer already has {held} in this call, the most they take."
    assert not ReviewAssignment.objects.filter(proposal=proposal).exists()


def test_the_same_reviewer_is_not_added_twice(assignment, proposal, reviewer, programme_admin):
    with pytest.raises(DomainError, match="This reviewer is already assigned to the proposal."):
        review_services.add_assignment(proposal=proposal, reviewer=reviewer, by=programme_admin)
    assert ReviewAssignment.objects.count() == 1


def test_someone_who_is_not_a_reviewer_is_not_added(review_call, proposal, programme_admin):
    with pytest.raises(DomainError, match="This person is not a reviewer."):
        review_services.add_assignment(proposal=proposal, reviewer=UserFactory(), by=programme_admin)


def test_a_proposal_that_is_not_in_review_gets_no_reviewer(review_call, organisation, reviewer, programme_admin):
    draft = ProposalFactory(call=review_call, organisation=organisation, title="Still a draft")
    with pytest.raises(TransitionNotAllowed, match="Only submitted full proposals are reviewed."):
        review_services.add_assignment(proposal=draft, reviewer=reviewer, by=programme_admin)
    assert not ReviewAssignment.objects.exists()


def test_an_assignment_is_taken_back_unless_its_review_is_submitted(
    client, review_call, assignment, proposal, programme_admin
):
    pending = ReviewAssignment.objects.create(proposal=proposal, reviewer=new_reviewer("Otto Other"))
    ReviewFactory(assignment=assignment)
    client.force_login(programme_admin)
    url = reverse("proposals:call_review", args=[review_call.pk])

    refused = client.post(url, {"action": "remove", "assignment": assignment.pk}, follow=True)
    assert "The review is already submitted; it cannot be taken back." in text(refused)
    assert ReviewAssignment.objects.filter(pk=assignment.pk).exists()

    removed = client.post(url, {"action": "remove", "assignment": pending.pk}, follow=True)
    assert "Assignment removed." in text(removed)
    assert not ReviewAssignment.objects.filter(pk=pending.pk).exists()
    assert audit_rows("assignment.removed")[0].data == {"reviewer": "otto.other@reviewers.example.org"}


# Accepting and declining -------------------------------------------------------------------------


@pytest.fixture
def pending(review_call, proposal, reviewer):
    return ReviewAssignment.objects.create(proposal=proposal, reviewer=reviewer)


def test_the_reviewer_accepts_once(client, pending, reviewer):
    client.force_login(reviewer)
    url = reverse("proposals:assignment_respond", args=[pending.pk])
    assert "Accepted." in text(client.post(url, {"action": "accept"}, follow=True))
    pending.refresh_from_db()
    assert pending.status == ReviewAssignment.Status.ACCEPTED and pending.responded_at is not None
    [event] = audit_rows("assignment.accepted")
    assert (event.actor, event.from_state, event.to_state) == (reviewer, "pending", "accepted")

    again = client.post(url, {"action": "decline", "reason": "Changed my mind."}, follow=True)
    assert "You have already answered this assignment." in text(again)
    assert ReviewAssignment.objects.get(pk=pending.pk).status == ReviewAssignment.Status.ACCEPTED


def test_declining_needs_a_reason(client, pending, reviewer):
    client.force_login(reviewer)
    url = reverse("proposals:assignment_respond", args=[pending.pk])
    refused = client.post(url, {"action": "decline", "reason": ""}, follow=True)
    assert "Say why you decline." in text(refused)
    assert ReviewAssignment.objects.get(pk=pending.pk).status == ReviewAssignment.Status.PENDING

    assert "Declined." in text(client.post(url, {"action": "decline", "reason": "On leave in May."}, follow=True))
    pending.refresh_from_db()
    assert (pending.status, pending.decline_reason) == (ReviewAssignment.Status.DECLINED, "On leave in May.")
    assert audit_rows("assignment.declined")[0].reason == "On leave in May."


@pytest.mark.parametrize("action", ["maybe", "", None])
def test_an_unknown_answer_is_refused_not_taken_for_a_decline(client, pending, reviewer, action):
    client.force_login(reviewer)
    form = {"reason": "Busy in May."} if action is None else {"action": action, "reason": "Busy in May."}
    response = client.post(reverse("proposals:assignment_respond", args=[pending.pk]), form, follow=True)
    assert response.status_code == 200
    page = text(response)
    assert "Choose to accept, to decline or to declare a conflict." in page and "Declined." not in page
    pending.refresh_from_db()
    assert (pending.status, pending.decline_reason) == (ReviewAssignment.Status.PENDING, "")
    assert not audit_rows("assignment.declined")


def test_a_reviewer_who_declined_no_longer_reads_the_proposal(client, pending, reviewer):
    client.force_login(reviewer)
    url = reverse("proposals:review_edit", args=[pending.pk])
    assert "Measures the regolith." in text(client.get(url)), "a pending reviewer reads it to decide"
    client.post(reverse("proposals:assignment_respond", args=[pending.pk]), {"action": "decline", "reason": "Busy."})
    assert client.get(url).status_code == 404
    assert "Write the review" not in text(client.get(reverse("proposals:review_list")))


def test_nobody_answers_someone_elses_assignment(pending):
    with pytest.raises(NotAllowed, match="This assignment is someone else's."):
        review_services.respond_to_assignment(assignment=pending, by=new_reviewer("Otto Other"), accept=True)
    assert ReviewAssignment.objects.get(pk=pending.pk).status == ReviewAssignment.Status.PENDING


def test_a_declined_slot_is_filled_by_another_reviewer_on_the_next_run(
    review_call, proposal, reviewer, programme_admin, django_capture_on_commit_callbacks
):
    Call.objects.filter(pk=review_call.pk).update(reviewers_per_proposal=1)
    review_call.refresh_from_db()
    review_services.assign_reviewers(call=review_call, by=programme_admin)
    first = ReviewAssignment.objects.get()
    assert first.reviewer == reviewer
    review_services.respond_to_assignment(assignment=first, by=reviewer, accept=False, reason="Too busy.")

    stand_in = new_reviewer("Otto Other")
    with django_capture_on_commit_callbacks(execute=True):
        result = review_services.assign_reviewers(call=review_call, by=programme_admin)
    assert [(p, profile.user) for p, profile, _m in result.pairs] == [(proposal, stand_in)]
    assert sorted(ReviewAssignment.objects.values_list("reviewer__email", "status")) == [
        ("otto.other@reviewers.example.org", "pending"),
        ("rita@reviewers.example.org", "declined"),
    ]
    assert [message.to for message in mail.outbox] == [[stand_in.email]]


# Inviting reviewers ------------------------------------------------------------------------------


INVITE = {
    "email": "new.expert@example.org",
    "full_name": "Nia Expert",
    "expertise_areas": ["payloads"],
    "keywords": "seismology",
    "external_affiliation": "Seismic Lab",
    "country": "KE",
    "max_load_per_call": "4",
}


def test_an_invited_reviewer_sets_a_password_and_finds_their_reviews(
    client, programme_admin, django_capture_on_commit_callbacks
):
    client.force_login(programme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("proposals:reviewer_list"), INVITE, follow=True)
    assert "new.expert@example.org is now a reviewer and has been emailed." in text(response)
    assert "Nia Expert" in text(response) and "Seismic Lab (Kenya)" in text(response)
    assert audit_rows("reviewer.invited")[0].data == {"new_account": True}

    client.logout()
    email = last_email_to("new.expert@example.org")
    assert email.subject == "You are invited to review for the ILRS programme"
    [set_password] = [path_of(link) for link in links_in(email) if "/set-password/" in link]
    [reviews] = [path_of(link) for link in links_in(email) if "/reviews/" in link]
    form_page = client.get(set_password, follow=True)
    assert form_page.context["validlink"]
    new_password = {"new_password1": "Regolith-2026-ok", "new_password2": "Regolith-2026-ok"}
    assert client.post(form_page.redirect_chain[-1][0], new_password).status_code == 302
    assert sign_in(client, "new.expert@example.org", "Regolith-2026-ok")
    page = client.get(reviews)
    assert page.status_code == 200 and "No proposal is assigned to you yet." in text(page)


def test_an_invitation_beyond_the_largest_load_is_refused_and_keeps_what_was_typed(client, programme_admin):
    client.force_login(programme_admin)
    response = client.post(reverse("proposals:reviewer_list"), {**INVITE, "max_load_per_call": "80"})
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 50." in text(response)
    assert 'value="new.expert@example.org"' in text(response)
    assert not ReviewAssignment.objects.exists()
    assert not UserFactory._meta.model.objects.filter(email="new.expert@example.org").exists()


def test_a_review_written_before_a_conflict_was_found_leaves_its_slot_to_fill(
    review_call, proposal, assignment, programme_admin
):
    Call.objects.filter(pk=review_call.pk).update(reviewers_per_proposal=1)
    ReviewFactory(assignment=assignment)
    review_services.set_conflict(
        proposal=proposal, reviewer=assignment.reviewer, by=programme_admin, conflicted=True, reason="Co-author."
    )
    stand_in = ReviewerProfileFactory(user__full_name="Stand In").user
    result = review_services.assign_reviewers(call=review_call, by=programme_admin)
    assert [(p.pk, profile.user) for p, profile, _match in result.pairs] == [(proposal.pk, stand_in)]


def test_the_office_is_told_of_a_declined_slot_with_the_way_to_fill_it(
    review_call, proposal, reviewer, programme_admin
):
    pending = ReviewAssignmentFactory(proposal=proposal, reviewer=reviewer, status="pending")
    review_services.respond_to_assignment(assignment=pending, by=reviewer, accept=False, reason="On leave.")
    [notice] = Notification.objects.filter(user=programme_admin)
    assert proposal.reference in notice.message
    assert notice.link == reverse("proposals:call_review", args=[review_call.pk])
    assert not Notification.objects.filter(user=reviewer).exists()
