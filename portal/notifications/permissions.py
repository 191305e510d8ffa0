"""Who may follow the delivery of the portal's outgoing email."""

import rules

from partners.permissions import is_programme_admin

can_browse_outbox = is_programme_admin

rules.add_perm("notifications.browse_outbox", can_browse_outbox)
rules.add_rule("notifications.can_browse_outbox", can_browse_outbox)
