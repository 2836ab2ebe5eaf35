import copy
import datetime as dt
import operator
import re

from django.core.exceptions import FieldDoesNotExist
from django.core.validators import (
    DecimalValidator,
    MaxLengthValidator,
    MaxValueValidator,
    MinLengthValidator,
    MinValueValidator,
)
from django.db import models
from django.utils.dates import MONTHS
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.fields import SkipField
from rest_framework.validators import UniqueValidator

from shared_apps.core.integrity import (
    duplicate_errors,
    exclusion_error_messages,
    unique_error_fields,
)
from shared_apps.core.rows import (
    AnnotatedMethodField,
    CompiledListSerializer,
    CompiledRowSerializer,
)
from shared_apps.core.serializers import FieldsOnceMixin
from shared_apps.dictionaries.fields import DictionaryCodeField
from shared_apps.dictionaries.models import DictionaryKind

from .compliance import ComplianceStatus, Obligation
from .images import IMAGE_ERROR_MESSAGES, ImageFileField
from .models import (
    Accumulator,
    Car,
    CarPhoto,
    DocumentStatus,
    FuelRecord,
    Inspection,
    Insurance,
    Kit,
    MaintenancePlan,
    MonthlyMileage,
    Recorder,
    Spare,
    Tires,
)
from .models.fuel import FIRST_YEAR, LAST_YEAR
from .selectors import (
    CompanyClock,
    company_clock,
    company_users,
    document_status,
    with_consumption,
)

MONTH_PATTERN = re.compile(r"(\d{4})-(0[1-9]|1[0-2])", re.ASCII)


class ImageUploadField(serializers.FileField):
    """The API field of an `ImageFileField`: it declares the codes of the model field's validator,
    so that the API schema lists them."""

    default_error_messages = IMAGE_ERROR_MESSAGES


class FleetModelSerializer(FieldsOnceMixin, serializers.ModelSerializer):
    """Base of the fleet serializers; their fields are made once per class
    (`core.serializers.FieldsOnceMixin`). Uniqueness is left to the database (see
    `shared_apps/core/integrity.py`), so that a duplicate gets the same answer whether or not it
    races another request; DRF's look-up validators would answer differently and are dropped.
    The fields the database reports a duplicate on still declare the `unique` code, for the
    API schema."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        ImageFileField: ImageUploadField,
    }

    def __init_subclass__(cls, **kwargs):
        """Lists (`many=True`) are written by the compiled row writer unless a serializer's
        Meta names its own list class."""
        super().__init_subclass__(**kwargs)
        meta = cls.__dict__.get("Meta")
        if meta is not None and not hasattr(meta, "list_serializer_class"):
            meta.list_serializer_class = CompiledListSerializer

    def get_validators(self):
        return []

    # A batch (an import) validates 100,000 rows with one serializer, and DRF walked `fields`
    # (a mapping slow to iterate) twice a row to find the same fields: found once here. The
    # fields are final once built (`get_fields`).
    @cached_property
    def _writable_fields(self) -> list[serializers.Field]:
        return [field for field in self.fields.values() if not field.read_only]

    @cached_property
    def _read_only_default_fields(self) -> list[serializers.Field]:
        return [
            field
            for field in self.fields.values()
            if field.read_only
            and field.default is not serializers.empty
            and field.source != "*"
            and "." not in field.source
        ]

    def _read_only_defaults(self) -> dict:
        """DRF's, over the fields found once."""
        defaults = {}
        for field in self._read_only_default_fields:
            try:
                defaults[field.source] = field.get_default()
            except SkipField:
                continue
        return defaults

    def run_validation(self, data=serializers.empty):
        try:
            return super().run_validation(data)
        except serializers.ValidationError as exc:
            self._add_duplicate_errors(data, exc)
            raise

    def _add_duplicate_errors(self, data, exc: serializers.ValidationError) -> None:
        """A request refused for other errors also hears that it is a duplicate (found by a
        look-up with the fields that are valid), so that fixing those is not followed by a
        second refusal. A request without other errors learns it from the database."""
        if not isinstance(exc.detail, dict) or data is serializers.empty:
            return
        model = self.Meta.model
        candidate = copy.copy(self.instance) if self.instance is not None else model()
        invalid = set(exc.detail)
        for name, field in self.fields.items():
            if field.read_only or name in invalid or "." in field.source:
                continue
            primitive = field.get_value(data)
            if primitive is serializers.empty:
                continue  # not sent: the stored or default value stands
            try:
                setattr(candidate, field.source, field.run_validation(primitive))
            except serializers.ValidationError:
                invalid.add(name)
        invalid_fields = {self.fields[name].source for name in invalid if name in self.fields}
        for field, error in duplicate_errors(candidate, exclude=invalid_fields).items():
            exc.detail.setdefault(field, []).append(
                ErrorDetail(str(error.message), code=error.code)
            )

    def get_fields(self):
        fields = super().get_fields()
        unique = unique_error_fields(self.Meta.model)
        overlaps = exclusion_error_messages(self.Meta.model)
        for name, field in fields.items():
            field.validators = [v for v in field.validators if not isinstance(v, UniqueValidator)]
            if (field.source or name) in unique and not field.read_only:
                field.error_messages.setdefault("unique", UniqueValidator.message)
            if (field.source or name) in overlaps and not field.read_only:
                field.error_messages.update(overlaps[field.source or name])
        return fields


