from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .base import CarRecord, car_field, money_field


class DocumentStatus(models.TextChoices):
    """Where a dated document stands today: see `selectors.document_status`."""

    # With a context: a car's "Active" is another word in Russian ("В работе").
    UPCOMING = "upcoming", pgettext_lazy("document status", "Upcoming")
    ACTIVE = "active", pgettext_lazy("document status", "Active")
    EXPIRING = "expiring", pgettext_lazy("document status", "Expiring")
    EXPIRED = "expired", pgettext_lazy("document status", "Expired")


class InsuranceType(models.TextChoices):
    CASCO = "casco", _("CASCO")
    OSAGO = "osago", _("OSAGO")


class Insurance(CarRecord):
    """An insurance policy of a car (CASCO or OSAGO) and its period."""

    car = car_field("insurances")
    insurance_type = models.CharField(max_length=8, choices=InsuranceType.choices)
    number = models.CharField(max_length=64, help_text="Policy number.")
    start_date = models.DateField()
    end_date = models.DateField(help_text="Last day the policy is valid.")
    cost = money_field(default=0)

    class Meta:
        verbose_name = _("insurance")
        verbose_name_plural = _("insurances")
        ordering = ["-end_date", "-id"]
        indexes = [
            models.Index(fields=["end_date", "id"]),
            models.Index(fields=["car", "end_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="insurance_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(insurance_type__in=InsuranceType.values),
                name="insurance_type_valid",
            ),
            models.CheckConstraint(condition=Q(cost__gte=0), name="insurance_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_insurance_type_display()} {self.number}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The policy cannot end before it starts.")})


class Inspection(CarRecord):
    """A roadworthiness inspection of a car and how long its certificate is valid."""

    car = car_field("inspections")
    number = models.CharField(max_length=64, help_text="Certificate number.")
    inspected_at = models.DateField()
    valid_until = models.DateField()
    cost = money_field(default=0)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-valid_until", "-id"]
        indexes = [
            models.Index(fields=["valid_until", "id"]),
            models.Index(fields=["car", "valid_until"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("inspected_at")),
                name="inspection_valid_after_inspected",
            ),
            models.CheckConstraint(condition=Q(cost__gte=0), name="inspection_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self):
        if self.inspected_at and self.valid_until and self.valid_until < self.inspected_at:
            raise ValidationError(
                {"valid_until": _("A certificate cannot expire before the inspection.")}
            )
