"""Reads for peer review: a reviewer's assignments, the call's ranking, progress and overdue reviews."""

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce, Collate, Lower
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.permissions import is_programme_admin
from portal.rows import PagedRows
from proposals.models import Attachment, Call, Conflict, Decision, Proposal, Review, ReviewAssignment, ReviewerProfile
from proposals.review.conflicts import ConflictRules


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


def get_assignment_for(*, user, pk, for_reading=False):
    """One of the reviewer's own assignments; anything else answers 404. With `for_reading`, to read the proposal
    it is for: having declined, the reviewer no longer reads the proposal nor its files (404 too)."""
    assignment = reviewer_assignments(user).filter(pk=pk).first()
    if assignment is None or (for_reading and assignment.status == ReviewAssignment.Status.DECLINED):
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
    assignment = get_assignment_for(user=user, pk=assignment_pk, for_reading=True)
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


REVIEW_ROW_FIELDS = (
    "id",
    "assignment",
    "scores",
    "strengths",
    "weaknesses",
    "confidential_comment",
    "technical_assessment",
    "technical_notes",
    "status",
    "submitted_at",
    "updated_at",
    "assignment__proposal_id",
    "assignment__proposal__call__reference",
    "assignment__reviewer__full_name",
)


def review_rows(queryset):
    """The reviews of `queryset` (its scope and order) as plain rows for the API, keyed as it names its fields, read
    a page at a time: one query for the page, no model instances."""
    return PagedRows(queryset.values(*REVIEW_ROW_FIELDS), _complete_reviews)


def _complete_reviews(rows):
    for row in rows:
        row["reference"] = Proposal.reference_of(
            row["assignment__proposal__call__reference"], row["assignment__proposal_id"]
        )
        row["reviewer_name"] = row["assignment__reviewer__full_name"]
    return rows


def assignment_rows(queryset):
    """The assignments of `queryset` (its scope and order) as plain rows for the API, keyed as it names its fields,
    read a page at a time: one query for the page, no model instances. `review` is the review's id, if any."""
    return PagedRows(
        queryset.values(
            "id",
            "proposal",
            "reviewer",
            "status",
            "match",
            "decline_reason",
            "responded_at",
            "review",
            "review__status",
            "reviewer__full_name",
            "proposal__title",
            "proposal__title_native",
            "proposal__call_id",
            "proposal__call__reference",
            "proposal__call__review_deadline",
        ),
        _complete_assignments,
    )


def _complete_assignments(rows):
    for row in rows:
        row["reference"] = Proposal.reference_of(row["proposal__call__reference"], row["proposal"])
        row["reviewer_name"] = row["reviewer__full_name"]
        row["title"] = row["proposal__title"]
        row["title_native"] = row["proposal__title_native"]
        row["call"] = row["proposal__call_id"]
        row["review_deadline"] = row["proposal__call__review_deadline"]
    return rows


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


def proposal_choices(call):
    """(id, "REFERENCE — title") for each proposal in review, for a page's list to choose from: plain values, no
    instances, for calls of thousands."""
    prefix = call.reference.upper()
    rows = proposals_in_review(call).values_list("pk", "title")
    # As the `truncatechars:40` the list showed before: 39 characters and an ellipsis.
    return [(pk, f"{prefix}-{pk:04d} — {title if len(title) <= 40 else title[:39] + '…'}") for pk, title in rows]


def reviewer_choices():
    """(user id, name) for each reviewer, by name, for a page's list to choose from."""
    rows = (
        ReviewerProfile.objects.filter(user__is_reviewer=True)
        .order_by("user__full_name")
        .values_list("user_id", "user__full_name", "user__email")
    )
    return [(pk, name or email) for pk, name, email in rows]


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
    "kept_score__reviews",
    "kept_score__weighted",
    "kept_score__normalised",
    "kept_score__spread",
    "kept_score__disagreement",
    "decision__outcome",
    "decision__note",
)


def _ranked_proposals(call):
    return (
        proposals_in_review(call)
        .select_related("organisation", "platform", "kept_score", "decision")
        .only(*RANKED_PROPOSAL_FIELDS)
    )


def _ranking_row(proposal):
    """One row of the ranking from the proposal's kept figures (proposals/scoring.py); none kept: unreviewed."""
    score = getattr(proposal, "kept_score", None)
    return {
        "proposal": proposal,
        "reviews": score.reviews if score else 0,
        "weighted": score.weighted if score else None,
        "normalised": score.normalised if score else None,
        "spread": score.spread if score else 0.0,
        "disagreement": score.disagreement if score else False,
        "decision": getattr(proposal, "decision", None),
    }


def call_ranking(call):
    """Each proposal in review with its weighted mean, per-reviewer normalised score, review count and spread.

    Normalisation (as ESO's distributed peer review): each reviewer's overall grades across the call are
    turned into z-scores, so harsh and kind graders count alike; a proposal's normalised score is the mean.
    The figures are kept with the rows, up to date with every review and conflict (proposals/scoring.py): the
    ranking is one query, whatever the size of the call.
    """
    return [_ranking_row(proposal) for proposal in _ranked_proposals(call)]


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


def _ranking_order(key):
    """The database's order for `sort_ranking`'s keys, ties kept in the proposals' order as there."""
    title = Lower("title")
    if connection.vendor == "postgresql":
        title = Collate(title, "C")  # by code point, as Python compares the lower-cased titles
    orders = {
        "weighted": F("kept_score__weighted").desc(nulls_last=True),
        "normalised": F("kept_score__normalised").desc(nulls_last=True),
        "spread": Coalesce("kept_score__spread", Value(0.0)).desc(),
        "reviews": Coalesce("kept_score__reviews", Value(0)).desc(),
        "title": title.asc(),
    }
    return orders.get(key, orders["weighted"]), "pk"


