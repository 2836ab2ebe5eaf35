"""List filters. Every list filters by `car`; dated ones by `date_from` / `date_to`."""

import datetime as dt

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .fields import numplate_normalize
from .models import (
    Accumulator,
    Car,
    CarStatus,
    DocumentStatus,
    FuelRecord,
    Inspection,
    Insurance,
    InsuranceType,
    Kit,
    MaintenancePlan,
    MonthlyMileage,
    Recorder,
    Spare,
    SpareCategory,
    Tires,
)
from .selectors import company_clock, company_users, document_status_q


class CompanyUserFilter(filters.ModelChoiceFilter):
    """The id of a user of this company: another company's user id is refused like an unknown
    one (users live in the public schema, so the schema does not hide them)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Id of a user of this company.")
        super().__init__(queryset=lambda request: company_users(), **kwargs)


class CarFilter(filters.FilterSet):
    region = filters.CharFilter(help_text="Region code.")
    brand = filters.CharFilter(help_text="Brand code.")
    vehicle_type = filters.CharFilter(help_text="Vehicle type code.")
    fuel_type = filters.CharFilter(help_text="Fuel type code.")
    status = filters.ChoiceFilter(choices=CarStatus.choices)
    numplate = filters.CharFilter(
        method="filter_numplate", help_text="Part of the number plate; spaces and case ignored."
    )
    driver = CompanyUserFilter()

    class Meta:
        model = Car
        fields = ["region", "brand", "vehicle_type", "fuel_type", "status", "numplate", "driver"]

    def filter_numplate(self, queryset, name, value):
        return queryset.filter(numplate__contains=numplate_normalize(value))


class CarRecordFilter(filters.FilterSet):
    """`car`: an id of this company's car; an unknown id is a 400, not an empty list."""

    car = filters.ModelChoiceFilter(queryset=Car.objects.all())


def _date_range(field: str):
    """`date_from` / `date_to` (inclusive) on one date column."""
    return (
        filters.DateFilter(field_name=field, lookup_expr="gte", help_text=f"{field} ≥ this day."),
        filters.DateFilter(field_name=field, lookup_expr="lte", help_text=f"{field} ≤ this day."),
    )


class SpareFilter(CarRecordFilter):
    date_from, date_to = _date_range("installed_at")
    category = filters.ChoiceFilter(choices=SpareCategory.choices)

    class Meta:
        model = Spare
        fields = ["car", "category"]


def in_service_q(
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    removed_field: str | None = None,
) -> Q:
    """Equipment in service at some time within [date_from, date_to] (both days included; an
    end left out is open). It is in service from `installed_at` to `removed_field`, that day
    included, or still on the car while that is empty; without a `removed_field` (the model
    records no removal), from its installation on. An unknown `installed_at` matches no
    `date_to`: it is not known to have been in service by then."""
    q = Q()
    if date_to is not None:
        q &= Q(installed_at__lte=date_to)
    if date_from is not None and removed_field is not None:
        q &= Q((f"{removed_field}__isnull", True)) | Q((f"{removed_field}__gte", date_from))
    return q


def _in_service_range(removed_field: str | None):
    """`date_from` / `date_to` (inclusive): what was in service at some time within them."""
    if removed_field is None:
        in_service = "in service from `installed_at` on (no removal date is recorded)"
    else:
        in_service = f"in service from `installed_at` to `{removed_field}` (or still on the car)"
    return (
        filters.DateFilter(
            method=lambda queryset, name, value: queryset.filter(
                in_service_q(date_from=value, removed_field=removed_field)
            ),
            help_text=f"In service on this day or later; {in_service}.",
        ),
        filters.DateFilter(
            method=lambda queryset, name, value: queryset.filter(in_service_q(date_to=value)),
            help_text=f"In service on this day or earlier; {in_service}.",
        ),
    )


class TiresFilter(CarRecordFilter):
    """Tyre sets in service at some time within [date_from, date_to]: mounted by `date_to` and
    not removed before `date_from`."""

    date_from, date_to = _in_service_range("removed_at")
    mounted = filters.BooleanFilter(
        field_name="removed_at", lookup_expr="isnull", help_text="Only tyres still on the car."
    )

    class Meta:
        model = Tires
        fields = ["car"]


class AccumulatorFilter(CarRecordFilter):
    """Batteries in service at some time within [date_from, date_to]. A battery has no removal
    date, so it counts as in service from `installed_at` on: `date_to` means "installed by
    then", and `date_from` alone leaves every battery in."""

    date_from, date_to = _in_service_range(None)

    class Meta:
        model = Accumulator
        fields = ["car"]


class RecorderFilter(CarRecordFilter):
    """Dashcams in service at some time within [date_from, date_to]. No removal date is recorded
    (a car has one dashcam, the one on it), so one counts as in service from `installed_at` on;
    one without an installation date is matched by `date_from` alone."""

    date_from, date_to = _in_service_range(None)

    class Meta:
        model = Recorder
        fields = ["car"]


class KitFilter(CarRecordFilter):
    class Meta:
        model = Kit
        fields = ["car"]


class MonthOrDateField(forms.CharField):
    """`YYYY-MM` or `YYYY-MM-DD`, cleaned to the first day of that month."""

    # Declared (not only raised) so that the API schema lists the code.
    default_error_messages = {"invalid": _("Enter a month (YYYY-MM) or a date (YYYY-MM-DD).")}

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        for fmt in ("%Y-%m", "%Y-%m-%d"):
            try:
                return dt.datetime.strptime(value, fmt).date().replace(day=1)
            except ValueError:
                continue
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class MonthFilter(filters.Filter):
    field_class = MonthOrDateField


def _month_range(field: str):
    """Months that overlap [date_from, date_to]; `field` holds each record's first day."""
    help_text = "A month (YYYY-MM) or a day (YYYY-MM-DD); records of months that overlap it."
    return (
        MonthFilter(field_name=field, lookup_expr="gte", help_text=help_text),
        MonthFilter(field_name=field, lookup_expr="lte", help_text=help_text),
    )


class FuelRecordFilter(CarRecordFilter):
    date_from, date_to = _month_range("period")

    class Meta:
        model = FuelRecord
        fields = ["car", "year", "month"]


class MaintenancePlanFilter(CarRecordFilter):
    class Meta:
        model = MaintenancePlan
        fields = ["car"]


class MonthlyMileageFilter(CarRecordFilter):
    date_from, date_to = _month_range("month")

    class Meta:
        model = MonthlyMileage
        fields = ["car"]


class DocumentFilter(CarRecordFilter):
    """Documents valid at any time within [date_from, date_to], and by status as of today in the
    company's timezone."""

    start_field: str
    end_field: str

    date_from = filters.DateFilter(method="filter_date_from", help_text="Valid on or after.")
    date_to = filters.DateFilter(method="filter_date_to", help_text="Valid on or before.")
    status = filters.ChoiceFilter(choices=DocumentStatus.choices, method="filter_status")

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(**{f"{self.end_field}__gte": value})

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(**{f"{self.start_field}__lte": value})

    def filter_status(self, queryset, name, value):
        return queryset.filter(
            document_status_q(
                value, start=self.start_field, end=self.end_field, clock=company_clock()
            )
        )


class InsuranceFilter(DocumentFilter):
    start_field, end_field = "start_date", "end_date"
    insurance_type = filters.ChoiceFilter(choices=InsuranceType.choices)

    class Meta:
        model = Insurance
        fields = ["car", "insurance_type"]


class InspectionFilter(DocumentFilter):
    start_field, end_field = "inspected_at", "valid_until"

    class Meta:
        model = Inspection
        fields = ["car"]