# The API fields whose conversion gives what the model field's `to_python` would (so that the
# model's checks, run on the API field's output, could only agree), by their exact class.
_PLAIN_FIELDS = (
    serializers.BooleanField,
    serializers.CharField,
    serializers.ChoiceField,
    serializers.DateField,
    serializers.DecimalField,
    serializers.IntegerField,
)
# Extra kwargs that change nothing of what a field accepts.
_HARMLESS_KWARGS = frozenset({"help_text", "label", "read_only", "required", "style"})


def fields_checked_as_the_model_would(
    serializer: serializers.ModelSerializer,
) -> frozenset[str]:
    """The model fields that `serializer` already checks as the model field itself would, so
    that `services.record_new` need not run their validators a second time (a 100,000-row
    import spends a fifth of its time on that).

    Only fields ModelSerializer built from the model field (not declared by hand, no extra
    kwargs that change them), of a plain kind (`_PLAIN_FIELDS`), that carry every validator of
    the model field: the same object, or the limit DRF turned it into (`min_value`,
    `max_length`, the decimal digits) at least as strict; its choices, and no looser
    `null`/`blank`. DRF is not trusted blindly: it keeps only the first of two
    `MaxValueValidator`s, for one. Every other field is still cleaned by the model."""
    model = serializer.Meta.model
    declared = serializer._declared_fields
    extra = serializer.get_extra_kwargs()
    checked = set()
    for name, field in serializer.fields.items():
        if (
            name in declared
            or field.read_only
            or field.source != name
            or type(field) not in _PLAIN_FIELDS
            or not set(extra.get(name, {})) <= _HARMLESS_KWARGS
        ):
            continue
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if model_field.concrete and not model_field.is_relation and _carries(field, model_field):
            checked.add(name)
    return frozenset(checked)


def _carries(field: serializers.Field, model_field) -> bool:
    """Whether the API field refuses whatever the model field's `clean` refuses."""
    if (field.allow_null and not model_field.null) or (
        getattr(field, "allow_blank", False) and not model_field.blank
    ):
        return False
    if model_field.choices and not (
        isinstance(field, serializers.ChoiceField)
        and set(field.choices) <= {value for value, _label in model_field.flatchoices}
    ):
        return False
    if isinstance(model_field, models.DecimalField) and (
        not isinstance(field, serializers.DecimalField)
        or (field.max_digits, field.decimal_places)
        != (model_field.max_digits, model_field.decimal_places)
    ):
        return False
    return all(_carries_validator(field, validator) for validator in model_field.validators)


def _carries_validator(field: serializers.Field, validator) -> bool:
    if any(own is validator for own in field.validators):
        return True
    if isinstance(validator, DecimalValidator):
        return isinstance(field, serializers.DecimalField)  # the digits compared above
    if type(validator) is MaxLengthValidator and isinstance(field, serializers.ChoiceField):
        return all(len(str(choice)) <= validator.limit_value for choice in field.choices)
    # The limits DRF moved out of the validators into the field's arguments.
    limits = {
        MinValueValidator: ("min_value", operator.ge),
        MaxValueValidator: ("max_value", operator.le),
        MinLengthValidator: ("min_length", operator.ge),
        MaxLengthValidator: ("max_length", operator.le),
    }
    if type(validator) not in limits or callable(validator.limit_value):
        return False
    argument, at_least_as_strict = limits[type(validator)]
    own = getattr(field, argument, None)
    return own is not None and at_least_as_strict(own, validator.limit_value)


