"""Reads for peer review: a reviewer's assignments, the call's ranking, progress and overdue reviews."""

import statistics
from collections import defaultdict

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.permissions import is_programme_admin

from .models import Attachment, Call, Conflict, Decision, Proposal, Review, ReviewAssignment, ReviewerProfile
from .review_services import ConflictRules, proposals_in_review, review_context, weighted_score

DISAGREEMENT_SPREAD = 1.5


def conflict_between(proposal, reviewer):
    """Whether a declared or added conflict stands between this proposal and reviewer (expressions or values)."""
    return Exists(Conflict.objects.filter(proposal=proposal, reviewer=reviewer, kind__in=Conflict.STANDING))


def counted_reviews():
    """The submitted reviews that count: a conflict declared or added after submission takes a review out of the
    ranking, the progress and the outcome the team reads (it stays in the database for the record)."""
    return Review.objects.filter(status=Review.Status.SUBMITTED).exclude(
        conflict_between(OuterRef("assignment__proposal"), OuterRef("assignment__reviewer"))
    )


def reviewer_assignments(user):
    """The assignments a reviewer holds, with what their pages need; a conflict hides the proposal entirely."""
    return (
        ReviewAssignment.objects.filter(reviewer=user)
        .exclude(conflict_between(OuterRef("proposal"), user))
        .select_related(
            "proposal__call",
            "proposal__platform",
            "proposal__organisation",
            "proposal__principal_investigator",
            "review",
        )
        .order_by("proposal__call__review_deadline", "pk")
    )


def get_assignment_for(*, user, pk):
    """One of the reviewer's own assignments; anything else answers 404."""
    assignment = reviewer_assignments(user).filter(pk=pk).first()
    if assignment is None:
        raise Http404
    return assignment


TEAM_FIELDS = ("principal_investigator", "organisation", "country", "team")


def review_material(assignment):
    """What the reviewer reads: the latest submitted full version, without the team on a dual-anonymous call."""
    proposal = assignment.proposal
    version = proposal.versions.filter(stage=Proposal.Stage.FULL).order_by("-number").first()
    content = dict(version.content) if version else {}
    blind = proposal.call.anonymity == Call.Anonymity.DUAL
    if blind:
        for key in TEAM_FIELDS:
            content.pop(key, None)
        content["attachments"] = [
            {key: value for key, value in item.items() if key != "name"} for item in content.get("attachments", [])
        ]
    return {"version": version, "content": content, "blind": blind}


def get_review_attachment(*, user, assignment_pk, attachment_pk):
    """A file of the submitted version the reviewer is assigned to; anything else answers 404."""
    assignment = get_assignment_for(user=user, pk=assignment_pk)
    if assignment.status == ReviewAssignment.Status.DECLINED:
        raise Http404
    material = review_material(assignment)
    if attachment_pk not in {item["id"] for item in material["content"].get("attachments", [])}:
        raise Http404
    return Attachment.objects.get(pk=attachment_pk), material["blind"]


def reviews_visible_to(user):
    """Administrators see every review; a reviewer their own (never one on a proposal they conflict with)."""
    queryset = Review.objects.select_related("assignment__proposal__call", "assignment__reviewer").order_by(
        "assignment__proposal__call_id", "assignment__proposal_id", "pk"
    )
    if is_programme_admin(user):
        return queryset
    return queryset.filter(assignment__in=reviewer_assignments(user).values("pk"))


def _pair_state(proposal, profile, rules):
    """(kind, reason, conflicted) for one reviewer and proposal, or None when nothing stands between them."""
    override = rules.override(proposal, profile.user)
    if override is not None and override.kind in (*Conflict.STANDING, Conflict.Kind.LIFTED):
        return override.kind, override.reason, override.kind != Conflict.Kind.LIFTED
    reason = rules.automatic(proposal, profile.user, profile)
    if reason:
        return "automatic", reason, True
    # Proposed by the applicants (or dismissed): shown for the administrator to decide, not a conflict meanwhile.
    return (override.kind, override.reason, False) if override is not None else None


def conflict_pairs(call):
    """Every reviewer–proposal pair of the call that is conflicted, or whose automatic conflict was lifted."""
    proposals, profiles, overrides, _current, _declined = review_context(call)
    rules = ConflictRules(overrides)
    pairs = []
    for proposal in proposals:
        for profile in profiles:
            state = _pair_state(proposal, profile, rules)
            if state is not None:
                kind, reason, conflicted = state
                pairs.append(
                    {
                        "proposal": proposal,
                        "reviewer": profile.user,
                        "kind": kind,
                        "reason": reason,
                        "conflicted": conflicted,
                    }
                )
    return pairs


