"""The ranking's figures, kept with the rows and brought up to date in the transaction of the change that moves them.

A proposal's ranking reads its counted reviews (submitted, no conflict declared or added between the proposal and
the reviewer): the mean of their weighted scores, the mean of the reviewers' z-scores (each reviewer's weighted
scores across the call, as ESO's distributed peer review normalises them), how many there are and their spread.
A reviewer's z-scores move with any of their reviews in the call, so a change to one review (or to a conflict)
recomputes that reviewer's rows in the call (`ReviewScore`) and then every proposal they touch or touched
(`ProposalScore`). The signals in proposals/signals.py call `refresh_scores` for every saved or deleted review
and conflict, and a change to a call's criteria rebuilds the call; writes that send no signal (bulk loads, raw
SQL) are followed by `manage.py rebuild_scores`.

Two reviews of the same call saved at once are refreshed one after the other (a transaction-scoped advisory
lock per call on PostgreSQL), so neither reads the other's rows half-written.
"""

import statistics
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.utils.translation import gettext as _

from portal.units import KILOGRAM, MEGABYTES_PER_DAY, WATT
from proposals.models import Call, Decision, Proposal, ProposalScore, Review, ReviewScore
from proposals.review.selectors import counted_reviews

DISAGREEMENT_SPREAD = 1.5
_LOCK_CLASS = 1900  # the advisory-lock namespace of the kept scores (the second key is the call)


def _weighted_score(call, scores):
    return weighted_score(call, scores, number=float)


def review_scores(call, rows):
    """{review id: (proposal id, reviewer id, weighted, z-score)} for the counted reviews `rows` (review id, proposal
    id, reviewer id, scores), which must hold every counted review of each reviewer they name in the call."""
    graded = []
    by_reviewer = defaultdict(list)
    for review_id, proposal_id, reviewer_id, scores in rows:
        score = _weighted_score(call, scores)
        if score is None:
            continue
        graded.append((review_id, proposal_id, reviewer_id, score))
        by_reviewer[reviewer_id].append(score)
    spread = {}
    for reviewer_id, grades in by_reviewer.items():
        mean = statistics.fmean(grades)
        deviation = statistics.pstdev(grades) if len(grades) > 1 else 0.0
        spread[reviewer_id] = (mean, deviation)
    kept = {}
    for review_id, proposal_id, reviewer_id, score in graded:
        mean, deviation = spread[reviewer_id]
        kept[review_id] = (proposal_id, reviewer_id, score, (score - mean) / deviation if deviation else 0.0)
    return kept


def proposal_figures(pairs):
    """The ranking's figures of one proposal from its counted reviews' (weighted, z-score) pairs."""
    scores = [weighted for weighted, _z in pairs]
    # Rounded before comparing: in floating point 4.6 − 3.1 falls just short of 1.5.
    spread = round(max(scores) - min(scores), 2) if len(scores) > 1 else 0.0
    return {
        "reviews": len(scores),
        "weighted": round(statistics.fmean(scores), 2),
        "normalised": round(statistics.fmean(z for _weighted, z in pairs), 2) + 0.0,  # + 0.0: no "-0.0"
        "spread": spread,
        "disagreement": spread >= DISAGREEMENT_SPREAD,
    }


def recomputed(call):
    """{proposal id: figures} for every proposal of the call with a counted review, computed from the reviews
    alone (what the kept rows must equal; also what `rebuild_scores` writes)."""
    rows = counted_reviews().filter(assignment__proposal__call=call)
    kept = review_scores(
        call, rows.values_list("pk", "assignment__proposal_id", "assignment__reviewer_id", "scores").order_by()
    )
    pairs = defaultdict(list)
    for proposal_id, _reviewer_id, weighted, z in kept.values():
        pairs[proposal_id].append((weighted, z))
    return {proposal_id: proposal_figures(found) for proposal_id, found in pairs.items()}


def _lock(call_id):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, call_id])


