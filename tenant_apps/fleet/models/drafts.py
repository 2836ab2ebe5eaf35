"""Drafts for the next stage (BE-051): stored and shown in the admin, no API yet."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..fields import PersonNameField
from .base import CarRecord, car_field, money_field


class Accident(CarRecord):
    """A road accident a car was involved in (draft: admin only)."""

    car = car_field("accidents")
    occurred_at = models.DateTimeField()
    location = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    driver_name = PersonNameField(max_length=150, blank=True)
    at_fault = models.BooleanField(null=True, help_text="Empty while not established.")
    police_report_number = models.CharField(max_length=64, blank=True)
    damage_cost = money_field(null=True, blank=True)

    class Meta:
        verbose_name = _("accident")
        verbose_name_plural = _("accidents")
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"Accident of {self.car_id} on {self.occurred_at:%Y-%m-%d}"


class TransferAct(CarRecord):
    """An act handing a car from one person to another (draft: admin only)."""

    car = car_field("transfer_acts")
    number = models.CharField(max_length=64, blank=True)
    transferred_at = models.DateField()
    from_person = PersonNameField(max_length=150)
    to_person = PersonNameField(max_length=150)
    mileage_km = models.PositiveIntegerField(null=True, blank=True, help_text="Odometer.")
    condition_notes = models.TextField(blank=True)

    class Meta:
        verbose_name = _("transfer act")
        verbose_name_plural = _("transfer acts")
        ordering = ["-transferred_at"]

    def __str__(self) -> str:
        return f"Transfer of {self.car_id} on {self.transferred_at}"