class CompanyUserField(serializers.PrimaryKeyRelatedField):
    """The id of an active user of this company; another company's user id is "does not exist".
    A driver deactivated since stays valid on the car that has them."""

    def get_queryset(self):
        return company_users(active_only=True)

    def to_internal_value(self, data):
        instance = getattr(self.parent, "instance", None)
        current_id = getattr(instance, f"{self.source}_id", None)  # no query for the comparison
        if current_id is not None and str(current_id) == str(data):
            return getattr(instance, self.source)
        return super().to_internal_value(data)


@extend_schema_field(
    {"type": "string", "pattern": f"^{MONTH_PATTERN.pattern}$", "example": "2026-03"}
)
class MonthField(serializers.Field):
    """A month as `YYYY-MM`, stored as the month's first day."""

    default_error_messages = {"invalid": _("Enter a month as YYYY-MM, e.g. 2026-03.")}

    def to_internal_value(self, data) -> dt.date:
        match = MONTH_PATTERN.fullmatch(data) if isinstance(data, str) else None
        if match is None or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
            self.fail("invalid")
        return dt.date(int(match[1]), int(match[2]), 1)

    def to_representation(self, value: dt.date) -> str:
        return f"{value:%Y-%m}"


class CompanyDateMixin:
    """Today in the company's timezone and its warning window, computed once per response."""

    def company_clock(self) -> CompanyClock:
        if "clock" not in self.context:
            self.context["clock"] = company_clock()
        return self.context["clock"]


# --- Cars -----------------------------------------------------------------------------------------


class CarListSerializer(FleetModelSerializer):
    """A car in a list: what a fleet table shows."""

    class Meta:
        model = Car
        fields = [
            "id",
            "numplate",
            "title",
            "brand",
            "region",
            "vehicle_type",
            "fuel_type",
            "year",
            "status",
            "driver_name",
            "driver",
        ]
        read_only_fields = fields


class CarSerializer(FleetModelSerializer):
    """A car with every field; what is written on create and update."""

    region = DictionaryCodeField(kind=DictionaryKind.REGIONS)
    brand = DictionaryCodeField(kind=DictionaryKind.BRANDS)
    fuel_type = DictionaryCodeField(kind=DictionaryKind.FUEL_TYPES)
    vehicle_type = DictionaryCodeField(kind=DictionaryKind.VEHICLE_TYPES)
    driver = CompanyUserField(required=False, allow_null=True)

    class Meta:
        model = Car
        fields = [
            "id",
            "region",
            "brand",
            "title",
            "numplate",
            "year",
            "vin",
            "fuel_type",
            "vehicle_type",
            "driver_name",
            "driver_phone",
            "driver",
            "fuel_card",
            "status",
            "commissioned_at",
            "created_at",
            "updated_at",
        ]


class DaysLeftMixin(CompanyDateMixin):
    """`days_left` until the document's `end_field`; negative once it has passed."""

    end_field: str

    def get_days_left(self, obj) -> int:
        """Days until the end date; negative once it has passed."""
        return (getattr(obj, self.end_field) - self.company_clock().today).days


class InsuranceBriefSerializer(DaysLeftMixin, serializers.ModelSerializer):
    end_field = "end_date"
    days_left = serializers.SerializerMethodField()

    class Meta:
        model = Insurance
        fields = ["id", "insurance_type", "number", "end_date", "days_left"]


class InspectionBriefSerializer(DaysLeftMixin, serializers.ModelSerializer):
    end_field = "valid_until"
    days_left = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = ["id", "number", "valid_until", "days_left"]


class ObligationStatusSerializer(serializers.Serializer):
    """One obligation of one car and where it stands today (a compliance row, also as the
    assistant and the reminders show it)."""

    car = serializers.IntegerField()
    numplate = serializers.CharField()
    obligation = serializers.ChoiceField(choices=Obligation.choices)
    status = serializers.ChoiceField(
        choices=ComplianceStatus.choices,
        help_text="`missing`: nothing covers the car and nothing did, or only a document yet to "
        "start, or the kit item is absent; `expired`: what covered it has ended and nothing "
        "covers it today; `expiring`: covered up to a day within the warning window; `active`.",
    )
    due = serializers.DateField(
        allow_null=True,
        help_text="The last day of today's uninterrupted cover (renewals that follow without a "
        "gap included), or of the last cover when expired, or the start of a document yet to "
        "start when missing; an item's or battery's expiry date.",
    )
    days_left = serializers.IntegerField(
        allow_null=True, help_text="Days until `due`; negative once it has passed."
    )


