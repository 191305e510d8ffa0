"""Who may see the participation figures, export data and read the audit log."""

import rules

from partners.permissions import is_programme_admin


@rules.predicate
def is_requester(user, job):
    return bool(user and user.is_authenticated and job is not None and job.requested_by_id == user.pk)


can_view_dashboard = is_programme_admin
can_export = is_programme_admin
can_browse_audit = is_programme_admin
# An export file holds personal data: only the administrator who asked for it may fetch it.
can_download_export = is_programme_admin & is_requester

rules.add_perm("dashboard.view_dashboard", can_view_dashboard)
rules.add_perm("dashboard.export", can_export)
rules.add_perm("dashboard.browse_audit", can_browse_audit)
rules.add_perm("dashboard.download_export", can_download_export)
rules.add_rule("dashboard.can_view_dashboard", can_view_dashboard)
rules.add_rule("dashboard.can_export", can_export)
rules.add_rule("dashboard.can_browse_audit", can_browse_audit)
