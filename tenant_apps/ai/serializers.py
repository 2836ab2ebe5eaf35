from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from shared_apps.core.choices import Language
from shared_apps.core.serializers import KeywordNamesMixin
from tenant_apps.fleet.compliance import ComplianceStatus, Obligation
from tenant_apps.fleet.models import Car, CarStatus, DocumentStatus, InsuranceType
from tenant_apps.fleet.serializers import MonthField, ObligationStatusSerializer
from tenant_apps.reports.selectors import GROUPINGS
from tenant_apps.reports.serializers import (
    ComplianceCountsSerializer,
    CostTotalsSerializer,
    DocumentCountsSerializer,
    DocumentItemSerializer,
    FuelTotalsSerializer,
    money,
)

from .actions import ActionSerializer
from .facade import MAX_ROWS, TOP_METRICS
from .languages import question_language
from .models import AIAuditEntry
from .providers import CHARTS, ChatRequest


class ChatContextSerializer(KeywordNamesMixin, serializers.Serializer):
    car = serializers.PrimaryKeyRelatedField(
        queryset=Car.objects.all(), required=False, allow_null=True
    )
    from_ = MonthField(required=False, allow_null=True)
    to = MonthField(required=False, allow_null=True)


class ChatInputSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=4000, trim_whitespace=True)
    language = serializers.ChoiceField(
        choices=Language.choices,
        required=False,
        help_text="The answer's language. Default: the question's own (Kyrgyz, Russian or "
        "English), else the user's (or `Accept-Language`).",
    )
    context = ChatContextSerializer(required=False, default=dict)

    def to_request(self, user, *, request_language: str) -> ChatRequest:
        """The question, answered in `language` if given, else in the question's own, else in
        the request's (the user's, or what `Accept-Language` names)."""
        data, context = self.validated_data, self.validated_data["context"]
        car = context.get("car")
        return ChatRequest(
            message=data["message"],
            language=(
                data.get("language") or question_language(data["message"]) or request_language
            ),
            car_id=car.pk if car else None,
            date_from=f"{context['from']:%Y-%m}" if context.get("from") else None,
            date_to=f"{context['to']:%Y-%m}" if context.get("to") else None,
            role=user.role,
        )


# --- `data` of a chat answer: one shape per `kind` (what `facade` returns, see
# `providers.reply_data`). The serializers below only describe it for the API schema.


def kind_field(kind: str) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=[kind], help_text="Which shape `data` has.")


class ChatChartSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=sorted({chart["type"] for chart in CHARTS.values()}))
    x = serializers.CharField(help_text="The field of `rows` along the x axis.")
    y = serializers.ListField(
        child=serializers.CharField(), help_text="The fields of `rows` drawn."
    )


class ChatCarSerializer(serializers.Serializer):
    """A car found by its number plate."""

    kind = kind_field("car")
    id = serializers.IntegerField()
    numplate = serializers.CharField()
    title = serializers.CharField()
    brand = serializers.CharField(help_text="A code from `/api/v1/dictionaries/brands/`.")
    status = serializers.ChoiceField(choices=CarStatus.choices)


class ChatFleetSummarySerializer(serializers.Serializer):
    """Cars by status and type; this year's fuel, maintenance and documents."""

    kind = kind_field("fleet_summary")
    cars = serializers.IntegerField()
    cars_by_status = serializers.DictField(
        child=serializers.IntegerField(), help_text="Cars of each `status` that has any."
    )
    cars_by_type = serializers.DictField(
        child=serializers.IntegerField(), help_text="Cars of each `vehicle_type` that has any."
    )
    year = serializers.IntegerField()
    fuel_liters = serializers.DecimalField(**money)
    fuel_cost = serializers.DecimalField(**money)
    mileage_km = serializers.IntegerField()
    avg_consumption_l_per_100km = serializers.DecimalField(**money, allow_null=True)
    maintenance_cost = serializers.DecimalField(**money)
    documents = DocumentCountsSerializer()


