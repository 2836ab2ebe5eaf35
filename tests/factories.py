import datetime as dt
import io
from decimal import Decimal

import factory
from PIL import Image

from shared_apps.accounts.models import User
from shared_apps.accounts.roles import Role
from tenant_apps.fleet.models import (
    Accumulator,
    Car,
    FuelRecord,
    Inspection,
    Insurance,
    Kit,
    MonthlyMileage,
    Recorder,
    Spare,
    Tires,
)

PASSWORD = "Correct-Horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.GUEST
    language = "en"  # so that assertions read English messages; one test checks Russian
    password = factory.django.Password(PASSWORD)


# --- Fleet (create them inside a company schema: see the `in_acme` fixture) -----------------------


class CarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Car

    region = "bishkek"
    brand = "toyota"
    fuel_type = "petrol"
    vehicle_type = "car"
    title = "Camry"
    numplate = factory.Sequence(lambda n: f"01KG{n:03d}ABC")
    year = 2020


class SpareFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Spare

    car = factory.SubFactory(CarFactory)
    name = "Brake pads"
    category = "brakes"
    part_price = Decimal("1500.00")
    work_price = Decimal("500.00")
    installed_at = dt.date(2026, 3, 10)


class TiresFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tires

    car = factory.SubFactory(CarFactory)
    model = "Nokian Hakkapeliitta 10"
    size = "205/55 R16"
    price = Decimal("24000.00")
    installed_at = dt.date(2026, 3, 1)


class AccumulatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Accumulator

    car = factory.SubFactory(CarFactory)
    model = "Varta Blue Dynamic"
    capacity_ah = 60
    price = Decimal("7500.00")
    installed_at = dt.date(2026, 2, 1)


class FuelRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FuelRecord

    car = factory.SubFactory(CarFactory)
    year = 2026
    month = factory.Sequence(lambda n: n % 12 + 1)
    liters = Decimal("42.50")
    total_cost = Decimal("2975.00")
    mileage_km = 500


class MonthlyMileageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonthlyMileage

    car = factory.SubFactory(CarFactory)
    month = factory.Sequence(lambda n: dt.date(2000 + n // 12, n % 12 + 1, 1))
    mileage_km = 1200


class InsuranceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Insurance

    car = factory.SubFactory(CarFactory)
    insurance_type = "osago"
    number = factory.Sequence(lambda n: f"OSAGO-{n:05d}")
    start_date = dt.date(2026, 1, 1)
    end_date = dt.date(2026, 12, 31)
    cost = Decimal("3200.00")


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    car = factory.SubFactory(CarFactory)
    number = factory.Sequence(lambda n: f"TO-{n:05d}")
    inspected_at = dt.date(2026, 1, 15)
    valid_until = dt.date(2027, 1, 14)
    cost = Decimal("1100.00")


class RecorderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recorder

    car = factory.SubFactory(CarFactory)
    model = "70mai A500S"
    serial_number = factory.Sequence(lambda n: f"SN{n:06d}")


class KitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kit

    car = factory.SubFactory(CarFactory)
    has_jack = True
    has_warning_triangle = True


def png_bytes(size: tuple[int, int] = (2, 2), color: str = "red") -> bytes:
    """A tiny real PNG image, for uploads."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()
