from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q, Value
from django.utils.translation import gettext_lazy as _

from .base import CarRecord, car_field, money_field

FIRST_YEAR = 1990
LAST_YEAR = 2100


class FuelRecord(CarRecord):
    """Fuel a car took in one month, what it cost and how far the car drove on it."""

    car = car_field("fuel_records")
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    month = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    liters = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    total_cost = money_field()
    # The car-month's km when it has no `MonthlyMileage` (which wins); its consumption is
    # computed from the two (`selectors.with_consumption`).
    mileage_km = models.PositiveIntegerField(help_text="Kilometres driven in the month.")
    period = models.GeneratedField(
        expression=Func(F("year"), F("month"), Value(1), function="make_date"),
        output_field=models.DateField(),
        db_persist=True,
        help_text="First day of the month, for period filters and reports.",
    )

    class Meta:
        verbose_name = _("fuel record")
        verbose_name_plural = _("fuel records")
        ordering = ["-year", "-month", "car_id"]
        # Each ordering the API offers, with the id that breaks its ties (see
        # `core.filters.StableOrderingFilter`): a page is read off an index, never sorted.
        indexes = [
            models.Index(fields=["period", "id"]),
            models.Index(fields=["liters", "id"]),
            models.Index(fields=["total_cost", "id"]),
            models.Index(fields=["mileage_km", "id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["car", "year", "month"],
                name="fuel_record_one_per_car_month",
                violation_error_message=_("This car already has a fuel record for this month."),
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12) & Q(year__gte=FIRST_YEAR),
                name="fuel_record_month_valid",
            ),
            models.CheckConstraint(
                condition=Q(liters__gte=0) & Q(total_cost__gte=0),
                name="fuel_record_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.car_id} {self.year}-{self.month:02d}"


class MonthlyMileage(CarRecord):
    """Kilometres a car drove in one month (odometer reading difference)."""

    car = car_field("monthly_mileages")
    month = models.DateField(help_text="The month, as `YYYY-MM` in the API.")
    mileage_km = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("monthly mileage")
        verbose_name_plural = _("monthly mileages")
        ordering = ["-month", "car_id"]
        indexes = [
            models.Index(fields=["month", "id"]),
            models.Index(fields=["mileage_km", "id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["car", "month"],
                name="monthly_mileage_one_per_car_month",
                violation_error_message=_("This car already has a mileage for this month."),
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="monthly_mileage_month_is_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.car_id} {self.month:%Y-%m}"