class ChatGroupSerializer(serializers.Serializer):
    period = serializers.CharField(
        allow_null=True, help_text="`YYYY-MM` or `YYYY`; null when grouped by car, and in totals."
    )
    numplate = serializers.CharField(allow_null=True, help_text="When grouped by car.")


class ChatFuelRowSerializer(ChatGroupSerializer, FuelTotalsSerializer):
    pass


class ChatCostRowSerializer(ChatGroupSerializer, CostTotalsSerializer):
    pass


class ChatSeriesSerializer(KeywordNamesMixin, serializers.Serializer):
    from_ = MonthField()
    to = MonthField()
    group_by = serializers.ChoiceField(choices=GROUPINGS)
    car = serializers.IntegerField(allow_null=True)
    rows_total = serializers.IntegerField(
        help_text=f"Rows of the whole report; `rows` has the latest {MAX_ROWS}."
    )
    chart = ChatChartSerializer()


class ChatFuelConsumptionSerializer(ChatSeriesSerializer):
    """The fuel report (as `reports/fuel-consumption/`)."""

    kind = kind_field("fuel_consumption")
    totals = ChatFuelRowSerializer()
    rows = ChatFuelRowSerializer(many=True)


class ChatMaintenanceCostsSerializer(ChatSeriesSerializer):
    """The maintenance report (as `reports/maintenance-costs/`)."""

    kind = kind_field("maintenance_costs")
    totals = ChatCostRowSerializer()
    rows = ChatCostRowSerializer(many=True)


class ChatDocumentItemSerializer(DocumentItemSerializer):
    id = car = number = start = None  # not sent to the assistant's answer


class ChatDocumentsSerializer(serializers.Serializer):
    """Insurances and inspections (each car's latest), soonest end first."""

    kind = kind_field("documents")
    today = serializers.DateField(help_text="Today in the company's timezone.")
    days = serializers.IntegerField(help_text="The warning window used for `expiring`.")
    status = serializers.ChoiceField(choices=DocumentStatus.choices, allow_null=True)
    counts = DocumentCountsSerializer()
    items = ChatDocumentItemSerializer(many=True)
    items_total = serializers.IntegerField(
        help_text=f"Matching documents; `items` has the first {MAX_ROWS}."
    )


class ChatComplianceSerializer(serializers.Serializer):
    """May each car in service be on the road today (the compliance report's rows), worst
    first."""

    kind = kind_field("compliance_rows")
    today = serializers.DateField(help_text="Today in the company's timezone.")
    days = serializers.IntegerField(help_text="The warning window used for `expiring`.")
    status = serializers.ChoiceField(choices=ComplianceStatus.choices, allow_null=True)
    obligation = serializers.ChoiceField(choices=Obligation.choices, allow_null=True)
    counts = ComplianceCountsSerializer()
    rows = ObligationStatusSerializer(many=True)
    rows_total = serializers.IntegerField(
        help_text=f"Matching rows; `rows` has the first {MAX_ROWS}."
    )


class ChatTopCarSerializer(serializers.Serializer):
    car = serializers.IntegerField()
    numplate = serializers.CharField()
    value = serializers.DecimalField(**money, help_text="In the unit of `metric`.")


class ChatTopCarsSerializer(KeywordNamesMixin, serializers.Serializer):
    """Cars ranked by a metric: maintenance cost, fuel cost, liters, l/100 km, km, cost of
    ownership, cost per km or insurance premiums."""

    kind = kind_field("top_cars")
    metric = serializers.ChoiceField(choices=TOP_METRICS)
    from_ = MonthField()
    to = MonthField()
    rows = ChatTopCarSerializer(many=True)
    chart = ChatChartSerializer()


class ChatCarRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    numplate = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=CarStatus.choices)
    region = serializers.CharField(help_text="A code from `/api/v1/dictionaries/regions/`.")
    vehicle_type = serializers.CharField(
        help_text="A code from `/api/v1/dictionaries/vehicle_types/`."
    )


