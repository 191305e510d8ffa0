"""The score the assignment maximises, its reasons, and the figures that judge an assignment.

    match = 100 × affinity + 10 × shared areas + 40 if the reviewer bid eager, + 15 if willing

`affinity` (0–1) is the stored text affinity (proposals/affinity.py). A "not willing" bid adds nothing and is
avoided by the solver outright: such a pair is chosen only when no other reviewer can fill the slot, and the
run reports each one. The figures read from the database only; nothing here computes text affinity.
"""

import json
import statistics
from typing import NamedTuple

from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from partners.choices import Area, labels
from proposals.models import Affinity, Bid

WEIGHTS = {"affinity": 100, "area": 10, "eager": 40, "willing": 15}
FORMULA = _(
    "match = %(affinity)s × affinity (0–1, from the reviewer's writing and keywords) + %(area)s × shared areas "
    "+ %(eager)s for an eager bid or %(willing)s for a willing one; a not-willing bid is avoided unless no one "
    "else can fill the slot."
)


def formula():
    return FORMULA % WEIGHTS


class PairFacts(NamedTuple):
    """What is stored of one pair (a tuple: a call's hundreds of thousands are built in a fraction of a second)."""

    affinity: float = 0.0
    rank: int | None = None
    terms: tuple = ()
    bid: str = ""
    # The stored terms as JSON text, read for a call's every pair and decoded only for the pairs shown.
    terms_json: str = ""

    @property
    def shared_terms(self):
        return list(self.terms) or (json.loads(self.terms_json) if self.terms_json else [])


def score(facts, shared_areas):
    """The integer match of one pair from its facts and the number of areas it shares."""
    bid = facts.bid
    bonus = WEIGHTS["eager"] if bid == Bid.Value.EAGER else WEIGHTS["willing"] if bid == Bid.Value.WILLING else 0
    return round(WEIGHTS["affinity"] * facts.affinity) + WEIGHTS["area"] * shared_areas + bonus


NO_FACTS = PairFacts()


class CallMatch:
    """The stored affinity and bids of one call, read once (two queries); callable as the solver's `match`."""

    def __init__(self, call=None, *, facts=None):
        self.facts = facts if facts is not None else _call_facts(call)
        self._areas = {}
        self._scores = {}  # the match of each pair asked, as the solver's two stages ask it again
        self._refused = {key for key, facts in self.facts.items() if facts.bid == Bid.Value.NOT_WILLING}

    def pair(self, proposal, profile):
        return self.facts.get((proposal.pk, profile.user_id), NO_FACTS)

    def _area_set(self, kind, key, values):
        found = self._areas.get((kind, key))
        if found is None:
            found = self._areas[(kind, key)] = frozenset(values or [])
        return found

    def shared_areas(self, proposal, profile):
        return sorted(
            self._area_set("p", proposal.pk, proposal.areas)
            & self._area_set("r", profile.user_id, profile.expertise_areas)
        )

    def __call__(self, proposal, profile):
        key = (proposal.pk, profile.user_id)
        found = self._scores.get(key)
        if found is None:
            shared = self._area_set("p", key[0], proposal.areas) & self._area_set("r", key[1], profile.expertise_areas)
            found = self._scores[key] = score(self.facts.get(key, NO_FACTS), len(shared))
        return found

    def unwilling(self, proposal, profile):
        return (proposal.pk, profile.user_id) in self._refused

    def reasons(self, proposal, profile):
        """Why this pair: shared areas, top shared terms, the bid, and the reviewer's affinity rank."""
        facts = self.pair(proposal, profile)
        areas = self.shared_areas(proposal, profile)
        return {
            "areas": areas,
            "terms": facts.shared_terms,
            "bid": facts.bid,
            "rank": facts.rank,
            "affinity": round(facts.affinity, 3),
            "match": score(facts, len(areas)),
        }


def _call_facts(call):
    query = (
        Affinity.objects.filter(proposal__call=call)
        .annotate(terms_json=Cast("terms", TextField()))
        .values_list("proposal_id", "reviewer_id", "score", "rank", "terms_json")
    )
    # Plain columns (ids, a float, an integer, text): read straight from the cursor, without a converter per row.
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    facts = {
        (proposal_id, reviewer_id): PairFacts(affinity, rank, (), "", terms_json)
        for proposal_id, reviewer_id, affinity, rank, terms_json in rows
    }
    for proposal_id, reviewer_id, value in Bid.objects.filter(proposal__call=call).values_list(
        "proposal_id", "reviewer_id", "value"
    ):
        facts[(proposal_id, reviewer_id)] = facts.get((proposal_id, reviewer_id), NO_FACTS)._replace(bid=value)
    return facts


