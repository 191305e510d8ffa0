"""Who may see and change calls and proposals: one predicate per rule, for pages, API and templates."""

import rules
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.permissions import is_member_of, is_partner_admin_of, is_programme_admin


@rules.predicate
def is_active_partner_member(user):
    if not (user and user.is_authenticated):
        return False
    membership = user.partner_membership
    return bool(membership and membership.organisation.status == "active")


@rules.predicate
def is_lead_member(user, proposal):
    return is_member_of(user, proposal.organisation)


@rules.predicate
def is_on_team(user, proposal):
    """The PI or a co-investigator, while still in the organisation they are on the team for."""
    if not (user and user.is_authenticated):
        return False
    membership = user.partner_membership
    organisation_id = membership.organisation_id if membership is not None else None
    if proposal.principal_investigator_id == user.pk:
        return organisation_id == proposal.organisation_id
    return any(
        member.user_id == user.pk and member.organisation_id in (None, organisation_id)
        for member in proposal.team.all()
    )


@rules.predicate
def is_lead_partner_admin(user, proposal):
    return is_partner_admin_of(user, proposal.organisation)


@rules.predicate
def is_lead_team_member(user, proposal):
    """The PI, or a co-investigator from the lead organisation."""
    return is_on_team(user, proposal) and is_lead_member(user, proposal)


can_view_proposal = is_programme_admin | is_lead_member | is_on_team
can_edit_proposal = is_lead_team_member | is_lead_partner_admin
can_manage_calls = is_programme_admin
can_start_proposal = is_active_partner_member

rules.add_perm("proposals.view_proposal", can_view_proposal)
rules.add_perm("proposals.edit_proposal", can_edit_proposal)
rules.add_perm("proposals.manage_calls", can_manage_calls)


# What may be done now: each rule is one function that names the refusal (or None), and one predicate built on
# it. The template's button, the page's guard, the API and the service all ask the same function, so a button
# is shown exactly when the action would be carried out.


def _editor_refusal(user, proposal, active=True):
    from portal.errors import NotAllowed

    if not can_edit_proposal(user, proposal):
        return NotAllowed(
            _(
                "Only the principal investigator, co-investigators of the lead organisation "
                "and its partner admin can change this proposal."
            )
        )
    if active and proposal.organisation.status != "active":
        return NotAllowed(_("Your organisation is suspended: it cannot submit or change proposals."))
    return None


def _deadline_refusal(proposal, now=None):
    from portal import formatting
    from portal.errors import TransitionNotAllowed

    now = now or timezone.now()
    deadline = proposal.call.deadline_for(proposal.stage)
    if deadline is None or now > deadline:
        return TransitionNotAllowed(
            _("The deadline (%(deadline)s) has passed: the proposal can no longer be submitted, changed or withdrawn.")
            % {"deadline": formatting.when(deadline, proposal.call.time_zone)}
        )
    return None


def _state_refusal(obj, allowed, message):
    from portal.errors import TransitionNotAllowed

    return None if obj.status in allowed else TransitionNotAllowed(message)


def withdraw_refusal(user, proposal, now=None):
    """Why `user` may not withdraw `proposal` now, or None: a submitted proposal, before its deadline."""
    return (
        _editor_refusal(user, proposal, active=False)
        or _state_refusal(proposal, ("submitted",), _("Only a submitted proposal can be withdrawn."))
        or _deadline_refusal(proposal, now)
    )


def submit_refusal(user, proposal, now=None):
    """Why `user` may not submit `proposal` now, or None (missing fields are the form's business, not this)."""
    from portal.errors import TransitionNotAllowed

    refusal = _editor_refusal(user, proposal)
    if refusal is None and proposal.status == "submitted" and proposal.pending_changes is None:
        refusal = TransitionNotAllowed(_("This proposal is already submitted."))
    refusal = refusal or _deadline_refusal(proposal, now)
    if (
        refusal is None
        and proposal.call.has_letter_stage
        and proposal.stage == "full"
        and proposal.shortlist != ("shortlisted")
    ):
        refusal = TransitionNotAllowed(_("Only shortlisted teams can submit a full proposal."))
    return refusal


def edit_refusal(user, proposal, now=None):
    """Why `user` may not change `proposal` now, or None. A submitted proposal is changed beside its submitted
    version until the deadline."""
    return _editor_refusal(user, proposal) or _deadline_refusal(proposal, now)


def files_refusal(user, proposal, now=None):
    """Why `user` may not add or remove `proposal`'s files now, or None: files change on a draft only (the
    submitted version's files are what reviewers read)."""
    return (
        _editor_refusal(user, proposal)
        or _state_refusal(
            proposal,
            ("draft", "withdrawn"),
            _("A submitted proposal's files cannot be changed; withdraw it first to change them."),
        )
        or _deadline_refusal(proposal, now)
    )


@rules.predicate
def can_withdraw_proposal(user, proposal):
    return withdraw_refusal(user, proposal) is None


@rules.predicate
def can_submit_proposal(user, proposal):
    return submit_refusal(user, proposal) is None


@rules.predicate
def can_change_proposal(user, proposal):
    return edit_refusal(user, proposal) is None


rules.add_perm("proposals.withdraw_proposal", can_withdraw_proposal)
rules.add_perm("proposals.submit_proposal", can_submit_proposal)
rules.add_perm("proposals.change_draft", can_change_proposal)

# The same predicates by name for templates: {% load rules %}{% test_rule "proposals.can_withdraw" user obj as x %}.
rules.add_rule("proposals.can_withdraw", can_withdraw_proposal)
rules.add_rule("proposals.can_submit", can_submit_proposal)
rules.add_rule("proposals.can_change", can_change_proposal)
