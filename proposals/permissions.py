"""Who may see and change calls and proposals: one predicate per rule, for pages, API and templates."""

import rules
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.permissions import admin_refusal, is_member_of, is_partner_admin_of, is_programme_admin


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
# Administrators see every proposal; their list shows only their own team's until they ask for all.
sees_every_proposal = is_programme_admin

rules.add_perm("proposals.view_proposal", can_view_proposal)
rules.add_perm("proposals.edit_proposal", can_edit_proposal)
rules.add_perm("proposals.manage_calls", can_manage_calls)
rules.add_rule("proposals.can_manage_calls", can_manage_calls)


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


def start_refusal(user, call, now=None):
    """Why `user` may not start a proposal (or a letter of intent) on `call` now, or None: a member of an active,
    eligible partner organisation, while the call is open and its current stage's deadline has not passed."""
    from portal.errors import DomainError, NotAllowed, TransitionNotAllowed

    membership = user.partner_membership if user and user.is_authenticated else None
    if membership is None:
        return NotAllowed(_("Only people of a partner organisation can write proposals."))
    organisation = membership.organisation
    if organisation.status != "active":
        return NotAllowed(_("Your organisation is suspended: it cannot submit or change proposals."))
    if call.status != "open":
        return TransitionNotAllowed(_("This call is not open for proposals."))
    if call.eligible_kinds and organisation.kind not in call.eligible_kinds:
        return DomainError(_("Organisations of your kind are not eligible for this call."))
    if call.eligible_countries and organisation.country.code not in call.eligible_countries:
        return DomainError(_("Organisations from your country are not eligible for this call."))
    stage = call.current_stage(now)
    if call.has_letter_stage and stage == "full":
        return TransitionNotAllowed(
            _("The letter-of-intent stage is over: only shortlisted teams can submit full proposals.")
        )
    if (now or timezone.now()) > call.deadline_for(stage):
        return TransitionNotAllowed(_("The deadline of this call has passed."))
    return None


@rules.predicate
def can_propose(user, call):
    return start_refusal(user, call) is None


@rules.predicate
def can_withdraw_proposal(user, proposal):
    return withdraw_refusal(user, proposal) is None


@rules.predicate
def can_submit_proposal(user, proposal):
    return submit_refusal(user, proposal) is None


@rules.predicate
def can_change_proposal(user, proposal):
    return edit_refusal(user, proposal) is None


@rules.predicate
def can_change_files(user, proposal):
    return files_refusal(user, proposal) is None


rules.add_perm("proposals.withdraw_proposal", can_withdraw_proposal)
rules.add_perm("proposals.submit_proposal", can_submit_proposal)
rules.add_perm("proposals.change_draft", can_change_proposal)

# The same predicates by name for templates: {% load rules %}{% test_rule "proposals.can_withdraw" user obj as x %}.
rules.add_rule("proposals.can_withdraw", can_withdraw_proposal)
rules.add_rule("proposals.can_submit", can_submit_proposal)
rules.add_rule("proposals.can_change", can_change_proposal)


# Administrators: a call's opening and closing, letters of intent, compliance. -----------------------------------


def open_call_refusal(user, call):
    """Why `user` may not open `call` now, or None: a draft (what the call still lacks is the form's business)."""
    return admin_refusal(user) or _state_refusal(call, ("draft",), _("Only a draft call can be opened."))


def close_call_refusal(user, call):
    """Why `user` may not close `call` now, or None: an open call. `user` None is the portal's own sweep, which
    closes a call once its deadline has passed."""
    return (user is not None and admin_refusal(user)) or _state_refusal(
        call, ("open",), _("Only an open call can be closed.")
    )


def shortlist_refusal(user, proposal, now=None):
    """Why `user` may not shortlist (or turn down) the letter of intent `proposal` now, or None: a submitted
    letter, after the letter-of-intent deadline, while the call is open."""
    from portal.errors import TransitionNotAllowed

    refusal = admin_refusal(user)
    call = proposal.call
    if refusal is None and not (call.has_letter_stage and proposal.stage == "letter"):
        refusal = TransitionNotAllowed(_("Only letters of intent are shortlisted."))
    refusal = refusal or _state_refusal(
        proposal, ("submitted",), _("Only a submitted letter of intent can be shortlisted.")
    )
    if refusal is None and (call.letter_deadline is None or (now or timezone.now()) <= call.letter_deadline):
        refusal = TransitionNotAllowed(_("Letters can be shortlisted once the letter-of-intent deadline has passed."))
    if refusal is None and call.status != "open":
        refusal = TransitionNotAllowed(_("The call is no longer open."))
    return refusal


def compliance_refusal(user, proposal):
    """Why `user` may not record the compliance check of `proposal` now, or None: a submitted proposal, once its
    call has closed and before its decisions."""
    from portal.errors import TransitionNotAllowed

    refusal = admin_refusal(user)
    if refusal is None and proposal.call.status not in ("closed", "under_review"):
        refusal = TransitionNotAllowed(_("Compliance is checked after the call closes."))
    return refusal or _state_refusal(
        proposal, ("submitted",), _("Only submitted proposals are checked for compliance.")
    )


@rules.predicate
def can_open_call(user, call):
    return open_call_refusal(user, call) is None


@rules.predicate
def can_close_call(user, call):
    return close_call_refusal(user, call) is None


@rules.predicate
def can_shortlist_letter(user, proposal):
    return shortlist_refusal(user, proposal) is None


@rules.predicate
def can_record_compliance(user, proposal):
    return compliance_refusal(user, proposal) is None


rules.add_rule("proposals.can_shortlist", can_shortlist_letter)
rules.add_rule("proposals.can_record_compliance", can_record_compliance)