def conflict_matrix(call, page_number=None, per_page=25):
    """One page of proposals against every reviewer: each cell's conflict (if any) and whether it is assigned."""
    proposals, profiles, overrides, current, _declined = review_context(call)
    rules = ConflictRules(overrides)
    page = Paginator(proposals, per_page).get_page(page_number)
    assigned = {(a.proposal_id, a.reviewer_id) for a in current}
    rows = []
    for proposal in page.object_list:
        cells = []
        for profile in profiles:
            state = _pair_state(proposal, profile, rules)
            kind, reason, conflicted = state if state else ("", "", False)
            cells.append(
                {
                    "kind": kind,
                    "reason": reason,
                    "conflicted": conflicted,
                    "assigned": (proposal.pk, profile.user_id) in assigned,
                }
            )
        rows.append({"proposal": proposal, "cells": cells})
    return {"page": page, "reviewers": profiles, "rows": rows, "proposed": proposed_conflicts(call)}


def proposed_conflicts(call):
    """The conflicts the applicants' naming of reviewers on their teams proposes, for an administrator to decide."""
    return (
        Conflict.objects.filter(proposal__call=call, kind=Conflict.Kind.PROPOSED)
        .select_related("proposal__call", "reviewer", "created_by")
        .order_by("proposal_id", "reviewer__full_name")
    )


def reviewers():
    return (
        ReviewerProfile.objects.filter(user__is_reviewer=True)
        .select_related("user", "affiliation")
        .annotate(
            open_assignments=Count(
                "user__assignments",
                filter=~Q(user__assignments__status=ReviewAssignment.Status.DECLINED),
                distinct=True,
            )
        )
        .order_by("user__full_name")
    )


def call_assignments(call):
    """The call's assignments for the board; `conflicted` marks those whose review no longer counts."""
    return (
        ReviewAssignment.objects.filter(proposal__call=call)
        .select_related("reviewer", "proposal__call", "review")
        .annotate(conflicted=conflict_between(OuterRef("proposal"), OuterRef("reviewer")))
        .order_by("proposal_id", "pk")
    )


def overdue_reviews(call, now=None):
    now = now or timezone.now()
    if not call.review_deadline or now <= call.review_deadline:
        return ReviewAssignment.objects.none()
    return (
        call_assignments(call)
        .filter(conflicted=False)
        .exclude(status=ReviewAssignment.Status.DECLINED)
        .exclude(review__status=Review.Status.SUBMITTED)
    )


def review_progress(call):
    """The call's assignments by state; one whose reviewer has since been found conflicted no longer counts."""
    counts = (
        ReviewAssignment.objects.filter(proposal__call=call)
        .exclude(conflict_between(OuterRef("proposal"), OuterRef("reviewer")))
        .aggregate(
            assigned=Count("pk", filter=~Q(status=ReviewAssignment.Status.DECLINED)),
            accepted=Count("pk", filter=Q(status=ReviewAssignment.Status.ACCEPTED)),
            declined=Count("pk", filter=Q(status=ReviewAssignment.Status.DECLINED)),
            submitted=Count("pk", filter=Q(review__status=Review.Status.SUBMITTED)),
        )
    )
    counts["overdue"] = overdue_reviews(call).count()
    return counts


# What the ranking's rows, pages, exports and API read of a proposal; nothing else is loaded for 5,000 of them.
RANKED_PROPOSAL_FIELDS = (
    "title",
    "title_native",
    "mass_kg",
    "call",
    "organisation__name",
    "organisation__native_name",
    "organisation__country",
    "platform__name",
)


