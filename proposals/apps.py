from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Calls and proposals")

    def ready(self):
        # The permission modules register their rules by name for templates; the signals keep the scores.
        from proposals import permissions  # noqa: F401
        from proposals.review import permissions as review_permissions  # noqa: F401
        from proposals.review import signals  # noqa: F401
