from django.contrib import admin

from .models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Read-only: jobs are made by the exports page and written by the task."""

    list_display = ["created_at", "requested_by", "kind", "format", "status", "rows_done", "rows_total"]
    list_filter = ["status", "kind", "format"]
    readonly_fields = [field.name for field in ExportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
