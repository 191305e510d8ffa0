"""Who may do what in peer review: one function per rule naming the refusal, and one predicate built on it."""

import rules
from django.utils.translation import gettext as _

from partners.permissions import is_programme_admin


def answer_refusal(user, assignment):
    """Why `user` may not accept, decline or declare a conflict on `assignment` now, or None."""
    from portal.errors import NotAllowed, TransitionNotAllowed

    if assignment.reviewer_id != getattr(user, "pk", None):
        return NotAllowed(_("This assignment is someone else's."))
    if assignment.status == "closed" or assignment.proposal.call.status != "under_review":
        return TransitionNotAllowed(_("The call's review is over: this assignment is closed."))
    if assignment.status != "pending":
        return TransitionNotAllowed(_("You have already answered this assignment."))
    return None


def decide_refusal(user, proposal):
    """Why `user` may not record a decision on `proposal` now, or None."""
    from portal.errors import NotAllowed, TransitionNotAllowed

    if not is_programme_admin(user):
        return NotAllowed(_("Only programme administrators can do this."))
    if proposal.call.status != "under_review":
        return TransitionNotAllowed(_("Decisions are made while the call is under review."))
    if proposal.status != "submitted" or proposal.stage != "full":
        return TransitionNotAllowed(_("Only submitted full proposals receive a decision."))
    return None


def release_refusal(user, call):
    """Why `user` may not release `call`'s decisions now, or None (the review guard is checked on its own)."""
    from portal.errors import NotAllowed, TransitionNotAllowed

    if not is_programme_admin(user):
        return NotAllowed(_("Only programme administrators can do this."))
    if call.status != "under_review":
        return TransitionNotAllowed(_("Only a call under review can release its decisions."))
    return None


@rules.predicate
def can_answer_assignment(user, assignment):
    return answer_refusal(user, assignment) is None


@rules.predicate
def can_decide_proposal(user, proposal):
    return decide_refusal(user, proposal) is None


@rules.predicate
def can_release_decisions(user, call):
    return release_refusal(user, call) is None


rules.add_perm("proposals.answer_assignment", can_answer_assignment)
rules.add_perm("proposals.decide_proposal", can_decide_proposal)
rules.add_perm("proposals.release_decisions", can_release_decisions)
rules.add_rule("proposals.can_answer_assignment", can_answer_assignment)
rules.add_rule("proposals.can_decide", can_decide_proposal)
rules.add_rule("proposals.can_release", can_release_decisions)
