"""The cost of ownership, from cases a fleet manager can check by hand. Premiums are spread over
the days each policy covers; every other cost falls on its date; km come from the car-months."""

import datetime as dt
from decimal import Decimal

import pytest

from shared_apps.accounts.roles import Role
from tests.factories import (
    AccumulatorFactory,
    CarFactory,
    FuelRecordFactory,
    InspectionFactory,
    InsuranceFactory,
    MonthlyMileageFactory,
    SpareFactory,
    TiresFactory,
)
from tests.reports.test_reports import parse_csv

pytestmark = pytest.mark.django_db

OWNERSHIP = "/api/v1/reports/cost-of-ownership/"
Q1 = {"from": "2026-01", "to": "2026-03"}
COLUMNS = ("fuel", "parts", "work", "tires", "accumulators", "inspections", "insurance", "total")


@pytest.fixture
def reader(acme_as):
    return acme_as(Role.ACCOUNTANT)


def report(reader, **params) -> dict:
    response = reader.get(OWNERSHIP, params)
    assert response.status_code == 200, response.content
    return response.json()


def money(row: dict) -> tuple:
    return tuple(row[column] for column in COLUMNS)


def policy(car, start: str, end: str, cost: str):
    return InsuranceFactory(
        car=car,
        start_date=dt.date.fromisoformat(start),
        end_date=dt.date.fromisoformat(end),
        cost=Decimal(cost),
    )


def test_a_yearly_premium_is_spread_over_the_days_of_each_month(reader, in_acme):
    """12,000 for the 365 days of 2026: January 12,000 × 31 / 365 = 1,019.18, February
    × 28 / 365 = 920.55, March 1,019.18; the quarter's total is the sum of its rows."""
    car = CarFactory()
    policy(car, "2026-01-01", "2026-12-31", "12000.00")

    body = report(reader, **Q1, group_by="month")

    assert [(row["period"], row["insurance"]) for row in body["rows"]] == [
        ("2026-01", "1019.18"),
        ("2026-02", "920.55"),
        ("2026-03", "1019.18"),
    ]
    assert body["totals"]["insurance"] == "2958.91"
    assert body["group_by"] == "month"
    assert body["currency"] == "KGS"


def test_policies_that_start_or_end_within_the_period_count_their_days_only(reader, in_acme):
    car = CarFactory(numplate="01KG001AAA")
    policy(car, "2025-07-01", "2026-06-30", "3650.00")  # 365 days: 10.00 a day
    policy(car, "2026-03-22", "2027-03-21", "7300.00")  # 365 days: 20.00 a day, 10 in March
    policy(car, "2024-01-01", "2024-12-31", "9999.00")  # before the period

    body = report(reader, **Q1, group_by="month")

    assert [row["insurance"] for row in body["rows"]] == ["310.00", "280.00", "510.00"]


def fill(car, month: int, liters: str, cost: str, km: int):
    FuelRecordFactory(
        car=car,
        year=2026,
        month=month,
        liters=Decimal(liters),
        total_cost=Decimal(cost),
        mileage_km=km,
    )


def upkeep(car, day: dt.date, *, parts="0", work="0", tyres=None, battery=None, inspection=None):
    if parts != "0" or work != "0":
        SpareFactory(car=car, installed_at=day, part_price=Decimal(parts), work_price=Decimal(work))
    if tyres:
        TiresFactory(car=car, installed_at=day, price=Decimal(tyres))
    if battery:
        AccumulatorFactory(car=car, installed_at=day, price=Decimal(battery))
    if inspection:
        InspectionFactory(
            car=car,
            inspected_at=day,
            valid_until=day + dt.timedelta(days=364),
            cost=Decimal(inspection),
        )