class ChatCarsSerializer(serializers.Serializer):
    """The cars of a status, region and vehicle type (each null: any), by number plate."""

    kind = kind_field("cars")
    status = serializers.ChoiceField(choices=CarStatus.choices, allow_null=True)
    region = serializers.CharField(allow_null=True)
    vehicle_type = serializers.CharField(allow_null=True)
    count = serializers.IntegerField(help_text="Matching cars.")
    total = serializers.IntegerField(help_text="All the company's cars.")
    rows = ChatCarRowSerializer(many=True, help_text=f"The first {MAX_ROWS} matching cars.")


class ChatPolicySerializer(serializers.Serializer):
    car = serializers.IntegerField()
    numplate = serializers.CharField()
    insurance_type = serializers.ChoiceField(choices=InsuranceType.choices)
    number = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    cost = serializers.DecimalField(**money)


class ChatInsurancePremiumsSerializer(KeywordNamesMixin, serializers.Serializer):
    """What was paid for insurance: the policies that start in the period."""

    kind = kind_field("insurance_premiums")
    from_ = MonthField()
    to = MonthField()
    car = serializers.IntegerField(allow_null=True)
    count = serializers.IntegerField(help_text="Policies that start in the period.")
    total = serializers.DecimalField(**money)
    by_type = serializers.DictField(
        child=serializers.DecimalField(**money), help_text="Premiums by `insurance_type`."
    )
    rows = ChatPolicySerializer(many=True, help_text=f"The dearest {MAX_ROWS} policies.")


class ChatOwnershipRowSerializer(serializers.Serializer):
    numplate = serializers.CharField(allow_null=True, help_text="Null in the totals.")
    fuel = serializers.DecimalField(**money)
    upkeep = serializers.DecimalField(
        **money, help_text="Parts, work, tyres, batteries and inspections."
    )
    insurance = serializers.DecimalField(
        **money, help_text="Premiums spread over the days each policy covers."
    )
    total = serializers.DecimalField(**money)
    mileage_km = serializers.IntegerField()
    cost_per_km = serializers.DecimalField(**money, allow_null=True)


class ChatCostOfOwnershipSerializer(KeywordNamesMixin, serializers.Serializer):
    """The cost of ownership by car (as `reports/cost-of-ownership/`), costliest first."""

    kind = kind_field("cost_of_ownership")
    from_ = MonthField()
    to = MonthField()
    car = serializers.IntegerField(allow_null=True)
    totals = ChatOwnershipRowSerializer()
    rows = ChatOwnershipRowSerializer(many=True, help_text=f"The costliest {MAX_ROWS} cars.")
    rows_total = serializers.IntegerField()


CHAT_DATA = {
    "car": ChatCarSerializer,
    "fleet_summary": ChatFleetSummarySerializer,
    "fuel_consumption": ChatFuelConsumptionSerializer,
    "maintenance_costs": ChatMaintenanceCostsSerializer,
    "documents": ChatDocumentsSerializer,
    "compliance_rows": ChatComplianceSerializer,
    "top_cars": ChatTopCarsSerializer,
    "cars": ChatCarsSerializer,
    "insurance_premiums": ChatInsurancePremiumsSerializer,
    "cost_of_ownership": ChatCostOfOwnershipSerializer,
}


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="ChatData", serializers=CHAT_DATA, resource_type_field_name="kind"
    )
)
class ChatDataField(serializers.JSONField):
    """`ChatReply.data`, given as the provider built it; the schema has one shape per kind."""


class ChatOutputSerializer(serializers.Serializer):
    reply = serializers.CharField()
    actions = ActionSerializer(many=True, help_text="Proposed; send them to `ai/actions/`.")
    data = ChatDataField(
        allow_null=True,
        help_text="The numbers behind the reply, ready for a chart; `kind` says which.",
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