def call_ranking(call):
    """Each reviewed proposal with its weighted mean, per-reviewer normalised score, review count and spread.

    Normalisation (as ESO's distributed peer review): each reviewer's overall grades across the call are
    turned into z-scores, so harsh and kind graders count alike; a proposal's normalised score is the mean.
    Only counted reviews are read, as plain values: a call of thousands builds no review instances.
    """
    proposals = proposals_in_review(call).select_related("organisation", "platform").only(*RANKED_PROPOSAL_FIELDS)
    reviews = counted_reviews().filter(assignment__proposal__call=call)
    decisions = {
        d.proposal_id: d for d in Decision.objects.filter(proposal__call=call).only("proposal", "outcome", "note")
    }
    per_proposal = defaultdict(list)
    by_reviewer = defaultdict(list)
    for proposal_id, reviewer_id, scores in reviews.values_list(
        "assignment__proposal_id", "assignment__reviewer_id", "scores"
    ):
        score = weighted_score(call, scores, number=float)
        if score is None:
            continue
        per_proposal[proposal_id].append((reviewer_id, score))
        by_reviewer[reviewer_id].append(score)
    spread = {}
    for reviewer_id, grades in by_reviewer.items():
        mean = statistics.fmean(grades)
        deviation = statistics.pstdev(grades) if len(grades) > 1 else 0.0
        spread[reviewer_id] = (mean, deviation)
    rows = []
    for proposal in proposals:
        graded = per_proposal.get(proposal.pk, [])
        scores = [score for _reviewer_id, score in graded]
        normalised = []
        for reviewer_id, score in graded:
            mean, deviation = spread[reviewer_id]
            normalised.append((score - mean) / deviation if deviation else 0.0)
        # Rounded before comparing: in floating point 4.6 − 3.1 falls just short of 1.5.
        score_spread = round(max(scores) - min(scores), 2) if len(scores) > 1 else 0.0
        rows.append(
            {
                "proposal": proposal,
                "reviews": len(scores),
                "weighted": round(statistics.fmean(scores), 2) if scores else None,
                "normalised": round(statistics.fmean(normalised), 2) + 0.0
                if normalised
                else None,  # + 0.0: no "-0.0" for a mean of zero
                "spread": score_spread,
                "disagreement": score_spread >= DISAGREEMENT_SPREAD,
                "decision": decisions.get(proposal.pk),
            }
        )
    return rows


def sort_ranking(rows, key):
    """The rows in the order asked for (best weighted score first by default), each with its `rank` from 1."""
    keys = {
        "weighted": lambda row: (row["weighted"] is None, -(row["weighted"] or 0)),
        "normalised": lambda row: (row["normalised"] is None, -(row["normalised"] or 0)),
        "spread": lambda row: -row["spread"],
        "reviews": lambda row: -row["reviews"],
        "title": lambda row: row["proposal"].title.lower(),
    }
    ranked = sorted(rows, key=keys.get(key, keys["weighted"]))
    for rank, row in enumerate(ranked, start=1):
        row["rank"] = rank
    return ranked


def released_outcome(proposal):
    """The decision and the applicant-facing review comments, once the call's decisions are released."""
    decision = Decision.objects.filter(proposal=proposal, released_at__isnull=False).first()
    if decision is None:
        return None
    reviews = counted_reviews().filter(assignment__proposal=proposal).order_by("assignment_id")
    return {
        "decision": decision,
        "reviews": [
            {
                "number": n,
                "reviewer": _("Reviewer %(n)s") % {"n": n},
                "strengths": r.strengths,
                "weaknesses": r.weaknesses,
            }
            for n, r in enumerate(reviews, start=1)
        ],
    }


def proposals_short_of_reviews(call):
    """The call's proposals in review with fewer counted reviews than the call requires, with their count."""
    counts = dict(
        counted_reviews()
        .filter(assignment__proposal__call=call)
        .order_by()
        .values_list("assignment__proposal_id")
        .annotate(n=Count("pk"))
    )
    return [
        {"proposal": proposal, "reviews": counts.get(proposal.pk, 0), "required": call.reviewers_per_proposal}
        for proposal in proposals_in_review(call).select_related("call").order_by("pk")
        if counts.get(proposal.pk, 0) < call.reviewers_per_proposal
    ]


def review_count(proposal):
    """How many counted reviews the proposal has."""
    return counted_reviews().filter(assignment__proposal=proposal).count()


def release_summary(call):
    """What releasing the call's decisions would do: teams per outcome, proposals still undecided or short of
    reviews, and the assignments that would close."""
    proposals = list(proposals_in_review(call).select_related("call").order_by("pk"))
    outcomes = dict(
        Decision.objects.filter(proposal__in=[p.pk for p in proposals])
        .order_by()
        .values_list("outcome")
        .annotate(n=Count("pk"))
    )
    decided = set(Decision.objects.filter(proposal__call=call).values_list("proposal_id", flat=True))
    return {
        "outcomes": [
            {"outcome": value, "label": label, "teams": outcomes.get(value, 0)}
            for value, label in Decision.Outcome.choices
        ],
        "teams": len(proposals),
        "undecided": [p for p in proposals if p.pk not in decided],
        "short": proposals_short_of_reviews(call),
        "open_assignments": ReviewAssignment.objects.filter(
            proposal__call=call, status__in=(ReviewAssignment.Status.PENDING, ReviewAssignment.Status.ACCEPTED)
        )
        .exclude(review__status=Review.Status.SUBMITTED)
        .count(),
    }
