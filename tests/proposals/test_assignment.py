"""Property tests of the optimal reviewer assignment on random instances."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from proposals.review.assignment import raise_minimum, solve
from tests.proposals.assignment_reference import greedy


@st.composite
def instances(draw):
    proposals = list(range(draw(st.integers(1, 8))))
    reviewers = list(range(draw(st.integers(1, 8))))
    k = draw(st.integers(1, 3))
    caps = {r: draw(st.integers(0, 4)) for r in reviewers}
    match = {(p, r): draw(st.integers(0, 10)) for p in proposals for r in reviewers}
    conflicts = {(p, r) for p in proposals for r in reviewers if draw(st.booleans()) and draw(st.booleans())}
    return proposals, reviewers, k, caps, match, conflicts


def _run(algorithm, instance, **options):
    proposals, reviewers, k, caps, match, conflicts = instance
    return algorithm(
        **options,
        proposals=proposals,
        reviewers=reviewers,
        k=k,
        capacity=lambda r: caps[r],
        match=lambda p, r: match[(p, r)],
        conflicted=lambda p, r: (p, r) in conflicts,
    )


@settings(max_examples=150, deadline=None)
@given(instances())
def test_no_conflict_caps_respected_k_when_feasible_and_never_worse_than_greedy(instance):
    proposals, reviewers, k, caps, match, conflicts = instance
    result = _run(solve, instance)
    pairs = [(p, r) for p, r, _m in result.pairs]
    assert len(pairs) == len(set(pairs)), "a reviewer is assigned twice to one proposal"
    assert not set(pairs) & conflicts, "a conflicted reviewer was assigned"
    loads = Counter(r for _p, r in pairs)
    assert all(loads[r] <= caps[r] for r in reviewers)
    per_proposal = Counter(p for p, _r in pairs)
    assert all(per_proposal[p] <= k for p in proposals)
    # every proposal gets k whenever the instance allows it: the flow is maximal, so it fills
    # at least as many slots as greedy, and when greedy fills everything so does the optimum
    baseline = _run(greedy, instance)
    assert len(result.pairs) >= len(baseline.pairs)
    if len(baseline.pairs) == len(proposals) * k:
        assert all(per_proposal[p] == k for p in proposals)
        assert result.total_match >= baseline.total_match
    short = {s.proposal for s in result.shortfalls}
    assert short == {p for p in proposals if per_proposal[p] < k}


def _objective(result):
    """What the solver optimises, in order: slots filled, total match, then the balancing cost of the loads."""
    loads = Counter(r for _p, r, _m in result.pairs)
    return len(result.pairs), result.total_match, -sum(n * (n + 1) * (2 * n + 1) // 6 for n in loads.values())


@settings(max_examples=150, deadline=None)
@given(instances())
def test_pricing_out_left_out_pairs_reaches_the_same_optimum_as_the_whole_graph(instance):
    reviewers = instance[1]
    narrow = _run(solve, instance, candidates=1)
    whole = _run(solve, instance, candidates=len(reviewers))
    assert _objective(narrow) == _objective(whole)


def test_loads_come_out_balanced():
    proposals, reviewers = list(range(12)), list(range(6))
    result = solve(
        proposals=proposals,
        reviewers=reviewers,
        k=2,
        capacity=lambda r: 10,
        match=lambda p, r: 5,
        conflicted=lambda p, r: False,
    )
    assert sorted(Counter(r for _p, r, _m in result.pairs).values()) == [4] * 6


def test_shortfall_says_which_proposal_lacks_reviewers():
    result = solve(
        proposals=["A", "B"],
        reviewers=["r1", "r2"],
        k=2,
        capacity=lambda r: 5,
        match=lambda p, r: 1,
        conflicted=lambda p, r: p == "B" and r == "r2",
    )
    [shortfall] = result.shortfalls
    assert (shortfall.proposal, shortfall.missing, shortfall.eligible) == ("B", 1, 1)


# Bids and fairness ----------------------------------------------------------------------------


@st.composite
def bid_instances(draw):
    proposals, reviewers, k, caps, match, conflicts = draw(instances())
    refused = {(p, r) for p in proposals for r in reviewers if (p, r) not in conflicts and draw(st.booleans())}
    return (proposals, reviewers, k, caps, match, conflicts), refused


def _per_proposal(result, proposals):
    sums = dict.fromkeys(proposals, 0)
    for p, _r, m in result.pairs:
        sums[p] += m
    return sums


def _fair(instance, refused):
    proposals, reviewers, k, caps, match, conflicts = instance
    first = _run(solve, instance, unwilling=lambda p, r: (p, r) in refused)
    second = raise_minimum(
        result=first,
        proposals=proposals,
        reviewers=reviewers,
        capacity=lambda r: caps[r],
        match=lambda p, r: match[(p, r)],
        conflicted=lambda p, r: (p, r) in conflicts,
        unwilling=lambda p, r: (p, r) in refused,
    )
    return first, second


@settings(max_examples=150, deadline=None)
@given(bid_instances())
def test_not_willing_is_respected_whenever_the_slots_can_be_filled_without_it(case):
    instance, refused = case
    proposals, reviewers, k, caps, match, conflicts = instance
    result = _run(solve, instance, unwilling=lambda p, r: (p, r) in refused)
    without_bids = _run(solve, instance)
    avoiding = _run(solve, (proposals, reviewers, k, caps, match, conflicts | refused))

    assert len(result.pairs) == len(without_bids.pairs), "a refusal never leaves a slot empty that could be filled"
    assert set(result.unwilling) == {(p, r) for p, r, _m in result.pairs if (p, r) in refused}
    if len(avoiding.pairs) == len(without_bids.pairs):
        assert result.unwilling == []
    assert len(result.unwilling) <= sum(1 for p, r, _m in without_bids.pairs if (p, r) in refused), "fewest refusals"


@settings(max_examples=200, deadline=None)
@given(bid_instances())
def test_the_fairness_stage_never_lowers_the_minimum_and_keeps_every_rule(case):
    instance, refused = case
    proposals, reviewers, k, caps, match, conflicts = instance
    first, second = _fair(instance, refused)

    before, after = _per_proposal(first, proposals), _per_proposal(second, proposals)
    assert min(after.values()) >= min(before.values())
    pairs = [(p, r) for p, r, _m in second.pairs]
    assert len(pairs) == len(set(pairs)) == len(first.pairs), "no slot is emptied or filled twice"
    assert Counter(p for p, _r in pairs) == Counter(p for p, _r, _m in first.pairs)
    assert not set(pairs) & conflicts
    loads = Counter(r for _p, r in pairs)
    assert all(loads[r] <= caps[r] for r in reviewers)
    assert {pair for pair in pairs if pair in refused} <= set(first.unwilling), "no refusal is added"


@settings(max_examples=200, deadline=None)
@given(bid_instances())
def test_the_total_match_after_fairness_is_never_below_the_greedy_assignments(case):
    instance, refused = case
    proposals, reviewers, k, caps, match, conflicts = instance
    first, second = _fair(instance, refused)
    baseline = _run(greedy, instance, unwilling=lambda p, r: (p, r) in refused)

    greedy_refusals = [1 for p, r, _m in baseline.pairs if (p, r) in refused]
    # Compared where both fill the same slots with no refusal (otherwise the solver rightly gives up match).
    if len(baseline.pairs) == len(first.pairs) and not first.unwilling and not greedy_refusals:
        assert first.total_match >= baseline.total_match
        assert second.total_match >= baseline.total_match


def test_the_fairness_stage_lifts_the_weakest_proposal():
    # The optimum gives A both strong reviewers (total 20 + 0 = 20 vs 11 + 0); fairness spreads them.
    match = {("A", "x"): 10, ("A", "y"): 10, ("B", "x"): 9, ("B", "y"): 1, ("A", "z"): 0, ("B", "z"): 0}
    options = {
        "proposals": ["A", "B"],
        "reviewers": ["x", "y", "z"],
        "capacity": lambda r: 1,
        "match": lambda p, r: match[(p, r)],
        "conflicted": lambda p, r: False,
    }
    first = solve(k=1, **options)
    second = raise_minimum(result=first, **options)
    assert min(_per_proposal(second, ["A", "B"]).values()) >= min(_per_proposal(first, ["A", "B"]).values())
    assert _per_proposal(second, ["A", "B"]) == {"A": 10, "B": 9}


def test_costs_too_wide_for_the_compiled_solver_give_the_same_assignment(monkeypatch):
    from proposals.review import assignment

    options = {
        "proposals": list(range(6)),
        "reviewers": list(range(4)),
        "k": 2,
        "capacity": lambda r: 3 + r % 2,
        "match": lambda p, r: (p * 7 + r * 3) % 11,
        "conflicted": lambda p, r: (p + r) % 5 == 0,
        "unwilling": lambda p, r: (p * r) % 4 == 1,
    }
    compiled = solve(**options)
    monkeypatch.setattr(assignment, "MAX_COMPILED_COST", 0)
    exact = solve(**options)
    assert _objective(exact) == _objective(compiled)
    assert len(exact.unwilling) == len(compiled.unwilling)
    assert [(s.proposal, s.missing) for s in exact.shortfalls] == [(s.proposal, s.missing) for s in compiled.shortfalls]
