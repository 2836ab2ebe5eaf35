import datetime as dt
import re

from django.db import connection
from django.utils.translation import gettext as _
from rest_framework import serializers

from shared_apps.core.rows import CompiledRowSerializer
from shared_apps.core.serializers import KeywordNamesMixin
from shared_apps.core.validators import FREE_FORM_JSON_VALIDATORS
from tenant_apps.fleet.compliance import ComplianceStatus, Obligation
from tenant_apps.fleet.models import Car, CarStatus, DocumentStatus
from tenant_apps.fleet.models.fuel import FIRST_YEAR, LAST_YEAR
from tenant_apps.fleet.selectors import company_today
from tenant_apps.fleet.serializers import ComplianceRowSerializer, MonthField

from .links import export_download_path
from .models import ExportFormat, ExportJob, ExportReport
from .ownership import OWNERSHIP_GROUPINGS
from .periods import MonthPeriod, month_add
from .selectors import FUEL_GROUPINGS, GROUPINGS

MAX_MONTHS = 240
EXPORT_CHOICES = ["json", "csv", "xlsx"]
DAY_OR_MONTH = re.compile(r"\d{4}-\d{2}(-\d{2})?", re.ASCII)


class CarIdField(serializers.PrimaryKeyRelatedField):
    """An id of this company's car, given back as the id."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Car.objects.all(), required=False, **kwargs)

    def to_internal_value(self, data) -> int:
        return super().to_internal_value(data).pk


class CarIdsField(serializers.ListField):
    """Cars by id: `?car=3&car=7` (or one id, or a list of them in an export's `params`).
    Checked in one query; another company's car is "does not exist", as an unknown id."""

    default_error_messages = {
        code: serializers.PrimaryKeyRelatedField.default_error_messages[code]
        for code in ("does_not_exist", "incorrect_type")
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Only these cars (repeat the parameter for a set).")
        super().__init__(
            child=serializers.IntegerField(min_value=1), required=False, max_length=500, **kwargs
        )

    def to_internal_value(self, data) -> list[int]:
        if isinstance(data, str | int):
            data = [data]
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        if len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        ids = set()
        for item in data:
            try:
                if isinstance(item, bool):
                    raise TypeError
                ids.add(int(item))
            except (TypeError, ValueError):
                self.fail("incorrect_type", data_type=type(item).__name__)
        found = set(
            Car.objects.filter(pk__in=[i for i in ids if 0 < i < 2**63]).values_list(
                "pk", flat=True
            )
        )
        if missing := sorted(ids - found):
            self.fail("does_not_exist", pk_value=missing[0])
        return sorted(ids)


# --- Query parameters -----------------------------------------------------------------------------


class CarScopeParams(serializers.Serializer):
    """The cars a report covers (`car_scope.CarScope`): a set of cars and the car filters. The
    car status is `status`, or `car_status` where `status` is a document's or an obligation's."""

    car = CarIdsField()
    region = serializers.CharField(required=False, max_length=64, help_text="Region code.")
    vehicle_type = serializers.CharField(
        required=False, max_length=64, help_text="Vehicle type code."
    )
    fuel_type = serializers.CharField(required=False, max_length=64, help_text="Fuel type code.")


def car_status_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=CarStatus.choices,
        required=False,
        help_text="Car status; without it, decommissioned cars are left out.",
    )


class MonthReportParams(KeywordNamesMixin, CarScopeParams):
    """`from`/`to` are whole months, both included; without them, the company's current year
    up to this month. `export` picks JSON or a file download."""

    # Raised by validate(); listed for the API schema (`shared_apps.core.openapi`).
    validate_error_codes = {"from": ["invalid_period"], "to": ["period_too_long"]}

    status = car_status_field()
    from_ = MonthField(required=False, help_text="First month, YYYY-MM.")
    to = MonthField(required=False, help_text="Last month, YYYY-MM.")
    group_by = serializers.ChoiceField(choices=GROUPINGS, default="month")
    export = serializers.ChoiceField(choices=EXPORT_CHOICES, default="json")

    def validate(self, attrs):
        this_month = company_today(connection.tenant).replace(day=1)
        last = attrs.pop("to", None) or max(this_month, attrs.get("from") or this_month)
        first = attrs.pop("from", None) or last.replace(month=1)
        if first > last:
            raise serializers.ValidationError(
                {"from": _("`from` must not be after `to`.")}, code="invalid_period"
            )
        if month_add(first, MAX_MONTHS) <= last:
            raise serializers.ValidationError(
                {"to": _("A report covers at most %(months)s months.") % {"months": MAX_MONTHS}},
                code="period_too_long",
            )
        attrs["period"] = MonthPeriod(first=first, last=last)
        return attrs


class FuelReportParams(MonthReportParams):
    group_by = serializers.ChoiceField(choices=FUEL_GROUPINGS, default="month")


class OwnershipReportParams(MonthReportParams):
    group_by = serializers.ChoiceField(choices=OWNERSHIP_GROUPINGS, default="car")


class DayOrMonthField(serializers.CharField):
    """`YYYY-MM-DD`, or `YYYY-MM` for the month's first (`from`) or last (`to`) day."""

    def __init__(self, *, month_end: bool, **kwargs):
        self.month_end = month_end
        super().__init__(required=False, **kwargs)

    def to_internal_value(self, data) -> dt.date:
        text = super().to_internal_value(data)
        try:
            if not DAY_OR_MONTH.fullmatch(text) or not FIRST_YEAR <= int(text[:4]) <= LAST_YEAR:
                raise ValueError
            if len(text) == 10:
                return dt.date.fromisoformat(text)
            month = dt.date.fromisoformat(f"{text}-01")
        except ValueError:
            raise serializers.ValidationError(
                _("Enter a day (YYYY-MM-DD) or a month (YYYY-MM)."), code="invalid"
            ) from None
        return month_add(month, 1) - dt.timedelta(days=1) if self.month_end else month


class DocumentReportParams(KeywordNamesMixin, CarScopeParams):
    """`from`/`to` select documents by their end date. `days` is the warning window (the
    company's, 30 by default). Without `history`, only each car's latest policy of each type and
    latest inspection are listed."""

    validate_error_codes = {"from": ["invalid_period"]}  # as in MonthReportParams

    status = serializers.ChoiceField(choices=DocumentStatus.choices, required=False)
    car_status = car_status_field()
    from_ = DayOrMonthField(month_end=False, help_text="Ending on or after (YYYY-MM[-DD]).")
    to = DayOrMonthField(month_end=True, help_text="Ending on or before (YYYY-MM[-DD]).")
    days = serializers.IntegerField(required=False, min_value=0, max_value=3650)
    history = serializers.BooleanField(default=False, help_text="Also superseded documents.")
    export = serializers.ChoiceField(choices=EXPORT_CHOICES, default="json")

    def validate(self, attrs):
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError(
                {"from": _("`from` must not be after `to`.")}, code="invalid_period"
            )
        attrs.setdefault("days", connection.tenant.expiry_warning_days)
        return attrs


class FuelLedgerParams(KeywordNamesMixin, serializers.Serializer):
    """Every fuel record of the period (one row per car and month)."""

    car = CarIdField(help_text="Only this car.")
    from_ = MonthField(required=False, help_text="First month, YYYY-MM.")
    to = MonthField(required=False, help_text="Last month, YYYY-MM.")


# --- Report bodies (JSON) -------------------------------------------------------------------------

# Sums of many records: no digit limit (a limit would turn a large total into an error).
money = {"max_digits": None, "decimal_places": 2}


class FuelTotalsSerializer(serializers.Serializer):
    liters = serializers.DecimalField(**money)
    cost = serializers.DecimalField(**money)
    mileage_km = serializers.IntegerField(
        help_text="Every car-month's km (its mileage record, else its fuel record's), also of "
        "months without fuel."
    )
    liters_without_mileage = serializers.DecimalField(
        **money, help_text="Fuel of car-months without km: not in the average."
    )
    avg_consumption_l_per_100km = serializers.DecimalField(
        **money,
        allow_null=True,
        help_text="Liters / km × 100 over the car-months that have both; null without such "
        "months or where fuel types are mixed (see `group_by=fuel_type`).",
    )


# By car a report has 10,000 rows: written by a compiled writer (core.rows).
class GroupSerializer(CompiledRowSerializer):
    """Which group a row is: `period` when grouped by month or year, `car` and `numplate` when
    grouped by car."""

    period = serializers.CharField(allow_null=True, help_text="`YYYY-MM` or `YYYY`.")
    car = serializers.IntegerField(allow_null=True)
    numplate = serializers.CharField(allow_null=True)


class FuelRowSerializer(GroupSerializer, FuelTotalsSerializer):
    fuel_type = serializers.CharField(allow_null=True, help_text="When grouped by fuel type.")


class CompanyCurrencyField(serializers.CharField):
    """The company's currency: every amount of the answer is in it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "ISO 4217 code of every amount here (the company's).")
        super().__init__(read_only=True, source="*", **kwargs)

    def to_representation(self, value) -> str:
        return connection.tenant.default_currency


class PeriodReportSerializer(KeywordNamesMixin, serializers.Serializer):
    from_ = MonthField(source="period.first")
    to = MonthField(source="period.last")
    group_by = serializers.ChoiceField(choices=GROUPINGS)
    car = serializers.IntegerField(
        allow_null=True, help_text="The car, when the report is about exactly one."
    )
    currency = CompanyCurrencyField()


class FuelConsumptionSerializer(PeriodReportSerializer):
    group_by = serializers.ChoiceField(choices=FUEL_GROUPINGS)
    totals = FuelTotalsSerializer()
    rows = FuelRowSerializer(many=True)


class CostTotalsSerializer(serializers.Serializer):
    parts = serializers.DecimalField(**money)
    work = serializers.DecimalField(**money)
    tires = serializers.DecimalField(**money)
    accumulators = serializers.DecimalField(**money)
    inspections = serializers.DecimalField(**money)
    total = serializers.DecimalField(**money)


class CostRowSerializer(GroupSerializer, CostTotalsSerializer):
    pass


class MaintenanceCostsSerializer(PeriodReportSerializer):
    totals = CostTotalsSerializer()
    rows = CostRowSerializer(many=True)


class OwnershipTotalsSerializer(serializers.Serializer):
    fuel = serializers.DecimalField(**money)
    parts = serializers.DecimalField(**money)
    work = serializers.DecimalField(**money)
    tires = serializers.DecimalField(**money)
    accumulators = serializers.DecimalField(**money)
    inspections = serializers.DecimalField(**money)
    insurance = serializers.DecimalField(
        **money, help_text="Premiums spread over the days each policy covers."
    )
    total = serializers.DecimalField(**money)
    mileage_km = serializers.IntegerField(help_text="Every car-month's km.")
    cost_per_km = serializers.DecimalField(
        **money, allow_null=True, help_text="`total` / `mileage_km`; null at 0 km."
    )


class OwnershipRowSerializer(GroupSerializer, OwnershipTotalsSerializer):
    pass


class CostOfOwnershipSerializer(PeriodReportSerializer):
    group_by = serializers.ChoiceField(choices=OWNERSHIP_GROUPINGS)
    totals = OwnershipTotalsSerializer()
    rows = OwnershipRowSerializer(many=True)


class DocumentItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["insurance", "inspection"])
    id = serializers.IntegerField()
    car = serializers.IntegerField()
    numplate = serializers.CharField()
    type = serializers.ChoiceField(choices=["casco", "osago", "inspection"])
    number = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    status = serializers.ChoiceField(choices=DocumentStatus.choices)
    days_left = serializers.IntegerField(help_text="Negative once the end date has passed.")


class DocumentCountsSerializer(serializers.Serializer):
    upcoming = serializers.IntegerField()
    active = serializers.IntegerField()
    expiring = serializers.IntegerField()
    expired = serializers.IntegerField()


class InsuranceInspectionSerializer(KeywordNamesMixin, serializers.Serializer):
    today = serializers.DateField(help_text="Today in the company's timezone.")
    days = serializers.IntegerField(help_text="The warning window used for `expiring`.")
    from_ = serializers.DateField(source="date_from", allow_null=True)
    to = serializers.DateField(source="date_to", allow_null=True)
    status = serializers.CharField(allow_null=True)
    counts = DocumentCountsSerializer(help_text="Over every matching document, by status.")
    items = DocumentItemSerializer(many=True)


# --- Export jobs ----------------------------------------------------------------------------------


class ExportJobCreateSerializer(serializers.Serializer):
    report = serializers.ChoiceField(choices=ExportReport.choices)
    format = serializers.ChoiceField(choices=ExportFormat.choices)
    params = serializers.DictField(
        required=False,
        default=dict,
        validators=FREE_FORM_JSON_VALIDATORS,
        help_text='The report\'s query parameters, e.g. `{"from": "2026-01", "group_by": "car"}`.',
    )


class ExportParamsField(serializers.JSONField):
    """An export job's `params` as they were sent; typed per report in the API schema
    (`openapi.py`)."""


class ExportJobSerializer(serializers.ModelSerializer):
    params = ExportParamsField(
        read_only=True,
        help_text="The report's parameters, as sent but for the empty ones (not given).",
    )
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "report",
            "format",
            "params",
            "status",
            "progress",
            "rows",
            "download_url",
            "expires_at",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_download_url(self, job) -> str | None:
        """A signed link that works without a token until `expires_at`, on this host only."""
        path = export_download_path(job)
        if path is None:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


# --- Compliance -----------------------------------------------------------------------------------


class ComplianceReportParams(CarScopeParams):
    """`status` is an obligation's; the car status is `car_status`. `days` is the warning window
    (the company's by default)."""

    status = serializers.ChoiceField(choices=ComplianceStatus.choices, required=False)
    obligation = serializers.ChoiceField(choices=Obligation.choices, required=False)
    car_status = car_status_field()
    days = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=3650,
        help_text="Warning window in days for `expiring` (default: the company's).",
    )
    export = serializers.ChoiceField(choices=EXPORT_CHOICES, default="json")


class ComplianceCountsSerializer(serializers.Serializer):
    missing = serializers.IntegerField()
    expired = serializers.IntegerField()
    expiring = serializers.IntegerField()
    active = serializers.IntegerField()


class ComplianceReportSerializer(serializers.Serializer):
    today = serializers.DateField(help_text="Today in the company's timezone.")
    days = serializers.IntegerField(help_text="The warning window used for `expiring`.")
    status = serializers.ChoiceField(choices=ComplianceStatus.choices, allow_null=True)
    obligation = serializers.ChoiceField(choices=Obligation.choices, allow_null=True)
    counts = ComplianceCountsSerializer(
        help_text="Rows by status, over every status whatever `status` asks for."
    )
    rows = ComplianceRowSerializer(many=True, help_text="Worst first.")
