"""`manage.py seed_demo`: the demo company, one user per role and a realistic year of fleet."""

import datetime as dt
from collections import Counter

from django.core.management import call_command
from django.db import connection

from shared_apps.accounts.models import User
from shared_apps.companies.models import Company
from tenant_apps.fleet.models import (
    Car,
    FuelRecord,
    Inspection,
    Insurance,
    Kit,
    MonthlyMileage,
    Recorder,
    Spare,
)
from tenant_apps.fleet.selectors import company_today, with_consumption


def test_seed_demo_builds_a_realistic_fleet_once(db, capsys, client_for):
    call_command("seed_demo")
    first_output = capsys.readouterr().out
    call_command("seed_demo")
    second_output = capsys.readouterr().out

    company = Company.objects.get(slug="demo")
    assert sorted(User.objects.of_company(company).values_list("role", flat=True)) == sorted(
        ["COMPANY_ADMIN", "DISPATCHER", "MECHANIC", "DRIVER", "ACCOUNTANT", "GUEST"]
    )
    assert "Seeded a fleet of 25 cars with a year of records." in first_output
    assert "Seeded a fleet" not in second_output
    assert "demo_dispatcher  DISPATCHER" in second_output

    connection.set_tenant(company)
    today = company_today(company)
    cars = list(Car.objects.all())
    assert len(cars) == 25
    assert Counter(c.status for c in cars) == {
        "active": 21,
        "repair": 2,
        "reserve": 1,
        "decommissioned": 1,
    }
    assert {c.vehicle_type for c in cars} == {
        "bus", "car", "minibus", "special", "suv", "truck", "van"
    }  # fmt: skip
    assert Counter(c.region for c in cars) == {
        "bishkek": 17,
        "talas": 3,
        "batken": 1,
        "chui": 1,
        "issyk_kul": 1,
        "jalal_abad": 1,
        "osh_city": 1,
    }
    assert sum(1 for c in cars if c.driver_name) == 20
    assert all(c.numplate == c.numplate.upper().replace(" ", "") for c in cars)

    # Twelve whole months before the current one, for every car (no fuel for the electric one).
    months = {(m.year, m.month) for m in MonthlyMileage.objects.dates("month", "month")}
    first = (today.replace(day=1) - dt.timedelta(days=365)).replace(day=1)
    assert len(months) == 12
    assert min(months) == (first.year, first.month)
    assert MonthlyMileage.objects.count() == 25 * 12
    assert FuelRecord.objects.count() == 24 * 12
    no_km = with_consumption(FuelRecord.objects).filter(consumption_l_per_100km__isnull=True)
    assert no_km.count() == 8

    assert Spare.objects.values("car").distinct().count() == 25
    assert Spare.objects.count() == 82
    assert Kit.objects.count() == 25
    assert Recorder.objects.count() == 20

    # The documents' ends are today plus offsets drawn from the seeded generator, so their
    # statuses are the same on every day: 4 OSAGO policies have expired; 3 OSAGO, 1 CASCO and
    # 5 inspections end within the 30-day window; the other 47 later. One expired and one
    # expiring document belong to the decommissioned car, which the report leaves out unless
    # its status is asked for.
    assert Counter(Insurance.objects.values_list("insurance_type", flat=True)) == {
        "osago": 25,
        "casco": 10,
    }
    assert Inspection.objects.count() == 25
    client = client_for(company, User.objects.get(username="demo_guest"))
    documents = client.get("/api/v1/reports/insurance-inspection/").json()
    assert documents["counts"] == {"upcoming": 0, "active": 47, "expiring": 8, "expired": 3}
    decommissioned = client.get(
        "/api/v1/reports/insurance-inspection/", {"car_status": "decommissioned"}
    ).json()
    assert decommissioned["counts"] == {"upcoming": 0, "active": 0, "expiring": 1, "expired": 1}
    assert client.get("/api/v1/cars/").json()["count"] == 25
