"""The audit log in words: each recorded action, object type and state named in the reader's language, so no
page shows an internal code ("registration.email_verified" reads "Email verified")."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "account.password_changed": _("Password changed"),
    "account.password_set": _("Password chosen"),
    "assignment.accepted": _("Review assignment accepted"),
    "assignment.added": _("Reviewer assigned"),
    "assignment.declined": _("Review assignment declined"),
    "assignment.removed": _("Reviewer unassigned"),
    "call.assignments_closed": _("Open review assignments closed"),
    "call.closed": _("Call closed"),
    "call.created": _("Call created"),
    "call.decisions_released": _("Decisions released"),
    "call.opened": _("Call opened"),
    "call.release_override": _("Decisions released without every review, with a reason"),
    "call.review_started": _("Review started"),
    "call.reviewers_assigned": _("Reviewers assigned"),
    "call.updated": _("Call changed"),
    "conflict.added": _("Conflict of interest added"),
    "conflict.declared": _("Conflict of interest declared"),
    "conflict.lifted": _("Conflict of interest lifted"),
    "export.requested": _("Export requested"),
    "export.streamed": _("Export downloaded"),
    "invitation.accepted": _("Invitation accepted"),
    "invitation.revoked": _("Invitation withdrawn"),
    "invitation.sent": _("Invitation sent"),
    "membership.created": _("Joined the organisation"),
    "membership.removed": _("Removed from the organisation"),
    "membership.role_changed": _("Role changed"),
    "organisation.created": _("Organisation created"),
    "organisation.reinstated": _("Organisation reinstated"),
    "organisation.suspended": _("Organisation suspended"),
    "proposal.attachment_added": _("File attached"),
    "proposal.attachment_removed": _("File removed"),
    "proposal.changes_started": _("Changes started beside the submitted version"),
    "proposal.compliance": _("Compliance checked"),
    "proposal.created": _("Proposal created"),
    "proposal.decided": _("Decision recorded"),
    "proposal.not_shortlisted": _("Letter of intent not shortlisted"),
    "proposal.shortlisted": _("Letter of intent shortlisted"),
    "proposal.submitted": _("Proposal submitted"),
    "proposal.withdrawn": _("Proposal withdrawn"),
    "registration.approved": _("Application approved"),
    "registration.changes_requested": _("Changes requested"),
    "registration.email_verified": _("Email verified"),
    "registration.rejected": _("Application rejected"),
    "registration.resubmitted": _("Application sent again"),
    "registration.submitted": _("Application sent"),
    "review.submitted": _("Review submitted"),
    "reviewer.invited": _("Reviewer invited"),
    "reviewer.profile_changed": _("Reviewer profile changed"),
}

OBJECT_TYPES = {
    "accounts.user": _("Account"),
    "partners.registration": _("Registration"),
    "partners.organisation": _("Organisation"),
    "partners.invitation": _("Invitation"),
    "partners.membership": _("Membership"),
    "proposals.call": _("Call"),
    "proposals.proposal": _("Proposal"),
    "proposals.review": _("Review"),
    "proposals.reviewassignment": _("Review assignment"),
    "proposals.reviewerprofile": _("Reviewer"),
    "dashboard.exportjob": _("Export"),
}


def _state_choices():
    """The states each kind of object records, by object type (imported late: the audit app comes first)."""
    from partners.models import Invitation, Organisation, Registration
    from proposals.models import Call, Decision, Proposal, Review, ReviewAssignment

    return {
        "partners.registration": dict(Registration.Status.choices),
        "partners.organisation": dict(Organisation.Status.choices),
        "partners.invitation": dict(Invitation.Status.choices),
        "proposals.call": dict(Call.Status.choices),
        "proposals.proposal": {**dict(Proposal.Status.choices), **dict(Decision.Outcome.choices)},
        "proposals.review": dict(Review.Status.choices),
        "proposals.reviewassignment": dict(ReviewAssignment.Status.choices),
    }


def action_label(code):
    """The action in words; an action recorded before it had a name shows its code rather than nothing."""
    return ACTIONS.get(code, code)


def state_label(object_type, code):
    if not code:
        return ""
    return _state_choices().get(object_type, {}).get(code, code)


def object_label(event):
    """ "Registration #4 of Kenya Lunar Lab"-style: the kind of object, its number and its name."""
    kind = OBJECT_TYPES.get(event.object_type, event.object_type)
    return _("%(kind)s #%(id)s: %(name)s") % {"kind": kind, "id": event.object_id, "name": event.object_repr}
