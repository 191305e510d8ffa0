"""Who may do what in peer review: one function per rule naming the refusal, and one predicate built on it.

The page's guard, the API's permission class, the template's button and the service all ask the same rule, so a
button is shown exactly when the action would be carried out.
"""

import rules
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.permissions import admin_refusal, is_programme_admin


@rules.predicate
def is_reviewer(user):
    return bool(user and user.is_authenticated and user.is_reviewer)


# The review of a call is the administrators' work: its pages, its endpoints, the reviewer pool.
can_manage_review = is_programme_admin

rules.add_perm("proposals.manage_review", can_manage_review)
rules.add_rule("proposals.is_reviewer", is_reviewer)
rules.add_rule("proposals.can_manage_review", can_manage_review)


def _call_state_refusal(call, allowed, message):
    from portal.errors import TransitionNotAllowed

    return None if call.status in allowed else TransitionNotAllowed(message)


def profile_refusal(user, profile):
    """Why `user` may not change the reviewer profile `profile` (its fields, its writing), or None: their own, or
    any for administrators."""
    from portal.errors import NotAllowed

    if getattr(user, "pk", None) == profile.user_id or is_programme_admin(user):
        return None
    return NotAllowed(_("Only administrators change another reviewer's profile."))


@rules.predicate
def can_change_profile(user, profile):
    return profile_refusal(user, profile) is None


# Administrators -----------------------------------------------------------------------------------


def start_review_refusal(user, call):
    """Why `user` may not move `call` into review now, or None: a closed call."""
    return admin_refusal(user) or _call_state_refusal(call, ("closed",), _("Only a closed call can go to review."))


def assign_refusal(user, call):
    """Why `user` may not assign reviewers on `call` now (automatically or by hand), or None: a call under review."""
    return admin_refusal(user) or _call_state_refusal(
        call, ("under_review",), _("Reviewers are assigned once the call is under review.")
    )


def unassign_refusal(user, assignment):
    """Why `user` may not take `assignment` back, or None: not once its review is submitted."""
    from portal.errors import TransitionNotAllowed

    review = getattr(assignment, "review", None)
    if refusal := admin_refusal(user):
        return refusal
    if review is not None and review.status == "submitted":
        return TransitionNotAllowed(_("The review is already submitted; it cannot be taken back."))
    return None


def conflict_change_refusal(user, call):
    """Why `user` may not add, lift, confirm or dismiss a conflict on `call`'s proposals, or None: until the call's
    decisions are released (a conflict changes which reviews count, and so the outcome the teams read)."""
    return admin_refusal(user) or _call_state_refusal(
        call, ("draft", "open", "closed", "under_review"), _("The call is decided; its conflicts are settled.")
    )


def bidding_deadline_refusal(user, call):
    """Why `user` may not set `call`'s bidding deadline, or None: until the call is decided."""
    from portal.errors import DomainError

    if refusal := admin_refusal(user):
        return refusal
    return None if call.status != "decided" else DomainError(_("The call is decided; bids no longer matter."))


def deciding_refusal(user, call):
    """Why `user` may not record decisions on `call`'s proposals now, or None: a call under review."""
    return admin_refusal(user) or _call_state_refusal(
        call, ("under_review",), _("Decisions are made while the call is under review.")
    )


def decide_refusal(user, proposal):
    """Why `user` may not record a decision on `proposal` now, or None."""
    from portal.errors import TransitionNotAllowed

    if refusal := deciding_refusal(user, proposal.call):
        return refusal
    if proposal.status != "submitted" or proposal.stage != "full":
        return TransitionNotAllowed(_("Only submitted full proposals receive a decision."))
    return None


def release_refusal(user, call):
    """Why `user` may not release `call`'s decisions now, or None (the review guard is checked on its own)."""
    return admin_refusal(user) or _call_state_refusal(
        call, ("under_review",), _("Only a call under review can release its decisions.")
    )


