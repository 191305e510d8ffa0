"""Who may do what with partner organisations: one predicate per rule, used by pages, API and templates."""

import rules
from django.utils.translation import gettext as _


@rules.predicate
def is_programme_admin(user):
    return bool(user and user.is_authenticated and user.is_programme_admin)


@rules.predicate
def is_member_of(user, organisation):
    if not (user and user.is_authenticated) or organisation is None:
        return False
    membership = user.partner_membership
    return bool(membership and membership.organisation_id == organisation.pk)


@rules.predicate
def is_partner_admin_of(user, organisation):
    if not is_member_of(user, organisation):
        return False
    return user.partner_membership.is_admin


can_view_organisation_record = is_member_of | is_programme_admin
can_manage_members = is_partner_admin_of | is_programme_admin
can_decide_registrations = is_programme_admin
can_suspend_organisations = is_programme_admin

rules.add_perm("partners.view_organisation_record", can_view_organisation_record)
rules.add_perm("partners.manage_members", can_manage_members)
rules.add_perm("partners.decide_registrations", can_decide_registrations)
rules.add_perm("partners.suspend_organisations", can_suspend_organisations)


def require_programme_admin(user):
    """Refuse the change unless `user` is a programme administrator (the service's side of `is_programme_admin`)."""
    from portal.errors import NotAllowed

    if not is_programme_admin(user):
        raise NotAllowed(_("Only programme administrators can do this."))
