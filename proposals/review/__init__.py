"""The review of proposals: reviewers, conflicts, matching, assignment, scores, ranking and decisions."""