# Reviewers ------------------------------------------------------------------------------------------

# Bids are taken once a call is closed, until its bidding deadline (if it has one) and before its decisions.
BIDDING_STATES = ("closed", "under_review")


def bidding_open(call, now=None):
    now = now or timezone.now()
    return call.status in BIDDING_STATES and (call.bidding_deadline is None or now < call.bidding_deadline)


def bid_refusal(user, call, now=None):
    """Why `user` may not bid on `call`'s proposals now, or None: a reviewer, while bidding is open."""
    from portal.errors import DomainError

    if is_reviewer(user) and bidding_open(call, now):
        return None
    return DomainError(_("Bidding on this call is closed."))


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


def write_review_refusal(user, assignment, now=None):
    """Why `user` may not save or submit the review of `assignment` now, or None: their own accepted assignment,
    while the call is under review and until its review deadline."""
    from portal.errors import NotAllowed, TransitionNotAllowed
    from portal.formatting import when

    call = assignment.proposal.call
    if assignment.reviewer_id != getattr(user, "pk", None):
        return NotAllowed(_("This assignment is someone else's."))
    if assignment.status != "accepted":
        return TransitionNotAllowed(_("Accept the assignment before writing the review."))
    if call.status != "under_review":
        return TransitionNotAllowed(_("The call is not under review."))
    if call.review_deadline and (now or timezone.now()) > call.review_deadline:
        deadline = when(call.review_deadline, call.time_zone)
        return TransitionNotAllowed(_("The review deadline (%(deadline)s) has passed.") % {"deadline": deadline})
    return None


def conflict_refusal(user, proposal):
    """Why `user` may not declare a conflict with `proposal` now, or None: a reviewer, while the call is under
    review — after accepting an assignment too, since a tie may come to light while reading."""
    from portal.errors import NotAllowed, TransitionNotAllowed

    if not is_reviewer(user):
        return NotAllowed(_("Only reviewers declare conflicts of interest."))
    if proposal.call.status != "under_review":
        return TransitionNotAllowed(_("Conflicts are declared while the call is under review."))
    return None


@rules.predicate
def can_start_review(user, call):
    return start_review_refusal(user, call) is None


@rules.predicate
def can_assign_reviewers(user, call):
    return assign_refusal(user, call) is None


@rules.predicate
def can_unassign(user, assignment):
    return unassign_refusal(user, assignment) is None


@rules.predicate
def can_change_conflicts(user, call):
    return conflict_change_refusal(user, call) is None


@rules.predicate
def can_set_bidding_deadline(user, call):
    return bidding_deadline_refusal(user, call) is None


@rules.predicate
def can_record_decisions(user, call):
    return deciding_refusal(user, call) is None


@rules.predicate
def can_decide_proposal(user, proposal):
    return decide_refusal(user, proposal) is None


@rules.predicate
def can_release_decisions(user, call):
    return release_refusal(user, call) is None


@rules.predicate
def can_bid(user, call):
    return bid_refusal(user, call) is None


@rules.predicate
def can_answer_assignment(user, assignment):
    return answer_refusal(user, assignment) is None


@rules.predicate
def can_write_review(user, assignment):
    return write_review_refusal(user, assignment) is None


@rules.predicate
def can_declare_conflict(user, proposal):
    return conflict_refusal(user, proposal) is None


rules.add_perm("proposals.answer_assignment", can_answer_assignment)
rules.add_perm("proposals.decide_proposal", can_decide_proposal)
rules.add_perm("proposals.release_decisions", can_release_decisions)
rules.add_rule("proposals.can_answer_assignment", can_answer_assignment)
rules.add_rule("proposals.can_declare_conflict", can_declare_conflict)
rules.add_rule("proposals.can_unassign", can_unassign)
rules.add_rule("proposals.can_decide", can_decide_proposal)
rules.add_rule("proposals.can_release", can_release_decisions)
