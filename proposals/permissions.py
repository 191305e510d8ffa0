"""Who may see and change calls and proposals: one predicate per rule, for pages, API and templates."""

import rules

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
