from django.db import models


class DictionaryKind(models.TextChoices):
    REGIONS = "regions", "Regions"
    FUEL_TYPES = "fuel_types", "Fuel types"
    VEHICLE_TYPES = "vehicle_types", "Vehicle types"
    BRANDS = "brands", "Brands"
    CAR_STATUSES = "car_statuses", "Car statuses"
    INSURANCE_TYPES = "insurance_types", "Insurance types"
    ROLES = "roles", "Roles"
    LANGUAGES = "languages", "Languages"
    CURRENCIES = "currencies", "Currencies"


class DictionaryEntry(models.Model):
    """One value of a platform-wide dictionary (a region, a brand, ...), named in ru/en/ky."""

    kind = models.CharField(max_length=32, choices=DictionaryKind.choices)
    code = models.CharField(max_length=64)
    name_ru = models.CharField(max_length=128)
    name_en = models.CharField(max_length=128)
    name_ky = models.CharField(max_length=128)
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "dictionary entries"
        ordering = ["kind", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="dictionary_entry_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.code}"

    def name_in(self, language: str) -> str:
        return getattr(self, f"name_{language}", "") or self.name_ru