# What the ranking's rows read as plain values for the API.
RANKED_VALUES = (
    "pk",
    "title",
    "title_native",
    "call__reference",
    "organisation__name",
    "organisation__country",
    "kept_score__reviews",
    "kept_score__weighted",
    "kept_score__normalised",
    "kept_score__spread",
    "kept_score__disagreement",
    "decision__outcome",
)


def _ranking_values_row(found):
    """One row of the ranking as the API names its fields, from plain values; no figures kept: unreviewed."""
    return {
        "proposal": found["pk"],
        "reference": Proposal.reference_of(found["call__reference"], found["pk"]),
        "title": found["title"],
        "title_native": found["title_native"],
        "organisation": found["organisation__name"],
        "country": found["organisation__country"],
        "reviews": found["kept_score__reviews"] or 0,
        "weighted": found["kept_score__weighted"],
        "normalised": found["kept_score__normalised"],
        "spread": found["kept_score__spread"] or 0.0,
        "disagreement": bool(found["kept_score__disagreement"]),
        "decision": found["decision__outcome"] or "",
    }


class RankedRows:
    """The ranking of `sort_ranking` read from the database a page at a time: sliced, it gives the rows of that
    page with their rank over the whole call; `count()` is the number of proposals in review. With `values`, each
    row is plain values keyed as the API names its fields, no model instances."""

    def __init__(self, call, key, values=False):
        queryset = _ranked_proposals(call).order_by(*_ranking_order(key))
        self.queryset = queryset.values(*RANKED_VALUES) if values else queryset
        self.row = _ranking_values_row if values else _ranking_row
        self._count = None

    def count(self):
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    def __len__(self):
        return self.count()

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start = index.start or 0
        rows = [self.row(found) for found in self.queryset[index]]
        for rank, row in enumerate(rows, start=start + 1):
            row["rank"] = rank
        return rows


def ranked_rows(call, key, values=False):
    """The call's ranking in the order asked for, to be read a page at a time (the API and the page)."""
    return RankedRows(call, key, values=values)


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
    """The call's proposals in review with fewer counted reviews than the call requires: their reference and count
    of reviews, read as plain values (a call has thousands)."""
    counts = dict(
        counted_reviews()
        .filter(assignment__proposal__call=call)
        .order_by()
        .values_list("assignment__proposal_id")
        .annotate(n=Count("pk"))
    )
    required = call.reviewers_per_proposal
    return [
        {"reference": Proposal.reference_of(call.reference, pk), "reviews": counts.get(pk, 0), "required": required}
        for pk in proposals_in_review(call).values_list("pk", flat=True)
        if counts.get(pk, 0) < required
    ]


def review_count(proposal):
    """How many counted reviews the proposal has."""
    return counted_reviews().filter(assignment__proposal=proposal).count()


def release_summary(call):
    """What releasing the call's decisions would do: teams per outcome, proposals still undecided (their reference
    and title) or short of reviews, and the assignments that would close. Plain values: a call has thousands."""
    proposals = proposals_in_review(call)
    outcomes = dict(
        Decision.objects.filter(proposal__in=proposals.values("pk"))
        .order_by()
        .values_list("outcome")
        .annotate(n=Count("pk"))
    )
    decided = set(Decision.objects.filter(proposal__call=call).values_list("proposal_id", flat=True))
    titles = list(proposals.values_list("pk", "title"))
    return {
        "outcomes": [
            {"outcome": value, "label": label, "teams": outcomes.get(value, 0)}
            for value, label in Decision.Outcome.choices
        ],
        "teams": len(titles),
        "undecided": [
            {"reference": Proposal.reference_of(call.reference, pk), "title": title}
            for pk, title in titles
            if pk not in decided
        ],
        "short": proposals_short_of_reviews(call),
        "open_assignments": ReviewAssignment.objects.filter(
            proposal__call=call, status__in=(ReviewAssignment.Status.PENDING, ReviewAssignment.Status.ACCEPTED)
        )
        .exclude(review__status=Review.Status.SUBMITTED)
        .count(),
    }


def proposals_in_review(call):
    """The proposals that go to review: submitted full proposals not found ineligible."""
    # Through the call's own manager, each proposal holds this `call` instead of a copy loaded per row.
    return (
        call.proposals.filter(status=Proposal.Status.SUBMITTED, stage=Proposal.Stage.FULL)
        .exclude(compliance=Proposal.Compliance.NOT_ELIGIBLE)
        .order_by("pk")
    )


def reviewable_proposals(call):
    """The proposals in review with what the conflict rules, the assignment and the emails read of them."""
    return (
        proposals_in_review(call)
        .select_related("organisation", "call", "principal_investigator", "platform")
        .prefetch_related("team")
    )


def review_context(call):
    proposals = list(reviewable_proposals(call))
    profiles = list(
        ReviewerProfile.objects.filter(user__is_reviewer=True, user__is_active=True)
        .select_related("user", "user__membership__organisation", "affiliation")
        .order_by("user__full_name", "pk")
    )
    overrides = {(c.proposal_id, c.reviewer_id): c for c in Conflict.objects.filter(proposal__call=call)}
    current = list(
        ReviewAssignment.objects.filter(proposal__call=call).exclude(status=ReviewAssignment.Status.DECLINED)
    )
    declined = set(
        ReviewAssignment.objects.filter(proposal__call=call, status=ReviewAssignment.Status.DECLINED).values_list(
            "proposal_id", "reviewer_id"
        )
    )
    return proposals, profiles, overrides, current, declined
