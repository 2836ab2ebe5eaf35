from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shared_apps.accounts.fields import user_reference

from ..fields import (
    NUMPLATE_PATTERN,
    NumplateField,
    PersonNameField,
    VinField,
    validate_numplate,
    validate_vin,
)
from ..images import ImageFileField


class CarStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REPAIR = "repair", _("In repair")
    RESERVE = "reserve", _("Reserve")
    DECOMMISSIONED = "decommissioned", _("Decommissioned")


class Car(models.Model):
    """A vehicle of the company's fleet; every other fleet record belongs to one."""

    # Codes of the public dictionaries (`/api/v1/dictionaries/`), checked by the serializer.
    region = models.CharField(max_length=64, help_text="Code from the `regions` dictionary.")
    brand = models.CharField(max_length=64, help_text="Code from the `brands` dictionary.")
    fuel_type = models.CharField(max_length=64, help_text="Code from the `fuel_types` dictionary.")
    vehicle_type = models.CharField(
        max_length=64, help_text="Code from the `vehicle_types` dictionary."
    )
    title = models.CharField(max_length=120, help_text="Model and trim, e.g. `Camry 2.5`.")
    numplate = NumplateField(
        max_length=20,
        validators=[validate_numplate],
        help_text="Stored in upper case without spaces: `01 kg 123 abc` → `01KG123ABC`.",
    )
    year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1950), MaxValueValidator(2100)],
        help_text="Year of manufacture.",
    )
    vin = VinField(
        "VIN",
        max_length=20,
        blank=True,
        validators=[validate_vin],
        help_text="17 characters (ISO 3779); empty for vehicles without one.",
    )
    driver_name = PersonNameField(
        max_length=150,
        blank=True,
        help_text="Normalised: `иванов иван  иванович` → `Иванов Иван Иванович`.",
    )
    driver_phone = models.CharField(max_length=32, blank=True)
    driver = user_reference(
        null=True,
        blank=True,
        help_text="The company user who drives this car, if they have an account.",
    )
    fuel_card = models.CharField(max_length=32, blank=True, help_text="Fuel card number.")
    status = models.CharField(max_length=16, choices=CarStatus.choices, default=CarStatus.ACTIVE)
    commissioned_at = models.DateField(null=True, blank=True, help_text="Put into service on.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("car")
        verbose_name_plural = _("cars")
        ordering = ["numplate"]
        constraints = [
            models.UniqueConstraint(
                fields=["numplate"],
                name="car_unique_numplate",
                violation_error_message=_("A car with this number plate already exists."),
            ),
            models.UniqueConstraint(
                fields=["vin"],
                condition=~Q(vin=""),
                name="car_unique_vin",
                violation_error_message=_("A car with this VIN already exists."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=CarStatus.values), name="car_status_valid"
            ),
            # Letters and digits only, also for rows that bypass validation: exports rely on it
            # (a plate can never start a spreadsheet formula).
            models.CheckConstraint(
                condition=Q(numplate__regex=NUMPLATE_PATTERN.pattern),
                name="car_numplate_letters_and_digits",
            ),
        ]
        # Each ordering the API offers, with the id that breaks its ties (see
        # `core.filters.StableOrderingFilter`): a page is read off an index, never sorted.
        indexes = [
            models.Index(fields=["status", "id"]),
            models.Index(fields=["brand", "id"]),
            models.Index(fields=["region"]),
            models.Index(fields=["title", "id"]),
            models.Index(fields=["year", "id"]),
            models.Index(fields=["commissioned_at", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.numplate} {self.title}"


class CarPhoto(models.Model):
    """A photo of a car; the file lives in the company's media folder and goes with the row."""

    car = models.ForeignKey(Car, on_delete=models.CASCADE, related_name="photos")
    image = ImageFileField(upload_to="cars/photos")
    comment = models.CharField(max_length=255, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = user_reference(null=True, blank=True)

    class Meta:
        verbose_name = _("car photo")
        verbose_name_plural = _("car photos")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"Photo {self.pk} of {self.car_id}"
