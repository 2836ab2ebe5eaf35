from rest_framework import serializers

from tenant_apps.fleet.serializers import ObligationStatusSerializer

from .models import Notification, Threshold


class NotificationItemSerializer(ObligationStatusSerializer):
    """An obligation that crossed a threshold, as the digest told it."""

    threshold = serializers.ChoiceField(choices=Threshold.choices)
    plan = serializers.CharField(help_text="A service's maintenance plan (else empty).")
    url = serializers.CharField(help_text="The car on the frontend.")


class NotificationSerializer(serializers.ModelSerializer):
    items = NotificationItemSerializer(many=True, read_only=True)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "title", "body", "items", "created_at", "read", "read_at", "email_status"]
        read_only_fields = fields

    def get_read(self, notification) -> bool:
        return notification.read_at is not None
