from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from portal.middleware import new_account_language

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_programme_admin", "is_reviewer", "is_active", "last_login"]
    list_filter = ["is_programme_admin", "is_reviewer", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "position", "language", "time_zone"]}),
        (
            _("Roles"),
            {
                "fields": [
                    "is_programme_admin",
                    "is_reviewer",
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "language", "password1", "password2"]})
    ]

    def get_changeform_initial_data(self, request):
        # A new account starts in the language the administrator is using, unless they choose another.
        return {"language": new_account_language(), **super().get_changeform_initial_data(request)}