def test_each_car_all_in_and_per_km(reader, in_acme):
    """A, Q1: fuel 2,800 + 1,400 (its February km from the mileage record); repair 1,500 +
    500; tyres 24,000; battery 7,500; inspection 1,100; OSAGO 3,650 for 365 days → 900.00 for
    the quarter's 90 days. Total 39,700.00 over 900 km = 44.11 a km. B has costs but no km."""
    a = CarFactory(numplate="01KG001AAA")
    b = CarFactory(numplate="01KG002BBB")
    fill(a, 1, "40", "2800", 500)
    fill(a, 2, "20", "1400", 0)
    MonthlyMileageFactory(car=a, month=dt.date(2026, 2, 1), mileage_km=400)
    upkeep(a, dt.date(2026, 3, 10), parts="1500", work="500")
    upkeep(a, dt.date(2026, 3, 1), tyres="24000")
    upkeep(a, dt.date(2026, 1, 15), battery="7500")
    upkeep(a, dt.date(2026, 3, 20), inspection="1100")
    policy(a, "2026-01-01", "2026-12-31", "3650.00")
    upkeep(b, dt.date(2026, 2, 5), parts="800", work="300")
    sold = CarFactory(numplate="01KG003CCC", status="decommissioned")
    upkeep(sold, dt.date(2026, 2, 5), parts="900")

    body = report(reader, **Q1)

    assert body["group_by"] == "car"
    assert [(row["numplate"], row["car"]) for row in body["rows"]] == [
        ("01KG001AAA", a.pk),
        ("01KG002BBB", b.pk),
    ]
    first, second = body["rows"]
    assert money(first) == (
        "4200.00", "1500.00", "500.00", "24000.00", "7500.00", "1100.00", "900.00", "39700.00"
    )  # fmt: skip
    assert (first["mileage_km"], first["cost_per_km"]) == (900, "44.11")
    assert money(second) == (
        "0.00", "800.00", "300.00", "0.00", "0.00", "0.00", "0.00", "1100.00"
    )  # fmt: skip
    assert (second["mileage_km"], second["cost_per_km"]) == (0, None)
    assert money(body["totals"]) == (
        "4200.00", "2300.00", "800.00", "24000.00", "7500.00", "1100.00", "900.00", "40800.00"
    )  # fmt: skip
    assert (body["totals"]["mileage_km"], body["totals"]["cost_per_km"]) == (900, "45.33")


def test_the_csv_has_the_json_numbers(reader, in_acme):
    car = CarFactory(numplate="01KG001AAA")
    fill(car, 1, "40", "2800", 500)
    policy(car, "2026-01-01", "2026-12-31", "12000.00")

    response = reader.get(OWNERSHIP, {**Q1, "group_by": "month", "export": "csv"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="cost-of-ownership_2026-01_2026-03_by-month.csv"'
    )
    zeros = ["0.00"] * 5  # parts, work, tyres, batteries, inspections
    upkeep_titles = ["Parts", "Work", "Tyres", "Batteries", "Inspections"]
    assert parse_csv(response) == [
        ["Month", "Fuel", *upkeep_titles, "Insurance", "Total", "Mileage, km", "Cost per km"],
        ["2026-01", "2800.00", *zeros, "1019.18", "3819.18", "500", "7.64"],
        ["2026-02", "0.00", *zeros, "920.55", "920.55", "0", ""],
        ["2026-03", "0.00", *zeros, "1019.18", "1019.18", "0", ""],
        ["Total", "2800.00", *zeros, "2958.91", "5758.91", "500", "11.52"],
    ]


@pytest.mark.parametrize(
    ("params", "attr", "code"),
    [
        ({"group_by": "year"}, "group_by", "invalid_choice"),
        ({"car": "999999"}, "car", "does_not_exist"),
        ({"from": "2026-04", "to": "2026-01"}, "from", "invalid_period"),
    ],
)
def test_refusals(reader, in_acme, params, attr, code):
    response = reader.get(OWNERSHIP, params)

    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [(attr, code)]


def test_a_premium_share_is_rounded_half_up_as_every_report_figure(reader, in_acme):
    """0.01 over two days: half a cent in January and in February, each 0.01 (half up)."""
    car = CarFactory()
    policy(car, "2026-01-31", "2026-02-01", "0.01")

    body = report(reader, **Q1, group_by="month")

    assert [row["insurance"] for row in body["rows"]] == ["0.01", "0.01", "0.00"]
