from rest_framework import serializers

from shared_apps.core.choices import Language
from shared_apps.core.serializers import KeywordNamesMixin
from tenant_apps.fleet.models import Car
from tenant_apps.fleet.serializers import MonthField

from .actions import ActionSerializer
from .models import AIAuditEntry
from .providers import ChatRequest


class ChatContextSerializer(KeywordNamesMixin, serializers.Serializer):
    car = serializers.PrimaryKeyRelatedField(
        queryset=Car.objects.all(), required=False, allow_null=True
    )
    from_ = MonthField(required=False, allow_null=True)
    to = MonthField(required=False, allow_null=True)


class ChatInputSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=4000, trim_whitespace=True)
    language = serializers.ChoiceField(
        choices=Language.choices, required=False, help_text="Default: the user's language."
    )
    context = ChatContextSerializer(required=False, default=dict)

    def to_request(self, user) -> ChatRequest:
        data, context = self.validated_data, self.validated_data["context"]
        car = context.get("car")
        return ChatRequest(
            message=data["message"],
            language=data.get("language") or user.language,
            car_id=car.pk if car else None,
            date_from=f"{context['from']:%Y-%m}" if context.get("from") else None,
            date_to=f"{context['to']:%Y-%m}" if context.get("to") else None,
        )


class ChatOutputSerializer(serializers.Serializer):
    reply = serializers.CharField()
    actions = ActionSerializer(many=True, help_text="Proposed; send them to `ai/actions/`.")
    data = serializers.JSONField(
        allow_null=True, help_text="The numbers behind the reply, ready for a chart."
    )


class ActionsInputSerializer(serializers.Serializer):
    actions = ActionSerializer(many=True, allow_empty=False, max_length=50)
    dry_run = serializers.BooleanField(
        default=True, help_text="Validate and report; write nothing."
    )


class ActionErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ActionResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["ok", "error"])
    entity = serializers.CharField()
    id = serializers.IntegerField(allow_null=True)
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    errors = ActionErrorSerializer(many=True)


class ActionsOutputSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    results = ActionResultSerializer(many=True)


class AuditEntrySerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = AIAuditEntry
        fields = [
            "id",
            "created_at",
            "user",
            "username",
            "kind",
            "provider",
            "request",
            "reply",
            "proposed_actions",
            "executed_actions",
            "dry_run",
        ]
        read_only_fields = fields
