"""A greedy assignment, the obvious approach, kept as the reference the optimal solver is measured against."""

from proposals.review.assignment import AssignmentResult


def greedy(*, proposals, reviewers, k, capacity, match, conflicted, unwilling=None):
    """Each proposal in turn takes its best available reviewers (willing ones first)."""
    refuses = unwilling or (lambda p, r: False)
    left = {r: max(capacity(r), 0) for r in reviewers}
    pairs = []
    for p in proposals:
        candidates = sorted(
            (r for r in reviewers if left[r] > 0 and not conflicted(p, r)),
            key=lambda r: (refuses(p, r), -int(match(p, r))),
        )
        for r in candidates[:k]:
            left[r] -= 1
            pairs.append((p, r, int(match(p, r))))
    return AssignmentResult(pairs=pairs)
