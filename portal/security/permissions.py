"""Who must have a second factor, and who handles account closures."""


def requires_second_factor(user):
    """Programme administrators, reviewers and Django staff must sign in with a second factor."""
    return bool(user.is_authenticated and (user.is_programme_admin or user.is_reviewer or user.is_staff))


def can_complete_closures(user):
    return bool(user.is_authenticated and user.is_active and user.is_programme_admin)