def pair_match(proposal, profile):
    """The match and reasons of one pair, read from its own rows (for an assignment made by hand)."""
    affinity = Affinity.objects.filter(proposal=proposal, reviewer_id=profile.user_id).first()
    bid = Bid.objects.filter(proposal=proposal, reviewer_id=profile.user_id).values_list("value", flat=True).first()
    facts = PairFacts(
        affinity=affinity.score if affinity else 0.0,
        rank=affinity.rank if affinity else None,
        terms=tuple(affinity.terms) if affinity else (),
        bid=bid or "",
    )
    matcher = CallMatch(facts={(proposal.pk, profile.user_id): facts})
    return matcher(proposal, profile), matcher.reasons(proposal, profile)


def report(*, proposals, pairs, existing, match, bids, capacity):
    """The figures that judge an assignment: total, minimum and median per-proposal match, share of bids
    honoured, and the spread of loads. `pairs` and `existing` hold (proposal, profile) pairs."""
    per_proposal = {p.pk: 0 for p in proposals}
    load = {}
    chosen = set()
    for proposal, profile in [*existing, *pairs]:
        per_proposal[proposal.pk] = per_proposal.get(proposal.pk, 0) + match(proposal, profile)
        load[profile.user_id] = load.get(profile.user_id, 0) + 1
        chosen.add((proposal.pk, profile.user_id))
    values = sorted(per_proposal.values())
    wanted = [key for key, value in bids.items() if value in (Bid.Value.EAGER, Bid.Value.WILLING)]
    refused = [key for key, value in bids.items() if value == Bid.Value.NOT_WILLING]
    loads = [load.get(user_id, 0) for user_id, cap in capacity.items() if cap > 0]
    return {
        "total": sum(values),
        "minimum": values[0] if values else 0,
        "median": statistics.median(values) if values else 0,
        "bids_wanted": len(wanted),
        "bids_honoured": sum(1 for key in wanted if key in chosen),
        "honoured_share": round(sum(1 for key in wanted if key in chosen) / len(wanted), 3) if wanted else None,
        "not_willing_assigned": sum(1 for key in refused if key in chosen),
        "load_min": min(loads, default=0),
        "load_max": max(loads, default=0),
        "load_stdev": round(statistics.pstdev(loads), 2) if loads else 0,
    }


def run_report(*, result, proposals, reviewers, match, existing, capacity, **_options):
    """The report of an assignment run, as the audit row and the assignment page keep it."""
    figures = report(
        proposals=proposals,
        pairs=[(p, profile) for p, profile, _m in result.pairs],
        existing=list(existing),
        match=match,
        bids={key: facts.bid for key, facts in match.facts.items() if facts.bid},
        capacity={profile.user_id: capacity(profile) for profile in reviewers},
    )
    figures["not_willing_forced"] = [[p.reference, str(profile.user)] for p, profile in result.unwilling]
    return figures


def reasons_text(reasons):
    """One line that says why a pair was chosen, in the reader's language: areas, terms, bid, rank."""
    if not reasons:
        return ""
    parts = []
    if reasons.get("areas"):
        parts.append(
            _("shared areas: %(areas)s") % {"areas": ", ".join(str(a) for a in labels(Area, reasons["areas"]))}
        )
    if reasons.get("terms"):
        parts.append(_("shared terms: %(terms)s") % {"terms": ", ".join(reasons["terms"])})
    if reasons.get("bid"):
        parts.append(_("bid: %(bid)s") % {"bid": Bid.Value(reasons["bid"]).label})
    if reasons.get("rank"):
        parts.append(
            _("affinity %(affinity)s, rank %(rank)s for this proposal")
            % {"affinity": reasons.get("affinity", 0), "rank": reasons["rank"]}
        )
    else:
        parts.append(_("no shared writing"))
    return "; ".join(str(part) for part in parts)


def last_report(call):
    """The figures of the call's last automatic assignment run, from its audit row (None before any run)."""
    from portal.audit.models import AuditEvent

    event = (
        AuditEvent.objects.filter(
            action="call.reviewers_assigned", object_type="proposals.call", object_id=str(call.pk)
        )
        .order_by("-pk")
        .first()
    )
    return (event.data or {}).get("report") if event else None
