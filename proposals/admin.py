from django.contrib import admin

from . import services
from .models import Attachment, Call, Mission, Platform, Proposal, ProposalVersion, TeamMember


@admin.register(Mission)
class MissionAdmin(admin.ModelAdmin):
    list_display = ["name", "phase", "target_launch_year"]
    list_filter = ["phase"]


class PlatformInline(admin.StackedInline):
    model = Platform
    extra = 0


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    """Status changes go through the portal's own screens so that each one is audited."""

    list_display = ["title", "mission", "status", "deadline"]
    list_filter = ["status", "mission"]
    search_fields = ["title", "reference"]
    readonly_fields = ["status", "opened_at", "closed_at"]
    inlines = [PlatformInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Limits changed here are checked again against the proposals already made for the platforms.
        services.keep_resource_checks(proposals=Proposal.objects.filter(call=form.instance))


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    raw_id_fields = ["user", "organisation"]


class VersionInline(admin.TabularInline):
    model = ProposalVersion
    extra = 0
    fields = ["number", "stage", "submitted_at", "submitted_by", "content_hash"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "call", "organisation", "status", "stage", "compliance", "submitted_at"]
    list_filter = ["status", "stage", "compliance", "call"]
    search_fields = ["title", "organisation__name"]
    list_select_related = ["call", "organisation"]
    raw_id_fields = ["principal_investigator", "created_by", "organisation"]
    readonly_fields = ["status", "stage", "shortlist", "compliance", "submitted_at"]
    inlines = [TeamMemberInline, VersionInline]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "proposal", "kind", "size", "uploaded_at", "removed_at"]
    raw_id_fields = ["proposal", "uploaded_by"]
