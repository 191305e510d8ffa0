"""Optimal reviewer assignment as a min-cost flow.

source → proposal (capacity k) → reviewer (capacity 1, cost −match) → load steps → sink → source.

Costs are ordered lexicographically: first fill as many of the k slots per proposal as the conflicts
and load caps allow, then use as few pairs the reviewer refused ("not willing") as possible, then maximise
the total expertise match, then balance the loads (each further proposal on a reviewer costs a little more
than the last, less than one unit of match in total).

A second stage (`raise_minimum`) then lifts the weakest proposal's summed match by moving and swapping
reviewers, never lowering the minimum, never adding a refused pair.
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
    unwilling: list = field(default_factory=list)  # (proposal, reviewer) chosen although the reviewer refused
    report: dict = field(default_factory=dict)  # figures filled in by the caller (proposals/matching.py)

    @property
    def total_match(self):
        return sum(match for _p, _r, match in self.pairs)


CANDIDATES_PER_PROPOSAL = 12
# The fairness stage looks for a move among the lowest proposals only, and makes a bounded number of moves.
FAIRNESS_SCAN = 25
MAX_FAIRNESS_MOVES_PER_PROPOSAL = 4


def solve(
    *,
    proposals,
    reviewers,
    k,
    capacity,
    match,
    conflicted,
    existing=(),
    candidates=CANDIDATES_PER_PROPOSAL,
    unwilling=None,
):
    """Assign k reviewers to each proposal.

    `capacity(reviewer)` is how many more proposals the reviewer may take, `match(proposal, reviewer)` a
    non-negative integer, `conflicted(proposal, reviewer)` True where they must never meet; `existing`
    holds (proposal, reviewer) pairs already assigned, which count towards k and are not repeated.
    `unwilling(proposal, reviewer)` True where the reviewer would rather not: such a pair is used only
    when no other way fills the slot, and is listed in the result's `unwilling`.

    The flow is solved first on each proposal's best `candidates` reviewers; the node potentials of that
    optimum then price every left-out pair, and any pair that could improve the result joins the graph
    for another round. The answer is the optimum over all pairs, found on a far smaller graph.
    """
    proposals, reviewers = list(proposals), list(reviewers)
    position = {r: j for j, r in enumerate(reviewers)}
    held = [0] * len(proposals)
    already = set()
    proposal_position = {p: i for i, p in enumerate(proposals)}
    for p, r in existing:
        if p in proposal_position and r in position:
            i, j = proposal_position[p], position[r]
            already.add((i, j))
            held[i] += 1
    caps = [max(capacity(r), 0) for r in reviewers]
    need = [max(k - held[i], 0) for i in range(len(proposals))]
    scores = {}
    refused = set()
    for i, p in enumerate(proposals):
        if not need[i]:
            continue
        for j, r in enumerate(reviewers):
            if caps[j] and (i, j) not in already and not conflicted(p, r):
                scores[(i, j)] = max(int(match(p, r)), 0)
                if unwilling is not None and unwilling(p, r):
                    refused.add((i, j))
    # One unit of match must outweigh all balancing; one refused pair avoided must outweigh all match;
    # one filled slot must outweigh every refused pair. Loads cost 1, 4, 9, … per step, so the whole
    # balancing term stays below reviewers × cap³.
    max_cap = max(caps, default=0)
    slots = max(len(proposals) * k, 1)
    match_unit = max(len(reviewers), 1) * max_cap**3 + 1
    avoid_unit = match_unit * (max(scores.values(), default=0) + 1) * slots
    fill_bonus = avoid_unit * (slots + 1)

    def cost(pair):
        return -(fill_bonus + match_unit * scores[pair]) + (avoid_unit if pair in refused else 0)

    by_proposal = {}
    for (i, j), score in scores.items():
        by_proposal.setdefault(i, []).append(((i, j) in refused, -score, j))
    active = set()
    for i, ranked in by_proposal.items():
        ranked.sort()
        active.update((i, j) for _refused, _score, j in ranked[: max(candidates, 2 * k)])

    while True:
        graph = _network(active, need, caps, cost)
        _total, flow = nx.network_simplex(graph)
        potential = _potentials(graph, flow)
        better = [
            pair
            for pair in scores.keys() - active
            if cost(pair) + potential[("p", pair[0])] - potential[("r", pair[1])] < 0
        ]
        if not better:
            break
        active.update(better)

    pairs = []
    got = list(held)
    for i, p in enumerate(proposals):
        for node, units in flow.get(("p", i), {}).items():
            if units:
                j = node[1]
                pairs.append((p, reviewers[j], scores[(i, j)]))
                got[i] += 1
    position_of = {p: i for i, p in enumerate(proposals)}
    eligible = [0] * len(proposals)
    for i, _j in scores:
        eligible[i] += 1
    shortfalls = [
        Shortfall(proposal=p, missing=k - got[i], eligible=eligible[i]) for i, p in enumerate(proposals) if got[i] < k
    ]
    chosen_refused = [(p, r) for p, r, _m in pairs if (position_of[p], position[r]) in refused]
    return AssignmentResult(pairs=pairs, shortfalls=shortfalls, unwilling=chosen_refused)


def _network(active, need, caps, cost):
    """The circulation: source → proposal → reviewer → load step → sink → back to the source."""
    graph = nx.DiGraph()
    graph.add_node("source", demand=0)
    graph.add_node("sink", demand=0)
    graph.add_edge("sink", "source", capacity=sum(need), weight=0)
    for i, units in enumerate(need):
        if units:
            graph.add_edge("source", ("p", i), capacity=units, weight=0)
    for i, j in active:
        graph.add_edge(("p", i), ("r", j), capacity=1, weight=cost((i, j)))
    for j, cap in enumerate(caps):
        for step in range(1, cap + 1):
            graph.add_edge(("r", j), ("load", j, step), capacity=1, weight=step * step)
            graph.add_edge(("load", j, step), "sink", capacity=1, weight=0)
    return graph


def _potentials(graph, flow):
    """Shortest distances in the residual graph of an optimal flow: reduced costs there are never negative."""
    residual = nx.DiGraph()
    root = "root"
    for node in graph:
        residual.add_edge(root, node, weight=0)
    for u, v, data in graph.edges(data=True):
        units = flow[u][v]
        if units < data["capacity"]:
            residual.add_edge(u, v, weight=data["weight"])
        if units > 0:
            residual.add_edge(v, u, weight=-data["weight"])
    return nx.single_source_bellman_ford_path_length(residual, root)


def raise_minimum(*, result, proposals, reviewers, capacity, match, conflicted, existing=(), unwilling=None):
    """The fairness stage: lift the weakest proposal's summed match, as OpenReview's FairFlow does.

    Takes the proposals from the lowest sum up (existing pairs included) and tries, for each of their new
    reviewers, a better one: a reviewer with spare load, or one swapped with another proposal whose sum
    stays above the lifted proposal's old sum. Every move lifts a proposal and leaves the other one it touches
    above that proposal's old sum, so the minimum never falls (and the sorted sums rise, so it ends); refused
    and conflicted pairs are never introduced. Stops when none of the lowest proposals can be lifted.
    """
    proposals, reviewers = list(proposals), list(reviewers)
    refuses = unwilling or (lambda p, r: False)
    cache = {}

    def s(p, r):
        if (p, r) not in cache:
            cache[(p, r)] = max(int(match(p, r)), 0)
        return cache[(p, r)]

    def allowed(p, r):
        return not conflicted(p, r) and not refuses(p, r)

    fixed = {p: set() for p in proposals}
    for p, r in existing:
        if p in fixed:
            fixed[p].add(r)
    movable = {p: set() for p in proposals}
    left = {r: max(capacity(r), 0) for r in reviewers}
    for p, r, _m in result.pairs:
        movable[p].add(r)
        left[r] -= 1
    holders = {r: set() for r in reviewers}
    for p, chosen in movable.items():
        for r in chosen:
            holders[r].add(p)
    total = {p: sum(s(p, r) for r in fixed[p] | movable[p]) for p in proposals}

    def best_move(weak):
        floor = total[weak]
        best = None
        taken = fixed[weak] | movable[weak]
        for out in movable[weak]:
            for into in reviewers:
                if into in taken or not allowed(weak, into):
                    continue
                gain = s(weak, into) - s(weak, out)
                if gain <= 0:
                    continue
                if left[into] > 0:
                    candidate = (floor + gain, gain, out, into, None)
                else:
                    candidate = None
                    for other in holders[into]:
                        if other is weak or out in fixed[other] | movable[other] or not allowed(other, out):
                            continue
                        after = total[other] - s(other, into) + s(other, out)
                        if after > floor and (candidate is None or min(after, floor + gain) > candidate[0]):
                            candidate = (min(after, floor + gain), gain, out, into, other)
                if candidate is not None and (best is None or candidate[:2] > best[:2]):
                    best = candidate
        return best

    order = {p: i for i, p in enumerate(proposals)}
    for _step in range(MAX_FAIRNESS_MOVES_PER_PROPOSAL * len(proposals)):
        # The lowest proposals first; a move for one of them lifts it and keeps the other above it.
        for weak in sorted(proposals, key=lambda p: (total[p], order[p]))[:FAIRNESS_SCAN]:
            move = best_move(weak)
            if move is not None:
                break
        else:
            break
        _value, gain, out, into, other = move
        movable[weak].discard(out)
        movable[weak].add(into)
        holders[out].discard(weak)
        holders[into].add(weak)
        total[weak] += gain
        if other is None:
            left[into] -= 1
            left[out] += 1
        else:
            movable[other].discard(into)
            movable[other].add(out)
            holders[into].discard(other)
            holders[out].add(other)
            total[other] += s(other, out) - s(other, into)
    pairs = [(p, r, s(p, r)) for p in proposals for r in sorted(movable[p], key=reviewers.index)]
    refused = [(p, r) for p, r, _m in pairs if refuses(p, r)]
    return AssignmentResult(pairs=pairs, shortfalls=result.shortfalls, unwilling=refused)
