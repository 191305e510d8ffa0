"""Optimal reviewer assignment as a min-cost flow.

source → proposal (capacity k) → reviewer (capacity 1, cost −match) → load steps → sink.

Costs are ordered lexicographically: first fill as many of the k slots per proposal as the conflicts
and load caps allow, then maximise the total expertise match, then balance the loads (each further
proposal on a reviewer costs a little more than the last, less than one unit of match in total).
"""

from dataclasses import dataclass, field

import networkx as nx


@dataclass(frozen=True)
class Shortfall:
    proposal: object
    missing: int
    eligible: int


@dataclass
class AssignmentResult:
    pairs: list = field(default_factory=list)  # (proposal, reviewer, match)
    shortfalls: list = field(default_factory=list)

    @property
    def total_match(self):
        return sum(match for _p, _r, match in self.pairs)


def solve(*, proposals, reviewers, k, capacity, match, conflicted, existing=()):
    """Assign k reviewers to each proposal.

    `capacity(reviewer)` is how many more proposals the reviewer may take, `match(proposal, reviewer)` a
    non-negative integer, `conflicted(proposal, reviewer)` True where they must never meet; `existing`
    holds (proposal, reviewer) pairs already assigned, which count towards k and are not repeated.
    """
    proposals, reviewers = list(proposals), list(reviewers)
    already = {(p, r) for p, r in existing}
    held = {p: sum(1 for q, _r in already if q == p) for p in proposals}
    caps = {r: max(capacity(r), 0) for r in reviewers}
    max_cap = max(caps.values(), default=0)
    # One unit of match must outweigh all balancing; one filled slot must outweigh all match.
    # Loads cost 1, 4, 9, … per step, so the whole balancing term stays below reviewers × cap³.
    balance_step = 1
    match_unit = balance_step * max(len(reviewers), 1) * max_cap**3 + 1
    scores = {}
    for p in proposals:
        for r in reviewers:
            if (p, r) not in already and not conflicted(p, r):
                scores[(p, r)] = max(int(match(p, r)), 0)
    top = max(scores.values(), default=0)
    fill_bonus = match_unit * (top + 1) * max(len(proposals) * k, 1)

    graph = nx.DiGraph()
    for p in proposals:
        need = max(k - held[p], 0)
        if need:
            graph.add_edge("source", ("p", p), capacity=need, weight=0)
    for (p, r), score in scores.items():
        if graph.has_edge("source", ("p", p)) and caps[r] > 0:
            graph.add_edge(("p", p), ("r", r), capacity=1, weight=-(fill_bonus + match_unit * score))
    for r in reviewers:
        for step in range(1, caps[r] + 1):
            graph.add_edge(("r", r), ("load", r, step), capacity=1, weight=balance_step * step * step)
            graph.add_edge(("load", r, step), "sink", capacity=1, weight=0)
    pairs = []
    if graph.has_node("source") and graph.has_node("sink"):
        flow = nx.max_flow_min_cost(graph, "source", "sink")
        for p in proposals:
            for node, units in flow.get(("p", p), {}).items():
                if units:
                    r = node[1]
                    pairs.append((p, r, scores[(p, r)]))
    got = {p: held[p] for p in proposals}
    for p, _r, _m in pairs:
        got[p] += 1
    shortfalls = [
        Shortfall(proposal=p, missing=k - got[p], eligible=sum(1 for r in reviewers if (p, r) in scores))
        for p in proposals
        if got[p] < k
    ]
    return AssignmentResult(pairs=pairs, shortfalls=shortfalls)


def greedy(*, proposals, reviewers, k, capacity, match, conflicted):
    """The obvious approach, for comparison: each proposal in turn takes its best available reviewers."""
    left = {r: max(capacity(r), 0) for r in reviewers}
    pairs = []
    for p in proposals:
        candidates = sorted(
            (r for r in reviewers if left[r] > 0 and not conflicted(p, r)), key=lambda r: -int(match(p, r))
        )
        for r in candidates[:k]:
            left[r] -= 1
            pairs.append((p, r, int(match(p, r))))
    return AssignmentResult(pairs=pairs)
