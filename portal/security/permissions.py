"""Who must have a second factor, and who handles account closures."""

import rules


@rules.predicate
def requires_second_factor(user):
    """Programme administrators, reviewers and Django staff must sign in with a second factor."""
    return bool(user.is_authenticated and (user.is_programme_admin or user.is_reviewer or user.is_staff))


@rules.predicate
def can_complete_closures(user):
    return bool(user and user.is_authenticated and user.is_active and user.is_programme_admin)


def closure_refusal(user, closure):
    """Why `user` may not close the account `closure` asks to close, or None: an open request, for an administrator."""
    from django.utils.translation import gettext as _

    from portal.errors import DomainError, NotAllowed

    if not can_complete_closures(user):
        return NotAllowed(_("Only programme administrators can do this."))
    if closure.status != "requested":
        return DomainError(_("This request has already been completed."))
    return None


@rules.predicate
def can_complete_closure(user, closure):
    return closure_refusal(user, closure) is None


rules.add_rule("security.can_complete_closure", can_complete_closure)
