from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "company", "role", "email", "is_active", "is_staff", "last_login"]
    list_filter = ["company", "role", "is_active", "is_staff", "language"]
    search_fields = ["username", "first_name", "last_name", "email", "phone", "company__slug"]
    list_select_related = ["company"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Company", {"fields": ("company", "role", "region", "language", "phone")}),
    )

    def has_delete_permission(self, request, obj=None) -> bool:
        # Users are deactivated, never deleted: fleet records (a car's driver, a photo's author)
        # keep pointing at them from the company schemas, where Django cannot see.
        return False

    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Company", {"fields": ("company", "role", "language")}),
    )