def refresh_scores(*, call_id, reviewer_ids=None, proposal_ids=()):
    """Bring the kept figures of these reviewers in the call (all of them when None) and of every proposal they
    reviewed, before or now (and of `proposal_ids`, whose kept rows may have gone with a deleted review), up to
    date. Call it inside the transaction of the change."""
    _lock(call_id)
    call = Call.objects.only("criteria").get(pk=call_id)
    counted = counted_reviews().filter(assignment__proposal__call_id=call_id)
    old = ReviewScore.objects.filter(call_id=call_id)
    if reviewer_ids is not None:
        reviewer_ids = list(reviewer_ids)
        counted = counted.filter(assignment__reviewer_id__in=reviewer_ids)
        old = old.filter(reviewer_id__in=reviewer_ids)
    kept = review_scores(
        call, counted.values_list("pk", "assignment__proposal_id", "assignment__reviewer_id", "scores").order_by()
    )
    touched = set(old.values_list("proposal_id", flat=True)) | set(proposal_ids)
    old.delete()
    ReviewScore.objects.bulk_create(
        [
            ReviewScore(
                review_id=review_id,
                call_id=call_id,
                proposal_id=proposal_id,
                reviewer_id=reviewer_id,
                weighted=weighted,
                normalised=z,
            )
            for review_id, (proposal_id, reviewer_id, weighted, z) in kept.items()
        ],
        batch_size=2000,
    )
    touched.update(proposal_id for proposal_id, _reviewer, _weighted, _z in kept.values())
    _refresh_proposals(call_id, touched if reviewer_ids is not None else None)


def _refresh_proposals(call_id, proposal_ids):
    rows = ReviewScore.objects.filter(call_id=call_id)
    stale = ProposalScore.objects.filter(call_id=call_id)
    if proposal_ids is not None:
        if not proposal_ids:
            return
        rows = rows.filter(proposal_id__in=proposal_ids)
        stale = stale.filter(proposal_id__in=proposal_ids)
    pairs = defaultdict(list)
    for proposal_id, weighted, z in rows.values_list("proposal_id", "weighted", "normalised").order_by():
        pairs[proposal_id].append((weighted, z))
    stale.exclude(proposal_id__in=list(pairs)).delete()
    ProposalScore.objects.bulk_create(
        [
            ProposalScore(proposal_id=proposal_id, call_id=call_id, **proposal_figures(found))
            for proposal_id, found in pairs.items()
        ],
        update_conflicts=True,
        unique_fields=["proposal"],
        update_fields=["call", "reviews", "weighted", "normalised", "spread", "disagreement"],
        batch_size=2000,
    )


def rebuild_scores(calls=None):
    """Recompute every kept figure of these calls (every call with reviews when None); the number of calls."""
    if calls is None:
        ids = set(Review.objects.values_list("assignment__proposal__call_id", flat=True).distinct().order_by())
        ids |= set(ReviewScore.objects.values_list("call_id", flat=True).distinct().order_by())
    else:
        ids = {call.pk for call in calls}
    for call_id in sorted(ids):
        with transaction.atomic():
            refresh_scores(call_id=call_id)
    return len(ids)


def weighted_score(call, scores, number=Decimal):
    """The review's overall score on the 1–5 scale, weighted by the call's criteria; None when nothing is graded.

    Grades and weights are whole numbers, so the weighted sum is exact; only the division is done in `number`
    (Decimal for exports, float where thousands are ranked at once).
    """
    total_weight = sum(c["weight"] for c in call.criteria if c["key"] in scores)
    if not total_weight:
        return None
    return number(sum(scores[c["key"]] * c["weight"] for c in call.criteria if c["key"] in scores)) / total_weight


def manifest(call, decisions=None):
    """Per platform: the selected payloads' mass, average power and data summed against its budget."""
    # Only the selected proposals are read: a call of thousands builds a few dozen instances.
    proposals = Proposal.objects.filter(call=call, status=Proposal.Status.SUBMITTED)
    if decisions is None:
        proposals = proposals.filter(decision__outcome=Decision.Outcome.SELECTED)
    else:
        proposals = proposals.filter(
            pk__in=[pk for pk, outcome in decisions.items() if outcome == Decision.Outcome.SELECTED]
        )
    proposals = list(proposals.only("platform", "mass_kg", "average_power_w", "data_mb_per_day").order_by("pk"))
    rows = []
    for platform in call.platforms.all():
        chosen = [p for p in proposals if p.platform_id == platform.pk]
        figures = []
        for label, field, budget, unit in (
            (_("Mass"), "mass_kg", platform.total_mass_kg, KILOGRAM),
            (_("Average power"), "average_power_w", platform.total_average_power_w, WATT),
            (_("Data volume"), "data_mb_per_day", platform.total_data_mb_per_day, MEGABYTES_PER_DAY),
        ):
            used = sum((getattr(p, field) or Decimal(0) for p in chosen), Decimal(0))
            figures.append({"label": label, "used": used, "budget": budget, "unit": unit, "over": used > budget})
        rows.append({"platform": platform, "payloads": len(chosen), "figures": figures})
    return rows
