from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "portal.dashboard"
    label = "dashboard"
    verbose_name = _("Participation dashboard")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from partners.models import Organisation, Registration
        from proposals.models import Call, Decision, Mission, Platform, Proposal, Review, ReviewAssignment, TeamMember

        from .caching import data_changed

        # Every table the dashboard counts; users for the reviewers' names.
        counted = (Organisation, Registration, Mission, Call, Platform, Proposal, TeamMember, ReviewAssignment)
        for model in (*counted, Review, Decision, get_user_model()):
            post_save.connect(data_changed, sender=model, dispatch_uid=f"dashboard-{model._meta.label_lower}-saved")
            post_delete.connect(data_changed, sender=model, dispatch_uid=f"dashboard-{model._meta.label_lower}-deleted")
