"""Property tests of the optimal reviewer assignment on random instances."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from proposals.assignment import greedy, solve


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
