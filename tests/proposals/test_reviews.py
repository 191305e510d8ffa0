"""Writing a review: drafts, what submission needs, the deadline, what the reviewer reads, and the reminders."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.errors import TransitionNotAllowed
from portal.formatting import when
from proposals.models import Call, Proposal, Review, ReviewAssignment, ReviewReminder
from proposals.review import services as review_services
from tests.factories import ReviewFactory
from tests.helpers import last_email_to, links_in, path_of
from tests.proposals.review_support import accepted, audit_rows, new_reviewer, submitted_proposal, text

COMPLETE = {
    "score_scientific_value": "5",
    "score_technical_feasibility": "4",
    "score_collaboration_diversity": "3",
    "strengths": "A clear dust-transport question.",
    "weaknesses": "The thermal design is thin.",
    "confidential_comment": "Small team for the scope.",
}


def _review_url(assignment):
    return reverse("proposals:review_edit", args=[assignment.pk])


def test_a_draft_keeps_what_is_filled_in_so_far(client, assignment, reviewer):
    client.force_login(reviewer)
    response = client.post(
        _review_url(assignment),
        {"score_scientific_value": "4", "strengths": "Novel instrument.", "save": ""},
        follow=True,
    )
    assert "Review saved as a draft." in text(response)
    review = Review.objects.get()
    assert (review.status, review.scores, review.strengths, review.weaknesses) == (
        Review.Status.DRAFT,
        {"scientific_value": 4},
        "Novel instrument.",
        "",
    )
    assert not audit_rows("review.submitted")
    page = text(response)
    assert '<option value="4" selected>' in page and "Novel instrument." in page


def test_submission_needs_every_grade_and_both_comments_and_keeps_what_was_typed(client, assignment, reviewer):
    client.force_login(reviewer)
    response = client.post(
        _review_url(assignment),
        {"score_scientific_value": "2", "strengths": "Bold idea about electrostatic lofting.", "submit": ""},
    )
    assert response.status_code == 200
    page = text(response)
    assert "Please correct the fields marked below; everything you typed is kept." in page
    assert page.count("Grade every criterion before submitting.") == 2
    assert "Write the weaknesses before submitting." in page
    assert "Write the strengths before submitting." not in page
    assert "Bold idea about electrostatic lofting." in page and '<option value="2" selected>' in page
    assert not Review.objects.exists(), "nothing is saved from a refused submission"

    submitted = client.post(_review_url(assignment), {**COMPLETE, "submit": ""}, follow=True)
    assert "Review submitted." in text(submitted)
    review = Review.objects.get()
    assert review.status == Review.Status.SUBMITTED and review.submitted_at is not None
    assert review.scores == {"scientific_value": 5, "technical_feasibility": 4, "collaboration_diversity": 3}
    [event] = audit_rows("review.submitted")
    assert (event.actor, event.from_state, event.to_state) == (reviewer, "draft", "submitted")


@pytest.mark.parametrize("grade", ["0", "6", "excellent"])
def test_grades_are_from_one_to_five(client, assignment, reviewer, grade):
    client.force_login(reviewer)
    response = client.post(_review_url(assignment), {**COMPLETE, "score_scientific_value": grade, "submit": ""})
    assert f"Select a valid choice. {grade} is not one of the available choices." in text(response)
    assert not Review.objects.exists()


def test_the_service_refuses_grades_out_of_range_and_unknown_criteria(assignment, reviewer):
    with pytest.raises(ValidationError) as refused:
        review_services.save_review(
            assignment=assignment, by=reviewer, data={"scores": {"scientific_value": 9, "beauty": 5}}
        )
    assert refused.value.message_dict == {
        "score_scientific_value": ["Give a grade from 1 (Poor) to 5 (Excellent)."],
        "scores": ["Unknown criteria: beauty"],
    }


def test_a_submitted_review_can_be_changed_but_not_emptied_before_the_deadline(client, assignment, reviewer):
    client.force_login(reviewer)
    client.post(_review_url(assignment), {**COMPLETE, "submit": ""})

    emptied = client.post(_review_url(assignment), {**COMPLETE, "strengths": "", "save": ""})
    assert "Write the strengths before submitting." in text(emptied)
    assert Review.objects.get().strengths == COMPLETE["strengths"]

    changed = client.post(_review_url(assignment), {**COMPLETE, "score_technical_feasibility": "2", "save": ""})
    assert changed.status_code == 302
    review = Review.objects.get()
    assert (review.status, review.scores["technical_feasibility"]) == (Review.Status.SUBMITTED, 2)


def test_only_technical_reviewers_give_the_technical_assessment_and_they_must(client, review_call, proposal, reviewer):
    with pytest.raises(ValidationError, match="Only technical reviewers give the accommodation assessment."):
        review_services.save_review(
            assignment=accepted(proposal, reviewer), by=reviewer, data={"technical_assessment": "feasible"}
        )
    client.force_login(reviewer)
    assert "Technical accommodation" not in text(client.get(_review_url(ReviewAssignment.objects.get())))

    engineer = new_reviewer("Tess Technical", is_technical=True)
    assignment = accepted(proposal, engineer)
    client.force_login(engineer)
    refused = client.post(_review_url(assignment), {**COMPLETE, "submit": ""})
    assert "Give the technical accommodation assessment." in text(refused)
    technical = {"technical_assessment": "feasible_with_changes", "technical_notes": "Needs a heater."}
    done = client.post(_review_url(assignment), {**COMPLETE, **technical, "submit": ""})
    assert done.status_code == 302
    review = Review.objects.get(assignment=assignment)
    assert (review.status, review.technical_assessment, review.technical_notes) == (
        Review.Status.SUBMITTED,
        Review.Technical.FEASIBLE_WITH_CHANGES,
        "Needs a heater.",
    )


def test_no_change_after_the_review_deadline_and_the_message_names_it(client, assignment, reviewer, review_call):
    Call.objects.filter(pk=review_call.pk).update(review_deadline=timezone.now() - timedelta(minutes=5))
    review_call.refresh_from_db()
    client.force_login(reviewer)
    response = client.post(_review_url(assignment), {**COMPLETE, "submit": ""})
    deadline = when(review_call.review_deadline, review_call.time_zone)
    assert f"The review deadline ({deadline}) has passed." in text(response)
    assert "(Asia/Shanghai)" in deadline
    assert COMPLETE["strengths"] in text(response), "what was typed is kept"
    assert not Review.objects.exists()


def test_a_review_is_written_only_after_accepting(client, review_call, proposal, reviewer):
    pending = ReviewAssignment.objects.create(proposal=proposal, reviewer=reviewer)
    client.force_login(reviewer)
    response = client.post(_review_url(pending), {**COMPLETE, "save": ""})
    assert "Accept the assignment before writing the review." in text(response)
    assert not Review.objects.exists()
    with pytest.raises(TransitionNotAllowed, match="Accept the assignment before writing the review."):
        review_services.save_review(assignment=pending, by=reviewer, data={})


# What the reviewer reads -------------------------------------------------------------------------


def test_the_reviewer_reads_the_submitted_version_not_later_edits(client, assignment, proposal, reviewer):
    Proposal.objects.filter(pk=proposal.pk).update(
        title="Renamed afterwards", abstract="Rewritten after submission.", science_objectives="Changed goals."
    )
    client.force_login(reviewer)
    page = text(client.get(_review_url(assignment)))
    assert "Regolith dust analyser" in page and "Measures the regolith." in page and "Dust transport." in page
    assert "submitted version 1" in page
    assert "Renamed afterwards" not in page
    assert "Rewritten after submission." not in page and "Changed goals." not in page


@pytest.fixture
def team_assignment(lead_coinvestigator, foreign_coinvestigator, request):
    """`assignment`, for a proposal submitted with a co-investigator from the lead organisation and one from Egypt."""
    return request.getfixturevalue("assignment")


TEAM_DETAILS = [
    "Palesa Principal",
    "Kagiso Colleague",
    "Nour Foreign",
    "South Lunar Institute",
    "Nile Space Lab",
    "South Africa",
    "Egypt",
]


def test_a_single_anonymous_call_shows_the_team(client, team_assignment, reviewer):
    client.force_login(reviewer)
    page = text(client.get(_review_url(team_assignment)))
    for detail in TEAM_DETAILS:
        assert detail in page, detail


def test_a_dual_anonymous_call_hides_the_team_from_the_reviewer(client, team_assignment, review_call, reviewer):
    version = team_assignment.proposal.versions.get()
    assert {version.content["principal_investigator"], version.content["organisation"]} == {
        "Palesa Principal",
        "South Lunar Institute",
    }
    Call.objects.filter(pk=review_call.pk).update(anonymity=Call.Anonymity.DUAL)
    client.force_login(reviewer)
    for url in (_review_url(team_assignment), reverse("proposals:review_list")):
        page = text(client.get(url))
        assert "Regolith dust analyser" in page
        for detail in TEAM_DETAILS:
            assert detail not in page, detail
        assert "pi@south-lunar.example.org" not in page and '"ZA"' not in page


# Reminders ----------------------------------------------------------------------------------------


@pytest.fixture
def open_and_done(review_call, proposal, assignment, reviewer):
    """Rita has one accepted review not yet written and a draft; Otto has a pending one; Sara has submitted;
    Dora declined."""
    second = submitted_proposal(review_call, title="Lunar seismometer")
    ReviewFactory(assignment=accepted(second, reviewer), status="draft", submitted_at=None)
    ReviewAssignment.objects.create(proposal=proposal, reviewer=new_reviewer("Otto Other"))
    ReviewFactory(assignment=accepted(proposal, new_reviewer("Sara Submitted")))
    ReviewAssignment.objects.create(
        proposal=proposal, reviewer=new_reviewer("Dora Declined"), status="declined", decline_reason="Away."
    )


def _recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_reminders_go_three_days_and_one_day_before_to_open_reviews_each_once(
    client, review_call, open_and_done, reviewer, django_capture_on_commit_callbacks
):
    deadline = review_call.review_deadline
    with django_capture_on_commit_callbacks(execute=True):
        assert review_services.send_review_reminders(now=deadline - timedelta(days=4)) == 0
        assert review_services.send_review_reminders(now=deadline - timedelta(days=2, hours=23)) == 2
        assert review_services.send_review_reminders(now=deadline - timedelta(days=2)) == 0
    assert _recipients() == ["otto.other@reviewers.example.org", "rita@reviewers.example.org"]
    reminder = last_email_to(reviewer.email)
    assert reminder.subject == "Reviews for Chang'e-8 international payloads are due in 3 days"
    assert when(deadline) in reminder.body, "in the reviewer's own zone"
    [link] = [link for link in links_in(reminder) if "/reviews/" in link]
    client.force_login(reviewer)
    assert "Lunar seismometer" in text(client.get(path_of(link)))

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert review_services.send_review_reminders(now=deadline - timedelta(hours=20)) == 2
        assert review_services.send_review_reminders(now=deadline - timedelta(hours=2)) == 0
        assert review_services.send_review_reminders(now=deadline + timedelta(hours=1)) == 0
    assert _recipients() == ["otto.other@reviewers.example.org", "rita@reviewers.example.org"]
    assert last_email_to(reviewer.email).subject == "Reviews for Chang'e-8 international payloads are due in 1 day"
    assert ReviewReminder.objects.count() == 6, "three open assignments, two reminders each"


def test_the_beat_task_sends_review_reminders_and_is_safe_to_run_twice(review_call, assignment):
    from proposals import tasks

    Call.objects.filter(pk=review_call.pk).update(review_deadline=timezone.now() + timedelta(days=2))
    assert tasks.send_review_reminders.delay().get() == 1
    assert tasks.send_review_reminders.delay().get() == 0


def test_overdue_reviews_are_listed_for_the_administrator_after_the_deadline(
    client, review_call, open_and_done, programme_admin, proposal
):
    client.force_login(programme_admin)
    url = reverse("proposals:call_review", args=[review_call.pk])
    before = client.get(url)
    assert list(before.context["overdue"]) == [] and before.context["progress"]["overdue"] == 0

    Call.objects.filter(pk=review_call.pk).update(review_deadline=timezone.now() - timedelta(hours=1))
    after = client.get(url)
    overdue = sorted((a.proposal.title, a.reviewer.full_name) for a in after.context["overdue"])
    assert overdue == [
        ("Lunar seismometer", "Rita Reviewer"),
        ("Regolith dust analyser", "Otto Other"),
        ("Regolith dust analyser", "Rita Reviewer"),
    ]
    assert after.context["progress"]["overdue"] == 3
    page = text(after)
    assert f"{proposal.reference} — Rita Reviewer (rita@reviewers.example.org)" in page
    assert "Sara Submitted (" not in page and "Dora Declined (" not in page