# A report may have tens of thousands of rows: written by a compiled writer (core.rows).
class ComplianceRowSerializer(CompiledRowSerializer, ObligationStatusSerializer):
    """One obligation of one car and where it stands today."""

    document = serializers.IntegerField(
        allow_null=True,
        help_text="The id of the insurance, inspection or battery `due` is read from; for kit "
        "items, the car's kit.",
    )


class CarSummarySerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="The company's current calendar year.")
    # Sums of many records: no digit limit, or a large enough one would make the view fail.
    fuel_liters = serializers.DecimalField(max_digits=None, decimal_places=2)
    fuel_cost = serializers.DecimalField(max_digits=None, decimal_places=2)
    maintenance_cost = serializers.DecimalField(
        max_digits=None,
        decimal_places=2,
        help_text="Parts and work, tyres, batteries and inspections this year.",
    )
    next_insurance = InsuranceBriefSerializer(
        allow_null=True,
        help_text="Of the policies covering the car today, the one whose cover ends first.",
    )
    next_inspection = InspectionBriefSerializer(
        allow_null=True, help_text="The certificate covering the car today, if any."
    )
    compliance = ComplianceRowSerializer(
        many=True, help_text="The car's rows of the compliance report (none if decommissioned)."
    )


class CarDetailSerializer(CarSerializer):
    """A car with this year's aggregates and its next expiring documents."""

    summary = CarSummarySerializer(read_only=True)

    class Meta(CarSerializer.Meta):
        fields = [*CarSerializer.Meta.fields, "summary"]


class CarPhotoSerializer(FleetModelSerializer):
    class Meta:
        model = CarPhoto
        fields = ["id", "car", "image", "comment", "uploaded_at", "uploaded_by"]
        read_only_fields = ["car", "uploaded_at", "uploaded_by"]


# --- Records of a car -----------------------------------------------------------------------------


class CarField(serializers.PrimaryKeyRelatedField):
    """A car by its id. A caller that has loaded the cars already passes them in the context
    as `cars` (id → Car), so that a batch of 10,000 rows does not look each one up again."""

    def to_internal_value(self, data):
        known = self.context.get("cars")
        if known is not None and not isinstance(data, bool):
            try:
                return known[int(data)]
            except (KeyError, TypeError, ValueError):
                pass  # not among them: the queryset decides, and words the refusal
        return super().to_internal_value(data)


class CarRecordSerializer(FleetModelSerializer):
    """Base of a car's records: `car` is written as an id, `car_numplate` is shown with it."""

    serializer_related_field = CarField

    car_numplate = serializers.CharField(source="car.numplate", read_only=True)


class SpareSerializer(CarRecordSerializer):
    total_price = serializers.DecimalField(
        max_digits=13, decimal_places=2, read_only=True, help_text="part_price + work_price."
    )

    class Meta:
        model = Spare
        fields = [
            "id",
            "car",
            "car_numplate",
            "name",
            "category",
            "description",
            "part_price",
            "work_description",
            "work_price",
            "total_price",
            "installed_at",
            "created_at",
            "updated_at",
        ]


