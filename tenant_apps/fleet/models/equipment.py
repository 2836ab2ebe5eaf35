from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..images import ImageFileField
from .base import CarRecord


def _one_per_car(related_name: str) -> models.OneToOneField:
    # Equipment is part of the car, not its history: it goes when the car is deleted.
    return models.OneToOneField(
        "fleet.Car", on_delete=models.CASCADE, related_name=related_name, verbose_name=_("car")
    )


class Recorder(CarRecord):
    """The dashcam of a car (at most one)."""

    car = _one_per_car("recorder")
    model = models.CharField(max_length=120)
    serial_number = models.CharField(max_length=64, blank=True)
    installed_at = models.DateField(null=True, blank=True)
    photo = ImageFileField(upload_to="recorders", blank=True)

    class Meta:
        verbose_name = _("recorder")
        verbose_name_plural = _("recorders")

    def __str__(self) -> str:
        return f"{self.model} ({self.car_id})"


# Items that expire; their date is cleared when the item is absent.
EXPIRING_KIT_ITEMS = ("fire_extinguisher", "first_aid_kit")


class Kit(CarRecord):
    """The safety kit of a car (at most one): which items it has and when they expire."""

    car = _one_per_car("kit")
    has_jack = models.BooleanField(default=False)
    has_wheel_wrench = models.BooleanField(default=False)
    has_warning_triangle = models.BooleanField(default=False)
    has_fire_extinguisher = models.BooleanField(default=False)
    fire_extinguisher_expires_at = models.DateField(null=True, blank=True)
    has_first_aid_kit = models.BooleanField(default=False)
    first_aid_kit_expires_at = models.DateField(null=True, blank=True)
    has_tow_rope = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("kit")
        verbose_name_plural = _("kits")
        constraints = [
            models.CheckConstraint(
                condition=Q((f"has_{item}", True)) | Q((f"{item}_expires_at__isnull", True)),
                name=f"kit_{item}_date_only_if_present",
                violation_error_message=_("An absent item cannot have an expiry date."),
            )
            for item in EXPIRING_KIT_ITEMS
        ]

    def __str__(self) -> str:
        return f"Kit of {self.car_id}"

    def clear_absent_item_dates(self) -> None:
        for item in EXPIRING_KIT_ITEMS:
            if not getattr(self, f"has_{item}"):
                setattr(self, f"{item}_expires_at", None)

    def clean(self):
        self.clear_absent_item_dates()  # before the constraints are checked (admin forms)

    def save(self, *args, **kwargs):
        self.clear_absent_item_dates()
        super().save(*args, **kwargs)
