"""Fixtures of the fleet's tests."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shared_apps.accounts.roles import Role
from tenant_apps.fleet.models import CarPhoto, MaintenancePlan
from tests.factories import (
    AccumulatorFactory,
    CarFactory,
    FuelRecordFactory,
    InspectionFactory,
    InsuranceFactory,
    KitFactory,
    MonthlyMileageFactory,
    RecorderFactory,
    SpareFactory,
    TiresFactory,
    png_bytes,
)


def png(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), "image/png")


@pytest.fixture
def every_kind_of_row(in_acme, make_user):
    """Two rows of each resource: one with every optional value set, one with them empty."""
    driver = make_user(in_acme, Role.DRIVER)
    full = CarFactory(numplate="01KG001FUL", driver=driver, driver_name="Aibek",
                      commissioned_at=dt.date(2024, 1, 2))  # fmt: skip
    bare = CarFactory(numplate="01KG002BAR", status="repair", vehicle_type="truck")
    CarPhoto.objects.create(car=full, image=png("car.png"), comment="front", uploaded_by=driver)
    CarPhoto.objects.create(car=bare, image=png("car2.png"))
    SpareFactory(car=full, description="pads", work_description="fit", category="brakes")
    SpareFactory(car=bare, part_price=Decimal("0.5"), work_price=Decimal(0))
    TiresFactory(car=full, photo=png("tyre.png"), removed_at=dt.date(2026, 4, 1))
    TiresFactory(car=bare)
    AccumulatorFactory(car=full, photo=png("battery.png"), valid_until=dt.date(2027, 2, 1),
                       serial_number="B-1")  # fmt: skip
    AccumulatorFactory(car=bare, installed_at=dt.date(2025, 2, 1))
    FuelRecordFactory(car=full, year=2026, month=3, liters=Decimal("42.50"))
    FuelRecordFactory(car=bare, year=2026, month=3, mileage_km=0)  # no consumption
    MonthlyMileageFactory(car=full, month=dt.date(2026, 3, 1), mileage_km=777)
    MonthlyMileageFactory(car=bare, month=dt.date(2026, 2, 1))
    InsuranceFactory(car=full, insurance_type="casco", end_date=dt.date(2027, 1, 1))
    InsuranceFactory(car=bare, start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31))
    InspectionFactory(car=full)
    InspectionFactory(car=bare, inspected_at=dt.date(2024, 1, 1), valid_until=dt.date(2025, 1, 1))
    RecorderFactory(car=full, photo=png("cam.png"), installed_at=dt.date(2026, 1, 5))
    RecorderFactory(car=bare)
    KitFactory(car=full, has_fire_extinguisher=True,
               fire_extinguisher_expires_at=dt.date(2027, 1, 1), has_first_aid_kit=True,
               first_aid_kit_expires_at=dt.date(2026, 9, 1))  # fmt: skip
    KitFactory(car=bare, has_jack=False)
    MaintenancePlan.objects.create(car=full, name="Oil", interval_km=10000, interval_months=12,
                                   last_done_at=dt.date(2026, 1, 1))  # fmt: skip
    MaintenancePlan.objects.create(car=bare, name="Belt", interval_km=60000,
                                   last_done_at=dt.date(2025, 6, 1))  # fmt: skip
