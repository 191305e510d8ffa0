"""The ranking's kept figures always equal the figures computed afresh from the reviews, whatever happened before.

The reference below is the ranking's computation written out plainly from the reviews on record (as the ranking
computed it on every read before the figures were kept); random sequences of what reviewers and administrators do
(submit, edit a submitted review, save drafts, accept and decline, conflicts declared, added and lifted, proposals
withdrawn or found ineligible, criteria reweighted, a review deleted) are run through the services and the kept
rows compared with it after each sequence.
"""

import io
import statistics
from collections import defaultdict

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.errors import DomainError
from proposals.models import Call, Conflict, Proposal, ProposalScore, Review, ReviewAssignment, ReviewScore
from proposals.review import selectors as review_selectors
from proposals.review import services as review_services
from tests.factories import ReviewAssignmentFactory
from tests.proposals.review_support import grades, new_reviewer, submitted_proposal

REVIEWERS = 3
PROPOSALS = 3


def reference(call):
    """{proposal id: (reviews, weighted, normalised, spread, disagreement)} computed from the reviews alone."""
    call = Call.objects.get(pk=call.pk)  # its criteria as they are now
    conflicted = set(
        Conflict.objects.filter(
            proposal__call=call, kind__in=(Conflict.Kind.DECLARED, Conflict.Kind.ADDED)
        ).values_list("proposal_id", "reviewer_id")
    )
    weights = {c["key"]: c["weight"] for c in call.criteria}
    per_proposal, by_reviewer = defaultdict(list), defaultdict(list)
    for proposal_id, reviewer_id, scores in Review.objects.filter(
        assignment__proposal__call=call, status=Review.Status.SUBMITTED
    ).values_list("assignment__proposal_id", "assignment__reviewer_id", "scores"):
        if (proposal_id, reviewer_id) in conflicted:
            continue
        total = sum(weights[key] for key in scores if key in weights)
        if not total:
            continue
        score = sum(grade * weights[key] for key, grade in scores.items() if key in weights) / total
        per_proposal[proposal_id].append((reviewer_id, score))
        by_reviewer[reviewer_id].append(score)
    figures = {}
    for proposal_id, graded in per_proposal.items():
        scores = [score for _r, score in graded]
        z = []
        for reviewer_id, score in graded:
            mine = by_reviewer[reviewer_id]
            deviation = statistics.pstdev(mine) if len(mine) > 1 else 0.0
            z.append((score - statistics.fmean(mine)) / deviation if deviation else 0.0)
        spread = round(max(scores) - min(scores), 2) if len(scores) > 1 else 0.0
        figures[proposal_id] = (
            len(scores),
            round(statistics.fmean(scores), 2),
            round(statistics.fmean(z), 2) + 0.0,
            spread,
            spread >= 1.5,
        )
    return figures


def kept(call):
    return {
        row.proposal_id: (row.reviews, row.weighted, row.normalised, row.spread, row.disagreement)
        for row in ProposalScore.objects.filter(call=call)
    }


@pytest.fixture
def world(review_call, proposal):
    proposals = [proposal] + [submitted_proposal(review_call, title=f"Payload {n}") for n in range(PROPOSALS - 1)]
    reviewers = [new_reviewer(f"Reviewer {n}") for n in range(REVIEWERS)]
    # The last reviewer has still to answer (accept or decline); the others have accepted.
    for target in proposals:
        for person in reviewers:
            status = ReviewAssignment.Status.PENDING if person == reviewers[-1] else ReviewAssignment.Status.ACCEPTED
            ReviewAssignmentFactory(proposal=target, reviewer=person, status=status)
    return {"call": review_call, "proposals": proposals, "reviewers": reviewers}


grade = st.integers(min_value=1, max_value=5)
pair = st.tuples(st.integers(0, REVIEWERS - 1), st.integers(0, PROPOSALS - 1))
submit = st.tuples(st.just("submit"), pair, st.tuples(grade, grade, grade))
step = st.one_of(
    submit,
    submit,
    submit,
    st.tuples(st.just("accept"), pair),
    st.tuples(st.just("decline"), pair),
    st.tuples(st.just("edit"), pair, st.tuples(grade, grade, grade)),
    st.tuples(st.just("draft"), pair, st.tuples(grade, grade, grade)),
    st.tuples(st.just("declare"), pair),
    st.tuples(st.just("add"), pair),
    st.tuples(st.just("lift"), pair),
    st.tuples(st.just("withdraw"), st.integers(0, PROPOSALS - 1)),
    st.tuples(st.just("ineligible"), st.integers(0, PROPOSALS - 1)),
    st.tuples(st.just("reweigh"), st.tuples(st.integers(1, 60), st.integers(1, 60), st.integers(0, 60))),
    st.tuples(st.just("delete"), pair),
)


