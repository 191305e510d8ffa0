from django.contrib import admin

from .models import Invitation, Membership, Organisation, Registration


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "native_name", "kind", "country", "status", "joined_on"]
    list_filter = ["status", "kind", "country"]
    search_fields = ["name", "native_name", "city", "email_domain"]
    inlines = [MembershipInline]
    readonly_fields = ["status", "status_reason"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "contact_email", "status", "submitted_at", "queued_at"]
    list_filter = ["status", "kind", "country"]
    search_fields = ["name", "native_name", "contact_name", "contact_email"]
    readonly_fields = ["status", "email_verified_at", "queued_at", "decided_at", "decided_by", "organisation"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "joined_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]
    raw_id_fields = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    search_fields = ["email", "organisation__name"]
    raw_id_fields = ["organisation", "invited_by", "accepted_by"]
