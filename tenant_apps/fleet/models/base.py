from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


def money_field(verbose_name=None, **kwargs) -> models.DecimalField:
    """An amount in the company's currency: up to 9,999,999,999.99, never negative."""
    return models.DecimalField(
        verbose_name,
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        **kwargs,
    )


def car_field(related_name: str) -> models.ForeignKey:
    """The car a history record belongs to. Records are the car's history: a car that has any
    cannot be deleted (it is decommissioned instead)."""
    return models.ForeignKey(
        "fleet.Car", on_delete=models.PROTECT, related_name=related_name, verbose_name=_("car")
    )


class CarRecord(models.Model):
    """Something recorded about one car, with when it was recorded and last changed."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
