"""Releasing decisions is confirmed and guarded: counts per outcome, refused without the reviews the call requires
unless an administrator gives a reason (audited), open assignments closed after release; the API answers alike."""

import html

import pytest
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.errors import TransitionNotAllowed
from proposals import calls
from proposals.models import Call, Decision, ReviewAssignment
from proposals.review import services as review_services
from tests.factories import ReviewAssignmentFactory
from tests.proposals.review_support import grades, new_reviewer, submitted_proposal, submitted_review, text


def page_of(response):
    return html.unescape(text(response))


@pytest.fixture
def short_call(review_call, proposal, programme_admin):
    """Two proposals decided: the first with three submitted reviews, the second with one (the call asks three),
    and a reviewer who has not yet answered on the second."""
    second = submitted_proposal(review_call, title="Lunar seismometer")
    for name in ("Ana", "Ben", "Cai"):
        submitted_review(proposal, new_reviewer(f"{name} Reviewer"), grades(4, 4, 4))
    submitted_review(second, new_reviewer("Dee Reviewer"), grades(3, 3, 3))
    waiting = ReviewAssignmentFactory(proposal=second, reviewer=new_reviewer("Eve Late"), status="pending")
    review_services.decide(proposal=proposal, by=programme_admin, outcome=Decision.Outcome.SELECTED)
    review_services.decide(proposal=second, by=programme_admin, outcome=Decision.Outcome.NOT_SELECTED)
    return {"complete": proposal, "short": second, "waiting": waiting}


def test_the_confirmation_says_how_many_teams_get_each_outcome_and_what_they_receive(
    client, short_call, review_call, programme_admin
):
    client.force_login(programme_admin)
    page = page_of(client.get(reverse("proposals:release_confirm", args=[review_call.pk])))
    assert "1 team is told: Selected" in page
    assert "0 teams are told: Selectable (waiting list)" in page
    assert "1 team is told: Not selected" in page
    assert "the reviewers' strengths and weaknesses" in page
    assert "1 review assignment still open on this call closes" in page
    assert f"{short_call['short'].reference} — 1 review" in page
    review_call.refresh_from_db()
    assert review_call.status == Call.Status.UNDER_REVIEW


def test_release_is_refused_while_a_proposal_lacks_reviews(client, short_call, review_call, programme_admin):
    client.force_login(programme_admin)
    response = client.post(reverse("proposals:release_confirm", args=[review_call.pk]), {"override_reason": "  "})
    assert "1 proposal has fewer submitted reviews than the 3 the call requires" in page_of(response)
    review_call.refresh_from_db()
    assert review_call.status == Call.Status.UNDER_REVIEW
    assert not Decision.objects.filter(released_at__isnull=False).exists()
    with pytest.raises(TransitionNotAllowed, match=short_call["short"].reference):
        calls.release_decisions(call=review_call, by=programme_admin)


def test_an_override_with_a_reason_releases_and_is_audited_and_closes_open_assignments(
    client, short_call, review_call, programme_admin
):
    client.force_login(programme_admin)
    response = client.post(
        reverse("proposals:release_confirm", args=[review_call.pk]),
        {"override_reason": "The panel discussed it in person."},
        follow=True,
    )
    assert "Decisions released; every team has been emailed." in page_of(response)
    review_call.refresh_from_db()
    assert review_call.status == Call.Status.DECIDED
    [event] = AuditEvent.objects.filter(action="call.release_override")
    assert event.actor == programme_admin and event.reason == "The panel discussed it in person."
    assert event.data["short_of_reviews"] == {short_call["short"].reference: 1}
    waiting = ReviewAssignment.objects.get(pk=short_call["waiting"].pk)
    assert waiting.status == ReviewAssignment.Status.CLOSED


def test_after_release_a_reviewer_sees_no_accept_button_and_cannot_accept(
    client, short_call, review_call, programme_admin
):
    calls.release_decisions(call=review_call, by=programme_admin, override_reason="Enough.")
    waiting = short_call["waiting"]
    client.force_login(waiting.reviewer)
    page = page_of(client.get(reverse("proposals:review_list")))
    assert short_call["short"].title in page
    assert ">Accept</button>" not in page
    response = client.post(
        reverse("proposals:assignment_respond", args=[waiting.pk]), {"action": "accept"}, follow=True
    )
    assert "The call's review is over: this assignment is closed." in page_of(response)
    assert ReviewAssignment.objects.get(pk=waiting.pk).status == ReviewAssignment.Status.CLOSED


def test_recording_a_decision_with_too_few_reviews_warns(client, review_call, proposal, programme_admin):
    client.force_login(programme_admin)
    response = client.post(
        reverse("proposals:call_ranking", args=[review_call.pk]),
        {"proposal": proposal.pk, "outcome": "selected"},
        follow=True,
    )
    page = page_of(response)
    assert f"Decision recorded for {proposal.reference}." in page
    assert f"{proposal.reference} has 0 of the 3 submitted reviews the call requires." in page


def test_the_api_refuses_release_with_409_unless_override_and_reason(api_as, short_call, review_call, programme_admin):
    client = api_as(programme_admin)
    url = f"/api/v1/calls/{review_call.pk}/release-decisions/"
    refused = client.post(url, {}, format="json")
    assert refused.status_code == 409
    assert "fewer submitted reviews than the 3 the call requires" in refused.json()["detail"]
    no_reason = client.post(url, {"override": True, "reason": " "}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    reason_only = client.post(url, {"reason": "Quietly."}, format="json")
    assert reason_only.status_code == 409
    released = client.post(url, {"override": True, "reason": "Panel met."}, format="json")
    assert released.status_code == 200 and released.json()["status"] == "decided"
    assert AuditEvent.objects.get(action="call.release_override").reason == "Panel met."


def test_the_api_decision_warns_like_the_page(api_as, review_call, proposal, programme_admin):
    response = api_as(programme_admin).put(
        f"/api/v1/proposals/{proposal.pk}/decision/", {"outcome": "selected"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["warning"] == f"{proposal.reference} has 0 of the 3 submitted reviews the call requires."


def test_only_administrators_reach_the_release_confirmation(client, review_call, pi, reviewer):
    for person in (pi, reviewer):
        client.force_login(person)
        assert client.get(reverse("proposals:release_confirm", args=[review_call.pk])).status_code == 404
