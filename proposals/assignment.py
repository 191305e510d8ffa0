"""Optimal reviewer assignment as a min-cost flow.

source → proposal (capacity k) → reviewer (capacity 1, cost −match) → load steps → sink → source.

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


CANDIDATES_PER_PROPOSAL = 12


def solve(*, proposals, reviewers, k, capacity, match, conflicted, existing=(), candidates=CANDIDATES_PER_PROPOSAL):
    """Assign k reviewers to each proposal.

    `capacity(reviewer)` is how many more proposals the reviewer may take, `match(proposal, reviewer)` a
    non-negative integer, `conflicted(proposal, reviewer)` True where they must never meet; `existing`
    holds (proposal, reviewer) pairs already assigned, which count towards k and are not repeated.

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
    for i, p in enumerate(proposals):
        if not need[i]:
            continue
        for j, r in enumerate(reviewers):
            if caps[j] and (i, j) not in already and not conflicted(p, r):
                scores[(i, j)] = max(int(match(p, r)), 0)
    # One unit of match must outweigh all balancing; one filled slot must outweigh all match.
    # Loads cost 1, 4, 9, … per step, so the whole balancing term stays below reviewers × cap³.
    max_cap = max(caps, default=0)
    match_unit = max(len(reviewers), 1) * max_cap**3 + 1
    fill_bonus = match_unit * (max(scores.values(), default=0) + 1) * max(len(proposals) * k, 1)

    def cost(pair):
        return -(fill_bonus + match_unit * scores[pair])

    by_proposal = {}
    for (i, j), score in scores.items():
        by_proposal.setdefault(i, []).append((-score, j))
    active = set()
    for i, ranked in by_proposal.items():
        ranked.sort()
        active.update((i, j) for _score, j in ranked[: max(candidates, 2 * k)])

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
    eligible = [0] * len(proposals)
    for i, _j in scores:
        eligible[i] += 1
    shortfalls = [
        Shortfall(proposal=p, missing=k - got[i], eligible=eligible[i]) for i, p in enumerate(proposals) if got[i] < k
    ]
    return AssignmentResult(pairs=pairs, shortfalls=shortfalls)


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
