from rest_framework import serializers

from tenant_apps.fleet.compliance import ComplianceStatus, Obligation

from .models import Notification, Threshold


class NotificationItemSerializer(serializers.Serializer):
    car = serializers.IntegerField()
    numplate = serializers.CharField()
    obligation = serializers.ChoiceField(choices=Obligation.choices)
    status = serializers.ChoiceField(choices=ComplianceStatus.choices)
    due = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)
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