class TiresSerializer(CarRecordSerializer):
    class Meta:
        model = Tires
        fields = [
            "id",
            "car",
            "car_numplate",
            "model",
            "size",
            "price",
            "photo",
            "installed_at",
            "removed_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"photo": {"allow_null": True}}  # null removes the photo


class AccumulatorSerializer(CarRecordSerializer):
    class Meta:
        model = Accumulator
        fields = [
            "id",
            "car",
            "car_numplate",
            "model",
            "serial_number",
            "capacity_ah",
            "price",
            "installed_at",
            "valid_until",
            "photo",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"photo": {"allow_null": True}}  # null removes the photo


class CarMonthConsumptionField(serializers.DecimalField):
    """A fuel record's consumption over its car-month's km: the list's annotation
    (`selectors.with_consumption`), or one query for a record just read or written (never a
    value kept on the record, which a write would leave stale)."""

    def to_representation(self, record):
        if hasattr(record, "consumption_l_per_100km"):
            value = record.consumption_l_per_100km
        else:
            fresh = with_consumption(FuelRecord.objects.filter(pk=record.pk))
            value = fresh.values_list("consumption_l_per_100km", flat=True).first()
        return None if value is None else super().to_representation(value)


class FuelRecordSerializer(CarRecordSerializer):
    # `month_name` and the consumption read the record's month and the list's annotation only:
    # a page may be read as values (`core.rows.CompiledListSerializer`).
    row_fields_read_columns_only = True

    month_name = serializers.SerializerMethodField()
    consumption_l_per_100km = CarMonthConsumptionField(
        max_digits=12,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        source="*",
        help_text="liters / the car-month's km × 100, 2 places (its `monthly-mileages/` record "
        "when there is one, else `mileage_km`); null at 0 km.",
    )

    class Meta:
        model = FuelRecord
        fields = [
            "id",
            "car",
            "car_numplate",
            "year",
            "month",
            "month_name",
            "liters",
            "total_cost",
            "mileage_km",
            "consumption_l_per_100km",
            "created_at",
            "updated_at",
        ]

    def get_month_name(self, obj) -> str:
        """The month's name in the user's language."""
        # Translated once per month for a list: a serializer lives within one request.
        names = self.__dict__.setdefault("_month_names", {})
        if obj.month not in names:
            names[obj.month] = str(MONTHS[obj.month])
        return names[obj.month]


class DocumentSerializer(DaysLeftMixin, CarRecordSerializer):
    """A dated document: `status` and `days_left` are counted from today in the company's
    timezone; `upcoming` until it starts, `expiring` within the company's warning window (30
    days by default)."""

    start_field: str
    # `status` and `days_left` read the document's dates only: a page may be read as values
    # (`core.rows.CompiledListSerializer`), where a list's SQL computes them
    # (`selectors.with_document_status`).
    row_fields_read_columns_only = True
    status = AnnotatedMethodField("status_today")
    days_left = AnnotatedMethodField("days_left_today")

    @extend_schema_field(
        serializers.ChoiceField(
            choices=DocumentStatus.choices,
            read_only=True,
            help_text="As of today in the company's timezone; `upcoming`: starts later; "
            "`expiring`: ends within the "
            "company's warning window (30 days by default).",
        )
    )
    def get_status(self, obj) -> str:
        start, end = getattr(obj, self.start_field), getattr(obj, self.end_field)
        return document_status(start, end, clock=self.company_clock()).value


class InsuranceSerializer(DocumentSerializer):
    start_field, end_field = "start_date", "end_date"

    class Meta:
        model = Insurance
        fields = [
            "id",
            "car",
            "car_numplate",
            "insurance_type",
            "number",
            "start_date",
            "end_date",
            "cost",
            "status",
            "days_left",
            "created_at",
            "updated_at",
        ]


class InspectionSerializer(DocumentSerializer):
    start_field, end_field = "inspected_at", "valid_until"

    class Meta:
        model = Inspection
        fields = [
            "id",
            "car",
            "car_numplate",
            "number",
            "inspected_at",
            "valid_until",
            "cost",
            "status",
            "days_left",
            "created_at",
            "updated_at",
        ]


class RecorderSerializer(CarRecordSerializer):
    class Meta:
        model = Recorder
        fields = [
            "id",
            "car",
            "car_numplate",
            "model",
            "serial_number",
            "installed_at",
            "photo",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"photo": {"allow_null": True}}  # null removes the photo


class KitSerializer(CarRecordSerializer):
    """The safety kit; an expiry date sent for an absent item is cleared."""

    class Meta:
        model = Kit
        fields = [
            "id",
            "car",
            "car_numplate",
            "has_jack",
            "has_wheel_wrench",
            "has_warning_triangle",
            "has_fire_extinguisher",
            "fire_extinguisher_expires_at",
            "has_first_aid_kit",
            "first_aid_kit_expires_at",
            "has_tow_rope",
            "created_at",
            "updated_at",
        ]


class MonthlyMileageSerializer(CarRecordSerializer):
    month = MonthField()

    class Meta:
        model = MonthlyMileage
        fields = ["id", "car", "car_numplate", "month", "mileage_km", "created_at", "updated_at"]


class MaintenancePlanSerializer(CarRecordSerializer):
    class Meta:
        model = MaintenancePlan
        fields = [
            "id",
            "car",
            "car_numplate",
            "name",
            "interval_km",
            "interval_months",
            "last_done_at",
            "created_at",
            "updated_at",
        ]
