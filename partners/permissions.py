"""Who may do what with partner organisations: one predicate per rule, used by pages, API, templates and services.

A rule that depends on an object's state is one function naming the refusal (or None) and one predicate built on
it, so the button, the guard and the service give the same answer (as in proposals/permissions.py).
"""

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
can_manage_organisations = is_programme_admin
can_decide_registrations = is_programme_admin
can_suspend_organisations = is_programme_admin

rules.add_perm("partners.view_organisation_record", can_view_organisation_record)
rules.add_perm("partners.manage_members", can_manage_members)
rules.add_perm("partners.manage_organisations", can_manage_organisations)
rules.add_perm("partners.decide_registrations", can_decide_registrations)
rules.add_perm("partners.suspend_organisations", can_suspend_organisations)
# The same rules by name for templates: {% load rules %}{% test_rule "partners.can_manage_organisations" user as x %}.
rules.add_rule("partners.can_decide_registrations", can_decide_registrations)
rules.add_rule("partners.can_manage_organisations", can_manage_organisations)


def admin_refusal(user):
    """The refusal of anything only programme administrators do, or None for one of them."""
    from portal.errors import NotAllowed

    return None if is_programme_admin(user) else NotAllowed(_("Only programme administrators can do this."))


def require_programme_admin(user):
    """Refuse the change unless `user` is a programme administrator (the service's side of `is_programme_admin`)."""
    from portal.transitions import refuse

    refuse(admin_refusal(user))


# Applications to join ---------------------------------------------------------------------------


def _decider_refusal(user):
    from portal.errors import NotAllowed

    if not can_decide_registrations(user):
        return NotAllowed(_("Only programme administrators decide on applications."))
    return None


def _registration_state_refusal(registration, allowed, message):
    from portal.errors import TransitionNotAllowed

    if registration.status in allowed:
        return None
    return TransitionNotAllowed(message % {"status": registration.get_status_display()})


def approve_refusal(user, registration):
    """Why `user` may not approve `registration` now, or None: an application pending review."""
    return _decider_refusal(user) or _registration_state_refusal(
        registration,
        ("pending_review",),
        _("Only an application pending review can be approved (this one is “%(status)s”)."),
    )


def reject_refusal(user, registration):
    """Why `user` may not reject `registration` now, or None: an application pending review or sent back."""
    return _decider_refusal(user) or _registration_state_refusal(
        registration,
        ("pending_review", "changes_requested"),
        _("Only an application under review can be rejected (this one is “%(status)s”)."),
    )


def request_changes_refusal(user, registration):
    """Why `user` may not send `registration` back for changes now, or None: an application pending review."""
    return _decider_refusal(user) or _registration_state_refusal(
        registration,
        ("pending_review",),
        _("Changes can be requested only for an application pending review (this one is “%(status)s”)."),
    )


@rules.predicate
def can_approve_registration(user, registration):
    return approve_refusal(user, registration) is None


@rules.predicate
def can_reject_registration(user, registration):
    return reject_refusal(user, registration) is None


@rules.predicate
def can_request_registration_changes(user, registration):
    return request_changes_refusal(user, registration) is None


# Suspension -------------------------------------------------------------------------------------


def _status_change_refusal(user, organisation, from_state):
    from portal.errors import NotAllowed, TransitionNotAllowed

    if not can_suspend_organisations(user):
        return NotAllowed(_("Only programme administrators suspend or reinstate organisations."))
    if organisation.status != from_state:
        return TransitionNotAllowed(
            _("%(organisation)s is “%(status)s”; this change is not possible.")
            % {"organisation": organisation.name, "status": organisation.get_status_display()}
        )
    return None


def suspend_refusal(user, organisation):
    """Why `user` may not suspend `organisation` now, or None: an active organisation."""
    return _status_change_refusal(user, organisation, "active")


def reinstate_refusal(user, organisation):
    """Why `user` may not reinstate `organisation` now, or None: a suspended organisation."""
    return _status_change_refusal(user, organisation, "suspended")


@rules.predicate
def can_suspend_organisation(user, organisation):
    return suspend_refusal(user, organisation) is None


@rules.predicate
def can_reinstate_organisation(user, organisation):
    return reinstate_refusal(user, organisation) is None
