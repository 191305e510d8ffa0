"""The peer review API: reviewers, conflicts, assignments, reviews, ranking, decisions and their release."""

import json
from datetime import timedelta

from django.core import mail
from django.utils import timezone

from portal.audit.models import AuditEvent
from proposals import calls
from proposals.models import Call, Conflict, Decision, Review, ReviewAssignment
from proposals.review import services as review_services
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProposalFactory,
    ReviewAssignmentFactory,
    ReviewerProfileFactory,
    ReviewFactory,
)

FULL_REVIEW = {
    "scores": {"scientific_value": 5, "technical_feasibility": 4, "collaboration_diversity": 3},
    "strengths": "A new measurement of dust levitation.",
    "weaknesses": "The thermal margins are not shown.",
    "confidential_comment": "The team seems stretched.",
}


def _submitted_proposal(call, **kwargs):
    proposal = ProposalFactory(call=call, **kwargs)
    proposal.status, proposal.submitted_at = "submitted", timezone.now()
    proposal.save(update_fields=["status", "submitted_at"])
    return proposal


# Reviewers --------------------------------------------------------------------------------------


def test_an_administrator_invites_a_reviewer_who_is_emailed(
    api_as, programme_admin, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(programme_admin).post(
            "/api/v1/reviewers/",
            {
                "email": "yuki@jaxa.example.org",
                "full_name": "Yuki Tanaka",
                "expertise_areas": ["payloads", "scientific_objectives"],
                "keywords": "seismometer, regolith",
                "external_affiliation": "Kyoto University",
                "country": "JP",
                "max_load_per_call": 4,
            },
            format="json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["email"], body["full_name"], body["country"], body["max_load_per_call"]) == (
        "yuki@jaxa.example.org",
        "Yuki Tanaka",
        "JP",
        4,
    )
    assert [message.to for message in mail.outbox] == [["yuki@jaxa.example.org"]]
    listed = api_as(programme_admin).get("/api/v1/reviewers/").json()["results"]
    assert [reviewer["email"] for reviewer in listed] == ["yuki@jaxa.example.org"]


def test_a_reviewer_invitation_names_each_bad_field(api_as, programme_admin, db):
    response = api_as(programme_admin).post(
        "/api/v1/reviewers/",
        {"email": "not-an-email", "full_name": "", "expertise_areas": ["astrology"], "max_load_per_call": 0},
        format="json",
    )
    assert response.status_code == 400
    assert {"email", "full_name", "expertise_areas", "max_load_per_call"} <= set(response.json())


def test_only_administrators_see_the_reviewer_pool(api_as, partner_admin, reviewer, api_client):
    assert api_as(partner_admin).get("/api/v1/reviewers/").status_code == 403
    assert api_as(reviewer).get("/api/v1/reviewers/").status_code == 403
    api_client.force_authenticate(None)
    assert api_client.get("/api/v1/reviewers/").status_code in (401, 403)


def test_a_reviewer_keeps_their_expertise_up_to_date_but_not_their_technical_standing(api_as, reviewer):
    client = api_as(reviewer)
    response = client.patch("/api/v1/reviewers/me/", {"keywords": "seismology", "max_load_per_call": 3}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["keywords"], response.json()["max_load_per_call"]) == ("seismology", 3)
    refused = client.patch("/api/v1/reviewers/me/", {"is_technical": True}, format="json")
    assert refused.status_code == 400 and "is_technical" in refused.json()
    reviewer.reviewer_profile.refresh_from_db()
    assert not reviewer.reviewer_profile.is_technical
    assert AuditEvent.objects.filter(action="reviewer.profile_changed").count() == 1


# Conflicts ----------------------------------------------------------------------------------------


def test_the_conflict_list_shows_automatic_conflicts_and_an_administrator_lifts_one(
    api_as, programme_admin, review_call, proposal, reviewer, conflicted_reviewer
):
    client = api_as(programme_admin)
    rows = client.get(f"/api/v1/calls/{review_call.pk}/conflicts/").json()["results"]
    assert [(row["reviewer_name"], row["kind"], row["conflicted"]) for row in rows] == [
        ("Carl Conflicted", "automatic", True)
    ]
    response = client.post(
        f"/api/v1/calls/{review_call.pk}/conflicts/",
        {"proposal": proposal.pk, "reviewer": conflicted_reviewer.pk, "conflicted": False, "reason": "Left in 2019."},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert [(row["kind"], row["conflicted"]) for row in response.json()["results"]] == [("lifted", False)]
    assert AuditEvent.objects.filter(action="conflict.lifted", reason="Left in 2019.").exists()


def test_changing_a_conflict_needs_a_known_proposal_reviewer_and_reason(
    api_as, programme_admin, review_call, proposal, reviewer
):
    client = api_as(programme_admin)
    url = f"/api/v1/calls/{review_call.pk}/conflicts/"
    unknown = client.post(url, {"proposal": 999999, "reviewer": reviewer.pk, "conflicted": True, "reason": "x"})
    assert unknown.status_code == 400 and "proposal" in unknown.json()
    no_reason = client.post(url, {"proposal": proposal.pk, "reviewer": reviewer.pk, "conflicted": True, "reason": ""})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert not Conflict.objects.exists()


# Assignment ---------------------------------------------------------------------------------------


def test_the_automatic_assignment_fills_the_slots_and_names_the_shortfalls(
    api_as, programme_admin, review_call, proposal, conflicted_reviewer
):
    Call.objects.filter(pk=review_call.pk).update(reviewers_per_proposal=2)
    free = ReviewerProfileFactory(user__full_name="Free Reviewer").user
    response = api_as(programme_admin).post(f"/api/v1/calls/{review_call.pk}/assignments/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["assigned"] == 1
    assert body["shortfalls"] == [
        {"proposal": proposal.pk, "reference": proposal.reference, "missing": 1, "eligible": 1}
    ]
    assert list(ReviewAssignment.objects.values_list("reviewer", flat=True)) == [free.pk]
    listed = api_as(programme_admin).get(f"/api/v1/calls/{review_call.pk}/assignments/").json()["results"]
    assert [(row["reviewer_name"], row["status"]) for row in listed] == [("Free Reviewer", "pending")]


def test_the_automatic_assignment_waits_for_the_review_stage(api_as, programme_admin, call, proposal, reviewer):
    response = api_as(programme_admin).post(f"/api/v1/calls/{call.pk}/assignments/")
    assert response.status_code == 409
    assert not ReviewAssignment.objects.exists()


def test_a_manual_assignment_is_refused_for_a_conflicted_reviewer(
    api_as, programme_admin, review_call, proposal, conflicted_reviewer
):
    response = api_as(programme_admin).post(
        f"/api/v1/calls/{review_call.pk}/assignments/manual/",
        {"proposal": proposal.pk, "reviewer": conflicted_reviewer.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "Conflict of interest" in response.json()["reviewer"][0]
    assert not ReviewAssignment.objects.exists()


def test_an_administrator_swaps_a_reviewer_by_hand(api_as, programme_admin, assignment, review_call, proposal):
    client = api_as(programme_admin)
    other = ReviewerProfileFactory(user__full_name="Other Reviewer").user
    removed = client.delete(f"/api/v1/calls/{review_call.pk}/assignments/{assignment.pk}/")
    assert removed.status_code == 204
    added = client.post(
        f"/api/v1/calls/{review_call.pk}/assignments/manual/",
        {"proposal": proposal.pk, "reviewer": other.pk},
        format="json",
    )
    assert added.status_code == 201, added.content
    assert list(ReviewAssignment.objects.values_list("reviewer__full_name", flat=True)) == ["Other Reviewer"]


def test_partners_and_reviewers_cannot_run_the_assignment(api_as, partner_admin, reviewer, review_call):
    for user in (partner_admin, reviewer):
        assert api_as(user).post(f"/api/v1/calls/{review_call.pk}/assignments/").status_code == 403
        assert api_as(user).get(f"/api/v1/calls/{review_call.pk}/ranking/").status_code == 403
        assert api_as(user).get(f"/api/v1/calls/{review_call.pk}/conflicts/").status_code == 403


# A reviewer's assignments -----------------------------------------------------------------------


def test_a_reviewer_accepts_and_reads_the_submitted_version(api_as, review_call, proposal, reviewer):
    pending = ReviewAssignmentFactory(proposal=proposal, reviewer=reviewer, status="pending")
    proposal.abstract = "A later draft edit nobody submitted."
    proposal.save(update_fields=["abstract"])
    client = api_as(reviewer)
    assert [row["id"] for row in client.get("/api/v1/assignments/").json()["results"]] == [pending.pk]
    accepted = client.post(f"/api/v1/assignments/{pending.pk}/accept/")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    detail = client.get(f"/api/v1/assignments/{pending.pk}/").json()
    assert detail["proposal"]["version"] == 1
    assert detail["proposal"]["content"]["abstract"] == "Measures the regolith."
    assert detail["proposal"]["content"]["organisation"] == "South Lunar Institute"
    assert client.post(f"/api/v1/assignments/{pending.pk}/accept/").status_code == 409


def test_declining_needs_a_reason_and_frees_the_slot(api_as, programme_admin, review_call, proposal, reviewer):
    Call.objects.filter(pk=review_call.pk).update(reviewers_per_proposal=1)
    pending = ReviewAssignmentFactory(proposal=proposal, reviewer=reviewer, status="pending")
    client = api_as(reviewer)
    assert client.post(f"/api/v1/assignments/{pending.pk}/decline/", {"reason": ""}).status_code == 400
    declined = client.post(f"/api/v1/assignments/{pending.pk}/decline/", {"reason": "On leave in March."})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    stand_in = ReviewerProfileFactory(user__full_name="Stand In").user
    rerun = api_as(programme_admin).post(f"/api/v1/calls/{review_call.pk}/assignments/").json()
    assert rerun["assigned"] == 1 and rerun["shortfalls"] == []
    assert ReviewAssignment.objects.get(status="pending").reviewer == stand_in


def test_a_dual_anonymous_call_hides_the_team_from_the_reviewer(api_as, review_call, proposal, assignment):
    Call.objects.filter(pk=review_call.pk).update(anonymity=Call.Anonymity.DUAL)
    single = api_as(assignment.reviewer).get(f"/api/v1/assignments/{assignment.pk}/")
    assert single.status_code == 200
    dual_body = json.dumps(api_as(assignment.reviewer).get(f"/api/v1/assignments/{assignment.pk}/").json())
    content = json.loads(dual_body)["proposal"]["content"]
    assert content["title"] == proposal.title
    assert not {"principal_investigator", "organisation", "country", "team"} & set(content)
    for identifying in ("South Lunar Institute", "Palesa Principal", "pi@south-lunar.example.org", '"ZA"'):
        assert identifying not in dual_body


def test_a_single_anonymous_call_shows_the_team_the_dual_call_hides(api_as, assignment, proposal):
    body = json.dumps(api_as(assignment.reviewer).get(f"/api/v1/assignments/{assignment.pk}/").json())
    assert "South Lunar Institute" in body and "Palesa Principal" in body


def test_a_conflicted_reviewer_never_sees_the_proposal_through_the_api(
    api_as, programme_admin, review_call, proposal, assignment
):
    review = ReviewFactory(assignment=assignment)
    review_services.set_conflict(
        proposal=proposal, reviewer=assignment.reviewer, by=programme_admin, conflicted=True, reason="Co-author."
    )
    client = api_as(assignment.reviewer)
    for url in (
        "/api/v1/assignments/",
        "/api/v1/reviews/",
        "/api/v1/proposals/",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert proposal.title not in response.content.decode()
        assert response.json()["count"] == 0
    for url in (
        f"/api/v1/assignments/{assignment.pk}/",
        f"/api/v1/reviews/{review.pk}/",
        f"/api/v1/proposals/{proposal.pk}/",
    ):
        assert client.get(url).status_code == 404, url


def test_another_reviewers_assignment_is_not_found(api_as, assignment):
    stranger = ReviewerProfileFactory().user
    client = api_as(stranger)
    assert client.get(f"/api/v1/assignments/{assignment.pk}/").status_code == 404
    assert client.post(f"/api/v1/assignments/{assignment.pk}/decline/", {"reason": "x"}).status_code == 404
    created = client.post("/api/v1/reviews/", {"assignment": assignment.pk, **FULL_REVIEW}, format="json")
    assert created.status_code == 400 and "assignment" in created.json()


def test_a_reviewer_declares_a_conflict_and_loses_the_assignment(api_as, assignment, proposal):
    client = api_as(assignment.reviewer)
    assert client.post(f"/api/v1/assignments/{assignment.pk}/conflict/", {"reason": ""}).status_code == 400
    response = client.post(f"/api/v1/assignments/{assignment.pk}/conflict/", {"reason": "My former student."})
    assert response.status_code == 204
    assert not ReviewAssignment.objects.exists()
    assert Conflict.objects.get().kind == Conflict.Kind.DECLARED
    assert client.get(f"/api/v1/assignments/{assignment.pk}/").status_code == 404


# Reviews ------------------------------------------------------------------------------------------


def test_a_review_is_drafted_then_submitted(api_as, assignment):
    client = api_as(assignment.reviewer)
    draft = client.post(
        "/api/v1/reviews/", {"assignment": assignment.pk, "scores": {"scientific_value": 4}}, format="json"
    )
    assert draft.status_code == 201, draft.content
    review_id = draft.json()["id"]
    assert (draft.json()["status"], draft.json()["grades"]) == ("draft", {"scientific_value": "Very good"})
    incomplete = client.post(f"/api/v1/reviews/{review_id}/submit/", {}, format="json")
    assert incomplete.status_code == 400
    assert {"score_technical_feasibility", "strengths", "weaknesses"} <= set(incomplete.json())
    assert Review.objects.get().status == "draft"
    saved = client.put(f"/api/v1/reviews/{review_id}/", {"strengths": "Novel."}, format="json")
    assert saved.status_code == 200
    assert (saved.json()["scores"], saved.json()["strengths"]) == ({"scientific_value": 4}, "Novel.")
    submitted = client.post(f"/api/v1/reviews/{review_id}/submit/", FULL_REVIEW, format="json")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted" and submitted.json()["submitted_at"]
    assert AuditEvent.objects.filter(action="review.submitted").count() == 1


def test_a_grade_outside_one_to_five_is_refused(api_as, assignment):
    response = api_as(assignment.reviewer).post(
        "/api/v1/reviews/", {"assignment": assignment.pk, "scores": {"scientific_value": 7}}, format="json"
    )
    assert response.status_code == 400 and "scores" in response.json()
    unknown = api_as(assignment.reviewer).post(
        "/api/v1/reviews/", {"assignment": assignment.pk, "scores": {"beauty": 5}}, format="json"
    )
    assert unknown.status_code == 400 and "beauty" in unknown.json()["scores"][0]
    assert not Review.objects.exists()


def test_reviews_close_at_the_review_deadline(api_as, assignment, review_call):
    review = ReviewFactory(assignment=assignment, status="draft", submitted_at=None)
    Call.objects.filter(pk=review_call.pk).update(review_deadline=timezone.now() - timedelta(minutes=1))
    response = api_as(assignment.reviewer).post(f"/api/v1/reviews/{review.pk}/submit/", FULL_REVIEW, format="json")
    assert response.status_code == 409
    assert "review deadline" in response.json()["detail"]
    assert Review.objects.get().status == "draft"


def test_a_review_needs_an_accepted_assignment(api_as, review_call, proposal, reviewer):
    pending = ReviewAssignmentFactory(proposal=proposal, reviewer=reviewer, status="pending")
    response = api_as(reviewer).post("/api/v1/reviews/", {"assignment": pending.pk, **FULL_REVIEW}, format="json")
    assert response.status_code == 409
    assert not Review.objects.exists()


def test_administrators_read_reviews_but_do_not_write_them(api_as, programme_admin, assignment):
    review = ReviewFactory(assignment=assignment)
    client = api_as(programme_admin)
    body = client.get(f"/api/v1/reviews/{review.pk}/").json()
    assert (body["reviewer_name"], body["confidential_comment"]) == ("Rita Reviewer", "Team is small for the scope.")
    assert client.put(f"/api/v1/reviews/{review.pk}/", {"strengths": "x"}, format="json").status_code == 403


# Ranking, decisions and release ---------------------------------------------------------------------


def _reviewed_call(review_call, proposal):
    """Two proposals with three submitted reviews each: the first graded 5/5/4, the second 2/3/3."""
    second = _submitted_proposal(review_call, title="Lunar seismometer", mass_kg=9)
    reviewers = [ReviewerProfileFactory().user for _ in range(3)]
    for grades, target in (((5, 5, 4), proposal), ((2, 3, 3), second)):
        for person, grade in zip(reviewers, grades, strict=True):
            ReviewFactory(assignment__proposal=target, assignment__reviewer=person, grade=grade)
    return second


def test_the_ranking_orders_by_weighted_score_with_normalised_scores(api_as, programme_admin, review_call, proposal):
    second = _reviewed_call(review_call, proposal)
    rows = api_as(programme_admin).get(f"/api/v1/calls/{review_call.pk}/ranking/").json()["results"]
    assert [(row["rank"], row["proposal"], row["reviews"]) for row in rows] == [(1, proposal.pk, 3), (2, second.pk, 3)]
    # Weighted: (5 + 5 + 4) / 3 = 4.67 and (2 + 3 + 3) / 3 = 2.67. Each reviewer graded one high and one low
    # proposal, so every z-score is +1 for the first and -1 for the second.
    assert [(row["weighted"], row["normalised"]) for row in rows] == [(4.67, 1.0), (2.67, -1.0)]
    by_title = api_as(programme_admin).get(f"/api/v1/calls/{review_call.pk}/ranking/", {"sort": "title"}).json()
    assert [row["title"] for row in by_title["results"]] == ["Lunar seismometer", "Regolith dust analyser"]


def test_a_selection_over_the_platform_budget_is_refused_with_the_figures(
    api_as, programme_admin, review_call, proposal
):
    second = _reviewed_call(review_call, proposal)
    third = _submitted_proposal(review_call, title="Laser retroreflector", mass_kg=10)
    review_call.platforms.update(total_mass_kg=20)
    client = api_as(programme_admin)
    assert client.put(f"/api/v1/proposals/{proposal.pk}/decision/", {"outcome": "selected"}).status_code == 200
    assert client.put(f"/api/v1/proposals/{second.pk}/decision/", {"outcome": "selected"}).status_code == 200
    refused = client.put(f"/api/v1/proposals/{third.pk}/decision/", {"outcome": "selected", "note": "Try."})
    assert refused.status_code == 400
    # 4 kg + 9 kg already selected; 10 kg more would make 23 kg against the lander's 20 kg.
    detail = refused.json()["detail"]
    assert "Lander" in detail and "23" in detail and "20" in detail and "mass" in detail
    assert not Decision.objects.filter(proposal=third).exists()
    manifest = client.get(f"/api/v1/calls/{review_call.pk}/manifest/").json()
    mass = manifest[0]["figures"][0]
    assert (manifest[0]["payloads"], mass["used"], mass["budget"], mass["over"]) == (2, "13.00", "20.00", False)


def test_releasing_decisions_emails_each_team_without_naming_reviewers(
    api_as, programme_admin, review_call, proposal, pi, django_capture_on_commit_callbacks
):
    second = _reviewed_call(review_call, proposal)
    client = api_as(programme_admin)
    client.put(f"/api/v1/proposals/{proposal.pk}/decision/", {"outcome": "selected", "note": "Welcome aboard."})
    early = client.post(f"/api/v1/calls/{review_call.pk}/release-decisions/")
    assert early.status_code == 409 and second.reference in early.json()["detail"]
    assert api_as(pi).get(f"/api/v1/proposals/{proposal.pk}/outcome/").status_code == 404
    client = api_as(programme_admin)
    client.put(f"/api/v1/proposals/{second.pk}/decision/", {"outcome": "not_selected"})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        released = client.post(f"/api/v1/calls/{review_call.pk}/release-decisions/")
    assert released.status_code == 200 and released.json()["status"] == "decided"
    to_pi = [message for message in mail.outbox if pi.email in message.to]
    assert len(to_pi) == 1
    text = to_pi[0].body
    assert "Reviewer 1" in text and "Reviewer 3" in text and "Welcome aboard." in text
    reviewer_names = list(ReviewAssignment.objects.values_list("reviewer__full_name", flat=True))
    for secret in [*reviewer_names, "Team is small for the scope."]:
        assert secret not in text
    outcome = api_as(pi).get(f"/api/v1/proposals/{proposal.pk}/outcome/").json()
    assert outcome["outcome"] == "selected" and [r["reviewer"] for r in outcome["reviews"]] == [
        "Reviewer 1",
        "Reviewer 2",
        "Reviewer 3",
    ]
    assert AuditEvent.objects.filter(action="call.decisions_released").count() == 1


def test_decisions_are_for_administrators_only(api_as, partner_admin, review_call, proposal):
    response = api_as(partner_admin).put(f"/api/v1/proposals/{proposal.pk}/decision/", {"outcome": "selected"})
    assert response.status_code == 403
    assert not Decision.objects.exists()


def test_another_organisation_never_sees_the_outcome(api_as, programme_admin, review_call, proposal):
    _reviewed_call(review_call, proposal)
    for target in review_call.proposals.all():
        review_services.decide(proposal=target, by=programme_admin, outcome="not_selected")
    calls.release_decisions(call=review_call, by=programme_admin)
    outsider = MembershipFactory(organisation=OrganisationFactory(name="Elsewhere")).user
    assert api_as(outsider).get(f"/api/v1/proposals/{proposal.pk}/outcome/").status_code == 404


# Constant queries ----------------------------------------------------------------------------------


def test_review_lists_run_a_constant_number_of_queries(
    api_as, programme_admin, review_call, proposal, reviewer, django_assert_max_num_queries
):
    for _ in range(12):
        target = _submitted_proposal(review_call)
        assignment = ReviewAssignmentFactory(proposal=target, reviewer=reviewer)
        ReviewFactory(assignment=assignment)
        ReviewFactory(assignment__proposal=target)
    for user, url in (
        (reviewer, "/api/v1/assignments/"),
        (reviewer, "/api/v1/reviews/"),
        (programme_admin, "/api/v1/reviews/"),
        (programme_admin, f"/api/v1/calls/{review_call.pk}/ranking/"),
        (programme_admin, f"/api/v1/calls/{review_call.pk}/assignments/"),
        (programme_admin, "/api/v1/reviewers/"),
    ):
        client = api_as(user)
        with django_assert_max_num_queries(12, info=url):
            response = client.get(url)
        assert response.status_code == 200 and response.json()["count"] >= 12, url


def test_the_schema_describes_the_review_endpoints(api_client, db):
    paths = api_client.get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in (
        "/api/v1/reviewers/",
        "/api/v1/calls/{id}/conflicts/",
        "/api/v1/calls/{id}/assignments/",
        "/api/v1/assignments/",
        "/api/v1/assignments/{id}/decline/",
        "/api/v1/reviews/",
        "/api/v1/reviews/{id}/submit/",
        "/api/v1/calls/{id}/ranking/",
        "/api/v1/proposals/{id}/decision/",
        "/api/v1/calls/{id}/release-decisions/",
    ):
        assert path in paths, path
    assert "put" in paths["/api/v1/proposals/{id}/decision/"]
    assert "post" in paths["/api/v1/calls/{id}/assignments/"]