def _run(step_, world, admin):
    kind, *args = step_
    call = Call.objects.get(pk=world["call"].pk)
    if kind in ("withdraw", "ineligible"):
        target = world["proposals"][args[0]]
        change = {"status": Proposal.Status.WITHDRAWN} if kind == "withdraw" else {"compliance": "not_eligible"}
        Proposal.objects.filter(pk=target.pk).update(**change)
        return
    if kind == "reweigh":
        keys = ["scientific_value", "technical_feasibility", "collaboration_diversity"]
        call.criteria = [{"key": k, "name": k, "weight": w} for k, w in zip(keys, args[0], strict=True)]
        call.save()
        return
    (r, p) = args[0]
    person, target = world["reviewers"][r], world["proposals"][p]
    assignment = ReviewAssignment.objects.filter(proposal=target, reviewer=person).first()
    try:
        if kind in ("declare", "add", "lift"):
            if kind == "declare":
                review_services.declare_conflict(proposal=target, reviewer=person, reason="Advised the team.")
            else:
                review_services.set_conflict(
                    proposal=target, reviewer=person, by=admin, conflicted=kind == "add", reason="Checked."
                )
        elif assignment is None:
            return
        elif kind in ("accept", "decline"):
            review_services.respond_to_assignment(
                assignment=assignment, by=person, accept=kind == "accept", reason="Too busy."
            )
        elif kind == "delete":
            Review.objects.filter(assignment=assignment).delete()
        else:
            data = {"scores": grades(*args[1]), "strengths": "Clear.", "weaknesses": "Costly."}
            review_services.save_review(assignment=assignment, by=person, data=data, submit=kind == "submit")
    except (DomainError, ValidationError):
        pass  # refused as the portal refuses it: nothing changed


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=30))
def test_the_kept_figures_equal_a_full_recomputation_after_any_sequence_of_reviews(world, programme_admin, steps):
    call = world["call"]
    with transaction.atomic():
        for one in steps:
            _run(one, world, programme_admin)
        assert kept(call) == reference(call)
        # Each counted review's own z-score too: the rebuild from scratch writes the same rows.
        before = sorted(ReviewScore.objects.filter(call=call).values_list("review_id", "weighted", "normalised"))
        call_command("rebuild_scores", call=[call.pk], stdout=io.StringIO())
        assert sorted(ReviewScore.objects.filter(call=call).values_list("review_id", "weighted", "normalised")) == (
            before
        )
        assert kept(call) == reference(call)
        transaction.set_rollback(True)


def test_the_ranking_reads_the_kept_figures_and_shows_unreviewed_proposals_last(world, programme_admin):
    call, (a, b, *_rest) = world["call"], world["proposals"]
    first, second = world["reviewers"][:2]
    for person, target, marks in ((first, a, (5, 5, 5)), (first, b, (2, 2, 2)), (second, b, (4, 4, 4))):
        assignment = ReviewAssignment.objects.get(proposal=target, reviewer=person)
        data = {"scores": grades(*marks), "strengths": "Clear.", "weaknesses": "Costly."}
        review_services.save_review(assignment=assignment, by=person, data=data, submit=True)
    rows = review_selectors.sort_ranking(review_selectors.call_ranking(call), "weighted")
    top = [(row["proposal"].pk, row["reviews"], row["weighted"]) for row in rows[:2]]
    assert top == [(a.pk, 1, 5.0), (b.pk, 2, 3.0)]
    assert [row["weighted"] for row in rows[2:]] == [None] * (PROPOSALS - 2)
    paged = review_selectors.ranked_rows(call, "weighted")
    assert len(paged) == PROPOSALS
    assert [(row["rank"], row["proposal"].pk) for row in paged[1:3]] == [(2, b.pk), (3, rows[2]["proposal"].pk)]


def test_rebuilding_writes_the_figures_of_reviews_loaded_without_signals(world, programme_admin):
    call, target, person = world["call"], world["proposals"][0], world["reviewers"][0]
    assignment = ReviewAssignment.objects.get(proposal=target, reviewer=person)
    Review.objects.bulk_create([Review(assignment=assignment, scores=grades(4, 4, 4), status=Review.Status.SUBMITTED)])
    assert kept(call) == {}
    call_command("rebuild_scores", stdout=io.StringIO())
    assert kept(call) == reference(call) == {target.pk: (1, 4.0, 0.0, 0.0, False)}
