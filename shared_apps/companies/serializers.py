from rest_framework import serializers

from shared_apps.accounts.roles import Role

from .models import Company
from .services import SETTINGS_FIELDS


class CompanySettingsSerializer(serializers.ModelSerializer):
    """The company as its users see it; its COMPANY_ADMIN edits everything but the slug and
    `ai_enabled` (the platform's switch)."""

    reminder_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices),
        max_length=len(Role.choices),
        help_text="Roles whose active users get the reminders; an empty list turns them off.",
    )

    class Meta:
        model = Company
        fields = ["slug", *SETTINGS_FIELDS, "ai_enabled"]
        read_only_fields = ["slug", "ai_enabled"]
        extra_kwargs = {"name": {"allow_blank": False}}
