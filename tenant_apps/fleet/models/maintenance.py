from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import (
    BigIntegerRangeField,
    DateRangeField,
    RangeBoundary,
    RangeOperators,
)
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _

from ..images import ImageFileField
from .base import CarRecord, car_field, money_field


class SpareCategory(models.TextChoices):
    ENGINE = "engine", _("Engine")
    TRANSMISSION = "transmission", _("Transmission")
    SUSPENSION = "suspension", _("Suspension")
    BRAKES = "brakes", _("Brakes")
    STEERING = "steering", _("Steering")
    ELECTRICAL = "electrical", _("Electrical")
    COOLING = "cooling", _("Cooling")
    EXHAUST = "exhaust", _("Exhaust")
    BODY = "body", _("Body")
    FILTERS = "filters", _("Filters")
    OILS = "oils", _("Oils and fluids")
    SERVICE = "service", _("Scheduled service")
    OTHER = "other", _("Other")


class Spare(CarRecord):
    """A repair: a part installed on a car and the work it took."""

    car = car_field("spares")
    name = models.CharField(max_length=200)
    category = models.CharField(
        max_length=16, choices=SpareCategory.choices, default=SpareCategory.OTHER
    )
    description = models.TextField(blank=True, max_length=2000)
    part_price = money_field(default=0)
    work_description = models.TextField(blank=True, max_length=2000)
    work_price = money_field(default=0)
    total_price = models.GeneratedField(
        expression=F("part_price") + F("work_price"),
        output_field=models.DecimalField(max_digits=13, decimal_places=2),
        db_persist=True,
    )
    installed_at = models.DateField()

    class Meta:
        verbose_name = _("spare")
        verbose_name_plural = _("spares")
        ordering = ["-installed_at", "-id"]
        # Each ordering the API offers, with the id that breaks its ties (see
        # `core.filters.StableOrderingFilter`): a page is read off an index, never sorted.
        indexes = [
            models.Index(fields=["car", "installed_at"]),
            models.Index(fields=["installed_at", "id"]),
            models.Index(fields=["total_price", "id"]),
            models.Index(fields=["part_price", "id"]),
            models.Index(fields=["work_price", "id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(part_price__gte=0) & Q(work_price__gte=0),
                name="spare_prices_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(category__in=SpareCategory.values), name="spare_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DateRange(Func):
    """PostgreSQL's `daterange(lower, upper, bounds)`; a null upper bound is open."""

    function = "daterange"
    output_field = DateRangeField()


class Int8Range(Func):
    """PostgreSQL's `int8range(lower, upper, bounds)`."""

    function = "int8range"
    output_field = BigIntegerRangeField()


class Tires(CarRecord):
    """A set of tyres mounted on a car, and when it was taken off.

    A car has one set mounted at a time (`tires_one_set_per_car_at_a_time`). A set occupies the
    car from the day it is installed up to the day it is removed, that day excluded: the day of
    a swap belongs to the new set, so a set removed on the 10th and the next installed on the
    10th do not overlap. (The list's `date_from` / `date_to` still count a set as in service on
    its removal day.) A set installed and removed on the same day occupies no day."""

    car = car_field("tires")
    model = models.CharField(max_length=120)
    size = models.CharField(max_length=32, help_text="E.g. `205/55 R16`.")
    price = money_field(default=0)
    photo = ImageFileField(upload_to="tires", blank=True)
    installed_at = models.DateField()
    removed_at = models.DateField(null=True, blank=True, help_text="Empty while mounted.")

    class Meta:
        verbose_name = _("tires")
        verbose_name_plural = _("tires")
        ordering = ["-installed_at", "-id"]
        indexes = [
            models.Index(fields=["car", "installed_at"]),
            models.Index(fields=["installed_at", "id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True) | Q(removed_at__gte=F("installed_at")),
                name="tires_removed_after_installed",
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="tires_price_not_negative"),
            ExclusionConstraint(
                name="tires_one_set_per_car_at_a_time",
                expressions=[
                    # The car as a one-value range, so that `&&` means "the same car" and a
                    # GiST index takes it without the btree_gist extension, which PostgreSQL
                    # builds without contrib (the embedded one of ./scripts/test) lack.
                    (Int8Range("car", "car", RangeBoundary(True, True)), RangeOperators.OVERLAPS),
                    (
                        DateRange("installed_at", "removed_at", RangeBoundary()),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                violation_error_code="overlap",
                violation_error_message=_(
                    "This car already has a tyre set mounted during this period."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.size}"

    def clean(self):
        if self.removed_at and self.installed_at and self.removed_at < self.installed_at:
            raise ValidationError(
                {"removed_at": _("Tyres cannot be removed before they were installed.")}
            )


class Accumulator(CarRecord):
    """A battery installed in a car."""

    car = car_field("accumulators")
    model = models.CharField(max_length=120)
    serial_number = models.CharField(max_length=64, blank=True)
    capacity_ah = models.PositiveSmallIntegerField(
        "capacity, Ah", validators=[MinValueValidator(1), MaxValueValidator(3000)]
    )
    price = money_field(default=0)
    installed_at = models.DateField()
    valid_until = models.DateField(null=True, blank=True, help_text="End of warranty or life.")
    photo = ImageFileField(upload_to="accumulators", blank=True)

    class Meta:
        verbose_name = _("accumulator")
        verbose_name_plural = _("accumulators")
        ordering = ["-installed_at", "-id"]
        indexes = [
            models.Index(fields=["car", "installed_at"]),
            models.Index(fields=["installed_at", "id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("installed_at")),
                name="accumulator_valid_after_installed",
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0), name="accumulator_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.model

    def clean(self):
        if self.valid_until and self.installed_at and self.valid_until < self.installed_at:
            raise ValidationError(
                {"valid_until": _("A battery cannot expire before it was installed.")}
            )


class MaintenancePlan(CarRecord):
    """A service a car needs again and again (an oil change every 10,000 km or 12 months): it
    falls due by date or by kilometres since it was last done, whichever comes first."""

    car = models.ForeignKey(
        "fleet.Car", on_delete=models.CASCADE, related_name="maintenance_plans"
    )  # a plan is no history: it goes with a car deleted by mistake
    name = models.CharField(max_length=200)
    interval_km = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Every so many km."
    )
    interval_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Every so many months.",
    )
    last_done_at = models.DateField(help_text="When it was last done (or the plan starts).")

    class Meta:
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")
        ordering = ["car_id", "name", "id"]
        indexes = [
            models.Index(fields=["car", "last_done_at"]),
            models.Index(fields=["car", "name", "id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_km__isnull=False) | Q(interval_months__isnull=False),
                name="maintenance_plan_has_an_interval",
                violation_error_message=_("Give an interval in km, in months, or both."),
            ),
            models.CheckConstraint(
                condition=(Q(interval_km__isnull=True) | Q(interval_km__gte=1))
                & (Q(interval_months__isnull=True) | Q(interval_months__gte=1)),
                name="maintenance_plan_intervals_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.interval_km is None and self.interval_months is None:
            raise ValidationError(_("Give an interval in km, in months, or both."))
