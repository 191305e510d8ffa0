"""Optimal reviewer assignment as a min-cost flow.

source → proposal (capacity k) → reviewer (capacity 1, cost −match) → load steps → sink.

Solved by OR-Tools' compiled min-cost flow (`SimpleMinCostFlow`). Costs are ordered lexicographically: first
fill as many of the k slots per proposal as the conflicts and load caps allow (the largest flow), then use as
few pairs the reviewer refused ("not willing") as possible, then maximise the total expertise match, then
balance the loads (each further proposal on a reviewer costs a little more than the last, less than one unit
of match in total).

A second stage (`raise_minimum`) then lifts the weakest proposal's summed match by moving and swapping
reviewers, never lowering the minimum, never adding a refused pair.
"""

import heapq
from dataclasses import dataclass, field

import numpy
from ortools.graph.python import min_cost_flow


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
# OR-Tools scales costs by the number of nodes in 64-bit integers; wider costs go to the exact Python solver.
MAX_COMPILED_COST = 2**62 // 100_000


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

    The flow is solved on every allowed pair at once by OR-Tools' compiled min-cost flow (a call of 1,000
    proposals × 300 reviewers in about a second). `candidates` is kept for callers: the optimum is the one over
    all pairs whatever it says.
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
    # One unit of match must outweigh all balancing; one refused pair avoided must outweigh all match.
    # Loads cost 1, 4, 9, … per step, so the whole balancing term stays below reviewers × cap³. Filling as many
    # slots as possible comes first: the solver finds the largest flow, and the cheapest among those.
    max_cap = max(caps, default=0)
    slots = max(len(proposals) * k, 1)
    match_unit = max(len(reviewers), 1) * max_cap**3 + 1
    avoid_unit = match_unit * (max(scores.values(), default=0) + 1) * slots

    flow = _max_flow_min_cost(scores, refused, need, caps, match_unit, avoid_unit)
    pairs = []
    got = list(held)
    for i, j in flow:
        pairs.append((proposals[i], reviewers[j], scores[(i, j)]))
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


def _max_flow_min_cost(scores, refused, need, caps, match_unit, avoid_unit):
    """The chosen (proposal, reviewer) index pairs: the largest flow source → proposal → reviewer → load step →
    sink, and among those the one of least cost, solved by OR-Tools' compiled min-cost flow on every pair."""
    n, m = len(need), len(caps)
    source, sink = 0, 1
    first_reviewer = 2 + n
    first_step = first_reviewer + m
    tails, heads, capacities, costs = [], [], [], []
    for i, units in enumerate(need):
        if units:
            tails.append(source)
            heads.append(2 + i)
            capacities.append(units)
            costs.append(0)
    pair_arcs = list(scores)
    pairs_from = len(tails)
    for i, j in pair_arcs:
        tails.append(2 + i)
        heads.append(first_reviewer + j)
        capacities.append(1)
        costs.append(-match_unit * scores[(i, j)] + (avoid_unit if (i, j) in refused else 0))
    step_node = first_step
    for j, cap in enumerate(caps):
        for step in range(1, cap + 1):
            tails += [first_reviewer + j, step_node]
            heads += [step_node, sink]
            capacities += [1, 1]
            costs += [step * step, 0]
            step_node += 1
    if not pair_arcs:
        return []
    if max(abs(cost) for cost in costs) > MAX_COMPILED_COST:
        # Costs too wide for the compiled solver's 64-bit arithmetic (a call far larger than any seen): the same
        # flow in Python's unbounded integers, slower but exact.
        return _max_flow_min_cost_python(tails, heads, capacities, costs, pair_arcs, n)
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        numpy.array(tails, dtype=numpy.int32),
        numpy.array(heads, dtype=numpy.int32),
        numpy.array(capacities, dtype=numpy.int64),
        numpy.array(costs, dtype=numpy.int64),
    )
    total = sum(need)
    solver.set_node_supply(source, total)
    solver.set_node_supply(sink, -total)
    status = solver.solve_max_flow_with_min_cost()
    if status == solver.BAD_COST_RANGE:
        return _max_flow_min_cost_python(tails, heads, capacities, costs, pair_arcs, n)
    if status != solver.OPTIMAL:
        raise RuntimeError(f"The assignment's min-cost flow was not solved: {status!r}")
    flows = solver.flows(numpy.arange(pairs_from, pairs_from + len(pair_arcs), dtype=numpy.int32))
    return [pair for pair, units in zip(pair_arcs, flows, strict=True) if units]


def _max_flow_min_cost_python(tails, heads, capacities, costs, pair_arcs, n):
    import networkx as nx

    graph = nx.DiGraph()
    for tail, head, capacity, cost in zip(tails, heads, capacities, costs, strict=True):
        graph.add_edge(tail, head, capacity=capacity, weight=cost)
    flow = nx.max_flow_min_cost(graph, 0, 1)
    return [(i, j) for i, j in pair_arcs if flow[2 + i][2 + n + j]]


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

    allowed_cache = {}

    def allowed(p, r):
        if (p, r) not in allowed_cache:
            allowed_cache[(p, r)] = not conflicted(p, r) and not refuses(p, r)
        return allowed_cache[(p, r)]

    position = {r: j for j, r in enumerate(reviewers)}
    by_score = {}

    def stronger(p, than):
        """The reviewers whose match with `p` is above `than`, in the reviewers' own order."""
        ranked = by_score.get(p)
        if ranked is None:
            ranked = by_score[p] = sorted(((s(p, r), j) for j, r in enumerate(reviewers)), reverse=True)
        found = []
        for score, j in ranked:
            if score <= than:
                break
            found.append(j)
        found.sort()
        return [reviewers[j] for j in found]

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
            # Only a reviewer who matches `weak` better than `out` can lift it: the others are never tried.
            for into in stronger(weak, s(weak, out)):
                if into in taken or not allowed(weak, into):
                    continue
                gain = s(weak, into) - s(weak, out)
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
        for weak in heapq.nsmallest(FAIRNESS_SCAN, proposals, key=lambda p: (total[p], order[p])):
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
    pairs = [(p, r, s(p, r)) for p in proposals for r in sorted(movable[p], key=position.__getitem__)]
    refused = [(p, r) for p, r, _m in pairs if refuses(p, r)]
    return AssignmentResult(pairs=pairs, shortfalls=result.shortfalls, unwilling=refused)
