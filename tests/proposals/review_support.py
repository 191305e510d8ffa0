"""Helpers for the peer-review tests: proposals already in review, reviewers, assignments and reviews."""

from django.utils import timezone

from portal.audit.models import AuditEvent
from proposals.models import Proposal, ReviewAssignment
from tests.factories import ProposalFactory, ReviewAssignmentFactory, ReviewerProfileFactory, ReviewFactory


def submitted_proposal(call, **fields):
    """A submitted full proposal of `call` (the row only: most review tests need no version)."""
    return ProposalFactory(call=call, status=Proposal.Status.SUBMITTED, submitted_at=timezone.now(), **fields)


def new_reviewer(name, **fields):
    """A reviewer with a profile; `name` gives both the full name and the email address."""
    email = f"{name.lower().replace(' ', '.')}@reviewers.example.org"
    return ReviewerProfileFactory(user__email=email, user__full_name=name, **fields).user


def accepted(proposal, reviewer):
    return ReviewAssignmentFactory(proposal=proposal, reviewer=reviewer, status=ReviewAssignment.Status.ACCEPTED)


def submitted_review(proposal, reviewer, scores, **fields):
    """`reviewer` has accepted `proposal` and submitted a review with these per-criterion grades."""
    return ReviewFactory(assignment=accepted(proposal, reviewer), scores=scores, **fields)


def grades(science, technical, diversity):
    """Grades for the default criteria (weights 40, 40 and 20)."""
    return {"scientific_value": science, "technical_feasibility": technical, "collaboration_diversity": diversity}


def audit_rows(action):
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def text(response):
    return response.content.decode()
