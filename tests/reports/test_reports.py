"""Reports (CONTRACT §9): exact numbers on a small fixed data set for every report and grouping,
the same numbers in JSON, CSV and XLSX (files parsed back), formula injection, refusals, roles,
and a fixed number of queries whatever the amount of data.

Every expectation is computed by hand and written out; nothing is recomputed with the app's code.
Dates that depend on today are taken from the clock in Asia/Bishkek (the companies' timezone)."""

import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl.utils.escape import unescape

from shared_apps.accounts.roles import Role
from tenant_apps.fleet.models import Accumulator, Car, FuelRecord, Inspection, Spare, Tires
from tests.factories import (
    AccumulatorFactory,
    CarFactory,
    FuelRecordFactory,
    InspectionFactory,
    InsuranceFactory,
    SpareFactory,
    TiresFactory,
)

API = "/api/v1/reports"
FUEL = f"{API}/fuel-consumption/"
COSTS = f"{API}/maintenance-costs/"
DOCUMENTS = f"{API}/insurance-inspection/"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def bishkek_today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Bishkek")).date()


@pytest.fixture
def reader(acme_as):
    """Reports are read by every role; most tests read as the least privileged one."""
    return acme_as(Role.GUEST)


def get_json(client, url: str, **params) -> dict:
    response = client.get(url, params)
    assert response.status_code == 200, response.json()
    assert response["Content-Type"] == "application/json"
    return response.json()


def only_error(response) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "validation_error"
    assert len(body["errors"]) == 1, body
    return body["errors"][0]


# --- Fuel consumption -----------------------------------------------------------------------------
#
# Period 2025-11..2026-02 (crosses the new year). Records (liters, cost, km → own L/100 km):
#   A 2025-10  99.00  9900.00  999   (before the period)
#   A 2025-11  40.00  2800.00  500   8.00
#   B 2025-11  60.00  4200.00  400  15.00     → Nov: 100 L / 900 km = 11.11 (mean of ratios: 11.50)
#   (December: nothing)
#   A 2026-01  25.01  1750.70  200  12.505 → 12.51 (half up)
#   C 2026-01   5.50   385.00    0  null      → Jan: 30.51 L, but the average is A's alone:
#                                               25.01 / 200 = 12.51; C's 5.50 L are "without km"
#   B 2026-02  30.00  2100.00 1000   3.00
#   B 2026-03  77.00  7777.00  777   (after the period)
# Totals: 160.51 L, 11235.70, 2100 km, 5.50 L without km; average over the months with both:
# 155.01 / 2100 = 7.3814 → 7.38 (not 160.51 / 2100 = 7.64: months without km do not inflate it).


@pytest.fixture
def fuel_cars(in_acme) -> dict:
    cars = {
        "A": CarFactory(numplate="01KG001AAA"),
        "B": CarFactory(numplate="01KG002BBB"),
        "C": CarFactory(numplate="01KG003CCC"),
    }
    for car, year, month, liters, cost, km in [
        ("A", 2025, 10, "99.00", "9900.00", 999),
        ("A", 2025, 11, "40.00", "2800.00", 500),
        ("B", 2025, 11, "60.00", "4200.00", 400),
        ("A", 2026, 1, "25.01", "1750.70", 200),
        ("C", 2026, 1, "5.50", "385.00", 0),
        ("B", 2026, 2, "30.00", "2100.00", 1000),
        ("B", 2026, 3, "77.00", "7777.00", 777),
    ]:
        FuelRecordFactory(
            car=cars[car],
            year=year,
            month=month,
            liters=Decimal(liters),
            total_cost=Decimal(cost),
            mileage_km=km,
        )
    return cars


def fuel(
    liters,
    cost,
    km,
    avg,
    *,
    without_km="0.00",
    period=None,
    car=None,
    numplate=None,
    fuel_type=None,
) -> dict:
    return {
        "period": period,
        "car": car,
        "numplate": numplate,
        "fuel_type": fuel_type,
        **fuel_totals(liters, cost, km, avg, without_km=without_km),
    }


def fuel_totals(liters, cost, km, avg, *, without_km="0.00") -> dict:
    return {
        "liters": liters,
        "cost": cost,
        "mileage_km": km,
        "liters_without_mileage": without_km,
        "avg_consumption_l_per_100km": avg,
    }


FUEL_TOTALS = fuel_totals("160.51", "11235.70", 2100, "7.38", without_km="5.50")


def test_fuel_by_month_across_new_year_with_an_empty_month(reader, fuel_cars):
    body = get_json(reader, FUEL, **{"from": "2025-11", "to": "2026-02", "group_by": "month"})

    assert body == {
        "from": "2025-11",
        "to": "2026-02",
        "group_by": "month",
        "car": None,
        "currency": "KGS",
        "totals": FUEL_TOTALS,
        "rows": [
            fuel("100.00", "7000.00", 900, "11.11", period="2025-11"),
            fuel("0.00", "0.00", 0, None, period="2025-12"),
            fuel("30.51", "2135.70", 200, "12.51", without_km="5.50", period="2026-01"),
            fuel("30.00", "2100.00", 1000, "3.00", period="2026-02"),
        ],
    }


def test_fuel_group_by_defaults_to_month(reader, fuel_cars):
    body = get_json(reader, FUEL, **{"from": "2025-12", "to": "2025-12"})

    assert body == {
        "from": "2025-12",
        "to": "2025-12",
        "group_by": "month",
        "car": None,
        "currency": "KGS",
        "totals": fuel_totals("0.00", "0.00", 0, None),
        "rows": [fuel("0.00", "0.00", 0, None, period="2025-12")],
    }


def test_fuel_by_year(reader, fuel_cars):
    body = get_json(reader, FUEL, **{"from": "2025-11", "to": "2026-02", "group_by": "year"})

    # 2026: 25.01 + 5.50 + 30.00 = 60.51 L; measured 55.01 L over 1200 km = 4.5842 → 4.58.
    assert body == {
        "from": "2025-11",
        "to": "2026-02",
        "group_by": "year",
        "car": None,
        "currency": "KGS",
        "totals": FUEL_TOTALS,
        "rows": [
            fuel("100.00", "7000.00", 900, "11.11", period="2025"),
            fuel("60.51", "4235.70", 1200, "4.58", without_km="5.50", period="2026"),
        ],
    }


def test_fuel_by_car_null_average_for_a_car_without_km(reader, fuel_cars):
    a, b, c = fuel_cars["A"], fuel_cars["B"], fuel_cars["C"]

    body = get_json(reader, FUEL, **{"from": "2025-11", "to": "2026-02", "group_by": "car"})

    # A: 65.01 L / 700 km = 9.287 → 9.29; B: 90 L / 1400 km = 6.4286 → 6.43; C: 0 km → null.
    assert body == {
        "from": "2025-11",
        "to": "2026-02",
        "group_by": "car",
        "car": None,
        "currency": "KGS",
        "totals": FUEL_TOTALS,
        "rows": [
            fuel("65.01", "4550.70", 700, "9.29", car=a.pk, numplate="01KG001AAA"),
            fuel("90.00", "6300.00", 1400, "6.43", car=b.pk, numplate="01KG002BBB"),
            fuel("5.50", "385.00", 0, None, without_km="5.50", car=c.pk, numplate="01KG003CCC"),
        ],
    }


def test_fuel_of_one_car(reader, fuel_cars):
    b = fuel_cars["B"]

    body = get_json(reader, FUEL, **{"from": "2025-11", "to": "2026-02", "car": str(b.pk)})

    assert body == {
        "from": "2025-11",
        "to": "2026-02",
        "group_by": "month",
        "car": b.pk,
        "currency": "KGS",
        "totals": fuel_totals("90.00", "6300.00", 1400, "6.43"),
        "rows": [
            fuel("60.00", "4200.00", 400, "15.00", period="2025-11"),
            fuel("0.00", "0.00", 0, None, period="2025-12"),
            fuel("0.00", "0.00", 0, None, period="2026-01"),
            fuel("30.00", "2100.00", 1000, "3.00", period="2026-02"),
        ],
    }


def test_fuel_of_a_car_with_only_zero_km(reader, fuel_cars):
    c = fuel_cars["C"]

    body = get_json(
        reader, FUEL, **{"from": "2026-01", "to": "2026-01", "car": c.pk, "group_by": "car"}
    )

    assert body["totals"] == fuel_totals("5.50", "385.00", 0, None, without_km="5.50")
    assert body["rows"] == [
        fuel("5.50", "385.00", 0, None, without_km="5.50", car=c.pk, numplate="01KG003CCC")
    ]


def _month_labels(first: dt.date, last: dt.date) -> list[str]:
    labels, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        labels.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return labels


def test_fuel_default_period_is_this_year_up_to_this_month(reader, in_acme):
    today = bishkek_today()
    car = CarFactory(numplate="01KG010DEF")
    FuelRecordFactory(
        car=car,
        year=today.year,
        month=today.month,
        liters=Decimal("12.00"),
        total_cost=Decimal("840.00"),
        mileage_km=100,
    )
    # December of last year and next month are outside the default period.
    FuelRecordFactory(car=car, year=today.year - 1, month=12, mileage_km=1)
    next_month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    FuelRecordFactory(car=car, year=next_month[0], month=next_month[1], mileage_km=1)

    body = get_json(reader, FUEL)

    months = [f"{today.year}-{m:02d}" for m in range(1, today.month + 1)]
    assert body["from"] == f"{today.year}-01"
    assert body["to"] == f"{today:%Y-%m}"
    assert [row["period"] for row in body["rows"]] == months
    assert body["rows"][-1] == fuel("12.00", "840.00", 100, "12.00", period=months[-1])
    assert all(
        row == fuel("0.00", "0.00", 0, None, period=row["period"]) for row in body["rows"][:-1]
    )
    assert body["totals"] == fuel_totals("12.00", "840.00", 100, "12.00")


def test_fuel_only_from_runs_to_this_month_and_only_to_starts_in_january(reader, in_acme):
    today = bishkek_today()

    only_from = get_json(reader, FUEL, **{"from": "2025-11", "group_by": "year"})
    only_to = get_json(reader, FUEL, to="2026-03")

    assert (only_from["from"], only_from["to"]) == ("2025-11", f"{today:%Y-%m}")
    assert [row["period"] for row in only_from["rows"]] == [
        str(year) for year in range(2025, today.year + 1)
    ]
    assert (only_to["from"], only_to["to"]) == ("2026-01", "2026-03")
    assert [row["period"] for row in only_to["rows"]] == ["2026-01", "2026-02", "2026-03"]


# --- Maintenance costs ----------------------------------------------------------------------------
#
# Period 2026-01..2026-03; the first and last day are in, the day before and after are out.
#   Spare A 2025-12-31  parts 1000.00 work 100.00   (out; in the 2025-12.. period)
#   Accu  A 2025-12-31  6000.00                     (out; in the 2025-12.. period)
#   Spare A 2026-01-01  parts 1500.50 work 499.50
#   Spare B 2026-01-20  parts  300.00 work   0.00
#   Accu  B 2026-01-31  7500.00
#   (February: nothing)
#   Tires A 2026-03-15  24000.00
#   Tires B 2026-03-31  18000.00
#   Insp  A 2026-03-31  1100.00
#   Insp  B 2026-04-01  1200.00, Tires B 2026-04-01 5000.00   (out)


@pytest.fixture
def cost_cars(in_acme) -> dict:
    a = CarFactory(numplate="01KG001AAA")
    b = CarFactory(numplate="01KG002BBB")
    CarFactory(numplate="01KG003CCC")  # no costs at all: no row when grouped by car

    def spare(car, day, parts, work):
        SpareFactory(car=car, installed_at=day, part_price=Decimal(parts), work_price=Decimal(work))

    spare(a, dt.date(2025, 12, 31), "1000.00", "100.00")
    spare(a, dt.date(2026, 1, 1), "1500.50", "499.50")
    spare(b, dt.date(2026, 1, 20), "300.00", "0.00")
    AccumulatorFactory(car=a, installed_at=dt.date(2025, 12, 31), price=Decimal("6000.00"))
    AccumulatorFactory(car=b, installed_at=dt.date(2026, 1, 31), price=Decimal("7500.00"))
    TiresFactory(car=a, installed_at=dt.date(2026, 3, 15), price=Decimal("24000.00"))
    TiresFactory(
        car=b,
        installed_at=dt.date(2026, 3, 31),
        removed_at=dt.date(2026, 3, 31),
        price=Decimal("18000.00"),
    )
    TiresFactory(car=b, installed_at=dt.date(2026, 4, 1), price=Decimal("5000.00"))
    InspectionFactory(
        car=a,
        inspected_at=dt.date(2026, 3, 31),
        valid_until=dt.date(2027, 3, 30),
        cost=Decimal("1100.00"),
    )
    InspectionFactory(
        car=b,
        inspected_at=dt.date(2026, 4, 1),
        valid_until=dt.date(2027, 3, 31),
        cost=Decimal("1200.00"),
    )
    return {"A": a, "B": b}


def costs(parts, work, tires, accumulators, inspections, total, **group) -> dict:
    amounts = {
        "parts": parts,
        "work": work,
        "tires": tires,
        "accumulators": accumulators,
        "inspections": inspections,
        "total": total,
    }
    if not group:
        return amounts
    return {"period": None, "car": None, "numplate": None, **group, **amounts}


ZERO_COSTS = ("0.00", "0.00", "0.00", "0.00", "0.00", "0.00")
COST_TOTALS = costs("1800.50", "499.50", "42000.00", "7500.00", "1100.00", "52900.00")


def test_costs_by_month_first_and_last_day_in_the_days_around_out(reader, cost_cars):
    body = get_json(reader, COSTS, **{"from": "2026-01", "to": "2026-03", "group_by": "month"})

    assert body == {
        "from": "2026-01",
        "to": "2026-03",
        "group_by": "month",
        "car": None,
        "currency": "KGS",
        "totals": COST_TOTALS,
        "rows": [
            costs("1800.50", "499.50", "0.00", "7500.00", "0.00", "9800.00", period="2026-01"),
            costs(*ZERO_COSTS, period="2026-02"),
            costs("0.00", "0.00", "42000.00", "0.00", "1100.00", "43100.00", period="2026-03"),
        ],
    }


def test_costs_by_year_across_new_year(reader, cost_cars):
    body = get_json(reader, COSTS, **{"from": "2025-12", "to": "2026-03", "group_by": "year"})

    assert body == {
        "from": "2025-12",
        "to": "2026-03",
        "group_by": "year",
        "car": None,
        "currency": "KGS",
        "totals": costs("2800.50", "599.50", "42000.00", "13500.00", "1100.00", "60000.00"),
        "rows": [
            costs("1000.00", "100.00", "0.00", "6000.00", "0.00", "7100.00", period="2025"),
            costs("1800.50", "499.50", "42000.00", "7500.00", "1100.00", "52900.00", period="2026"),
        ],
    }


def test_costs_by_car(reader, cost_cars):
    a, b = cost_cars["A"], cost_cars["B"]

    body = get_json(reader, COSTS, **{"from": "2026-01", "to": "2026-03", "group_by": "car"})

    assert body == {
        "from": "2026-01",
        "to": "2026-03",
        "group_by": "car",
        "car": None,
        "currency": "KGS",
        "totals": COST_TOTALS,
        "rows": [
            costs(
                "1500.50",
                "499.50",
                "24000.00",
                "0.00",
                "1100.00",
                "27100.00",
                car=a.pk,
                numplate="01KG001AAA",
            ),
            costs(
                "300.00",
                "0.00",
                "18000.00",
                "7500.00",
                "0.00",
                "25800.00",
                car=b.pk,
                numplate="01KG002BBB",
            ),
        ],
    }


def test_costs_of_one_car(reader, cost_cars):
    a = cost_cars["A"]

    body = get_json(reader, COSTS, **{"from": "2026-01", "to": "2026-03", "car": a.pk})

    assert body == {
        "from": "2026-01",
        "to": "2026-03",
        "group_by": "month",
        "car": a.pk,
        "currency": "KGS",
        "totals": costs("1500.50", "499.50", "24000.00", "0.00", "1100.00", "27100.00"),
        "rows": [
            costs("1500.50", "499.50", "0.00", "0.00", "0.00", "2000.00", period="2026-01"),
            costs(*ZERO_COSTS, period="2026-02"),
            costs("0.00", "0.00", "24000.00", "0.00", "1100.00", "25100.00", period="2026-03"),
        ],
    }


def test_costs_of_a_single_month_at_its_edges(reader, cost_cars):
    # March alone: the 31st is in, April 1st is out.
    body = get_json(reader, COSTS, **{"from": "2026-03", "to": "2026-03"})

    assert body["rows"] == [
        costs("0.00", "0.00", "42000.00", "0.00", "1100.00", "43100.00", period="2026-03")
    ]
    assert body["totals"] == costs("0.00", "0.00", "42000.00", "0.00", "1100.00", "43100.00")


def test_costs_default_period_is_this_year_up_to_this_month(reader, in_acme):
    today = bishkek_today()
    car = CarFactory(numplate="01KG010DEF")
    SpareFactory(
        car=car, installed_at=today, part_price=Decimal("100.00"), work_price=Decimal("50.00")
    )
    SpareFactory(car=car, installed_at=dt.date(today.year - 1, 12, 31))
    first_of_next = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    SpareFactory(car=car, installed_at=first_of_next)

    body = get_json(reader, COSTS)

    months = [f"{today.year}-{m:02d}" for m in range(1, today.month + 1)]
    assert (body["from"], body["to"]) == (f"{today.year}-01", f"{today:%Y-%m}")
    assert [row["period"] for row in body["rows"]] == months
    assert body["totals"] == costs("100.00", "50.00", "0.00", "0.00", "0.00", "150.00")
    assert body["rows"][-1] == costs(
        "100.00", "50.00", "0.00", "0.00", "0.00", "150.00", period=months[-1]
    )


def test_costs_beyond_sixteen_digits_are_answered_not_500(reader, in_acme):
    # Every amount at its maximum (9,999,999,999.99), 2,001 times in each of the four tables:
    # each column stays within 14 integer digits, the total needs 15. A sum may be as long as it
    # is; the JSON must still carry it (as the car summary's sums do).
    car = CarFactory(numplate="01KG001BIG")
    most = Decimal("9999999999.99")
    day = dt.date(2026, 1, 15)
    Spare.objects.bulk_create(
        SpareFactory.build(car=car, installed_at=day, part_price=most, work_price=most)
        for _ in range(2001)
    )
    Tires.objects.bulk_create(
        # Mounted and removed the same day: a set that occupies no day (one set per car at a time).
        TiresFactory.build(car=car, installed_at=day, removed_at=day, price=most)
        for _ in range(2001)
    )
    Accumulator.objects.bulk_create(
        AccumulatorFactory.build(car=car, installed_at=day, price=most) for _ in range(2001)
    )
    Inspection.objects.bulk_create(
        InspectionFactory.build(car=car, inspected_at=day, valid_until=day, cost=most)
        for _ in range(2001)
    )

    body = get_json(reader, COSTS, **{"from": "2026-01", "to": "2026-01"})

    column = "20009999999979.99"
    expected = costs(column, column, column, column, column, "100049999999899.95")
    assert body["totals"] == expected
    assert body["rows"] == [{"period": "2026-01", "car": None, "numplate": None, **expected}]


# --- Insurances and inspections -------------------------------------------------------------------
#
# Today T (Bishkek), warning window 30 days (the company's default):
#   A osago  OS-OLD    ends T-365  (superseded by OS-TODAY)    expired
#   A osago  OS-TODAY  ends T      expiring, 0 days left
#   A casco  CA-EDGE   ends T+30   expiring, 30 (last day of the window)
#   B osago  OS-ACTIVE ends T+31   active, 31 (first day after the window)
#   B casco  CA-LAPSED ends T-1    expired, -1 (yesterday)
#   A insp.  TO-A-OLD  ends T-100  (superseded by TO-A)        expired
#   A insp.  TO-A      ends T+200  active
#   B insp.  TO-B      ends T-10   expired


@pytest.fixture
def documents(in_acme) -> dict:
    today = bishkek_today()

    def day(n: int) -> dt.date:
        return today + dt.timedelta(days=n)

    a = CarFactory(numplate="01KG001AAA")
    b = CarFactory(numplate="01KG002BBB")

    def insurance(car, kind, number, start, end):
        return InsuranceFactory(
            car=car, insurance_type=kind, number=number, start_date=day(start), end_date=day(end)
        )

    def inspection(car, number, start, end):
        return InspectionFactory(
            car=car, number=number, inspected_at=day(start), valid_until=day(end)
        )

    return {
        "today": today,
        "A": a,
        "B": b,
        "OS-OLD": insurance(a, "osago", "OS-OLD", -730, -365),
        "OS-TODAY": insurance(a, "osago", "OS-TODAY", -364, 0),
        "CA-EDGE": insurance(a, "casco", "CA-EDGE", -335, 30),
        "OS-ACTIVE": insurance(b, "osago", "OS-ACTIVE", -334, 31),
        "CA-LAPSED": insurance(b, "casco", "CA-LAPSED", -366, -1),
        "TO-A-OLD": inspection(a, "TO-A-OLD", -465, -100),
        "TO-A": inspection(a, "TO-A", -165, 200),
        "TO-B": inspection(b, "TO-B", -375, -10),
    }


def item(document, status: str, days_left: int) -> dict:
    """The report's item for a factory-made document, with the status and days left the test
    expects (written by hand in each test)."""
    if hasattr(document, "insurance_type"):
        kind, kind_type = "insurance", document.insurance_type
        start, end = document.start_date, document.end_date
    else:
        kind, kind_type = "inspection", "inspection"
        start, end = document.inspected_at, document.valid_until
    return {
        "kind": kind,
        "id": document.pk,
        "car": document.car_id,
        "numplate": document.car.numplate,
        "type": kind_type,
        "number": document.number,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "status": status,
        "days_left": days_left,
    }


def documents_body(today, items, *, active, expiring, expired, upcoming=0, **echo) -> dict:
    return {
        "today": today.isoformat(),
        "days": echo.get("days", 30),
        "from": echo.get("from"),
        "to": echo.get("to"),
        "status": echo.get("status"),
        "counts": {
            "upcoming": upcoming,
            "active": active,
            "expiring": expiring,
            "expired": expired,
        },
        "items": items,
    }


def test_documents_default_latest_of_each_kind_with_status_boundaries(reader, documents):
    d = documents

    body = get_json(reader, DOCUMENTS)

    assert body == documents_body(
        d["today"],
        [
            item(d["TO-B"], "expired", -10),
            item(d["CA-LAPSED"], "expired", -1),
            item(d["OS-TODAY"], "expiring", 0),
            item(d["CA-EDGE"], "expiring", 30),
            item(d["OS-ACTIVE"], "active", 31),
            item(d["TO-A"], "active", 200),
        ],
        active=2,
        expiring=2,
        expired=2,
    )


def test_a_lapse_before_a_later_renewal_is_reported_as_expired(reader, in_acme):
    """OSAGO lapsed 5 days ago and the renewal starts in 20 days: the car is uncovered today.
    The renewal covers nothing yet (`upcoming`) and does not hide the lapse until it starts."""
    today = bishkek_today()
    day = lambda n: today + dt.timedelta(days=n)  # noqa: E731
    car = CarFactory(numplate="01KG005EEE")
    lapsed = InsuranceFactory(
        car=car, insurance_type="osago", start_date=day(-370), end_date=day(-5)
    )
    renewal = InsuranceFactory(
        car=car, insurance_type="osago", start_date=day(20), end_date=day(384)
    )
    # Another car, renewed yesterday: its old policy is history.
    other = CarFactory(numplate="01KG006FFF")
    InsuranceFactory(car=other, insurance_type="osago", start_date=day(-366), end_date=day(-2))
    renewed = InsuranceFactory(
        car=other, insurance_type="osago", start_date=day(-1), end_date=day(363)
    )

    body = get_json(reader, DOCUMENTS)
    upcoming_only = get_json(reader, DOCUMENTS, status="upcoming")

    assert body == documents_body(
        today,
        [
            item(lapsed, "expired", -5),
            item(renewed, "active", 363),
            item(renewal, "upcoming", 384),
        ],
        upcoming=1,
        active=1,
        expiring=0,
        expired=1,
    )
    assert upcoming_only["items"] == [item(renewal, "upcoming", 384)]
    assert upcoming_only["counts"] == body["counts"]


def test_documents_of_a_set_of_cars_and_the_car_filters(reader, documents):
    a, b = documents["A"], documents["B"]
    Car.objects.filter(pk=b.pk).update(region="osh")

    def plates(**params) -> list[str]:
        body = get_json(reader, DOCUMENTS, **params)
        return sorted({item["numplate"] for item in body["items"]})

    assert plates(car=[a.pk, b.pk]) == ["01KG001AAA", "01KG002BBB"]
    assert plates(car=[b.pk]) == ["01KG002BBB"]
    assert plates(region="osh") == ["01KG002BBB"]
    assert plates(car=[a.pk], region="osh") == []
    Car.objects.filter(pk=b.pk).update(status="decommissioned")
    assert plates() == ["01KG001AAA"]  # a decommissioned car's documents are no task
    assert plates(car_status="decommissioned") == ["01KG002BBB"]


def test_documents_history_shows_superseded_ones(reader, documents):
    d = documents

    body = get_json(reader, DOCUMENTS, history="true")

    assert body == documents_body(
        d["today"],
        [
            item(d["OS-OLD"], "expired", -365),
            item(d["TO-A-OLD"], "expired", -100),
            item(d["TO-B"], "expired", -10),
            item(d["CA-LAPSED"], "expired", -1),
            item(d["OS-TODAY"], "expiring", 0),
            item(d["CA-EDGE"], "expiring", 30),
            item(d["OS-ACTIVE"], "active", 31),
            item(d["TO-A"], "active", 200),
        ],
        active=2,
        expiring=2,
        expired=4,
    )


def test_documents_days_widens_the_window(reader, documents):
    d = documents

    body = get_json(reader, DOCUMENTS, days="31")

    assert body == documents_body(
        d["today"],
        [
            item(d["TO-B"], "expired", -10),
            item(d["CA-LAPSED"], "expired", -1),
            item(d["OS-TODAY"], "expiring", 0),
            item(d["CA-EDGE"], "expiring", 30),
            item(d["OS-ACTIVE"], "expiring", 31),
            item(d["TO-A"], "active", 200),
        ],
        active=1,
        expiring=3,
        expired=2,
        days=31,
    )


def test_documents_days_zero_only_today_is_expiring(reader, documents):
    d = documents

    body = get_json(reader, DOCUMENTS, days="0")

    assert body == documents_body(
        d["today"],
        [
            item(d["TO-B"], "expired", -10),
            item(d["CA-LAPSED"], "expired", -1),
            item(d["OS-TODAY"], "expiring", 0),
            item(d["CA-EDGE"], "active", 30),
            item(d["OS-ACTIVE"], "active", 31),
            item(d["TO-A"], "active", 200),
        ],
        active=3,
        expiring=1,
        expired=2,
        days=0,
    )


@pytest.mark.parametrize(
    ("status", "numbers"),
    [
        ("active", [("OS-ACTIVE", 31), ("TO-A", 200)]),
        ("expiring", [("OS-TODAY", 0), ("CA-EDGE", 30)]),
        ("expired", [("TO-B", -10), ("CA-LAPSED", -1)]),
    ],
)
def test_documents_status_filter_keeps_counts_of_all(reader, documents, status, numbers):
    d = documents

    body = get_json(reader, DOCUMENTS, status=status)

    assert body == documents_body(
        d["today"],
        [item(d[number], status, days_left) for number, days_left in numbers],
        active=2,
        expiring=2,
        expired=2,
        status=status,
    )


def test_documents_of_one_car(reader, documents):
    d = documents

    body = get_json(reader, DOCUMENTS, car=d["B"].pk)

    assert body == documents_body(
        d["today"],
        [
            item(d["TO-B"], "expired", -10),
            item(d["CA-LAPSED"], "expired", -1),
            item(d["OS-ACTIVE"], "active", 31),
        ],
        active=1,
        expiring=0,
        expired=2,
    )


def test_documents_status_and_car_together(reader, documents):
    d = documents

    body = get_json(reader, DOCUMENTS, car=d["A"].pk, status="expiring", history="true")

    assert body == documents_body(
        d["today"],
        [item(d["OS-TODAY"], "expiring", 0), item(d["CA-EDGE"], "expiring", 30)],
        active=1,
        expiring=2,
        expired=2,
        status="expiring",
    )


def test_documents_from_to_days_select_by_end_date(reader, documents):
    d = documents
    yesterday = d["today"] - dt.timedelta(days=1)
    window_end = d["today"] + dt.timedelta(days=30)

    body = get_json(
        reader, DOCUMENTS, **{"from": yesterday.isoformat(), "to": window_end.isoformat()}
    )

    assert body == documents_body(
        d["today"],
        [
            item(d["CA-LAPSED"], "expired", -1),
            item(d["OS-TODAY"], "expiring", 0),
            item(d["CA-EDGE"], "expiring", 30),
        ],
        active=0,
        expiring=2,
        expired=1,
        **{"from": yesterday.isoformat(), "to": window_end.isoformat()},
    )


def test_documents_default_window_is_the_companys(reader, acme, documents):
    d = documents
    acme.expiry_warning_days = 31
    acme.save(update_fields=["expiry_warning_days"])

    body = get_json(reader, DOCUMENTS, status="expiring")

    assert body == documents_body(
        d["today"],
        [
            item(d["OS-TODAY"], "expiring", 0),
            item(d["CA-EDGE"], "expiring", 30),
            item(d["OS-ACTIVE"], "expiring", 31),
        ],
        active=1,
        expiring=3,
        expired=2,
        days=31,
        status="expiring",
    )


def test_documents_today_is_the_companys_today(reader, acme, in_acme):
    # UTC+14: for ten hours of each day its date is a day ahead of Bishkek's.
    acme.timezone = "Pacific/Kiritimati"
    acme.save(update_fields=["timezone"])
    today = dt.datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    policy = InsuranceFactory(
        car=CarFactory(numplate="01KG001TZZ"), start_date=dt.date(2020, 1, 1), end_date=today
    )

    body = get_json(reader, DOCUMENTS)

    assert body["today"] == today.isoformat()
    assert body["items"] == [item(policy, "expiring", 0)]


@pytest.fixture
def leap_february(in_acme) -> dict:
    """Policies (each on a car of its own, so none supersedes another) ending around February
    2024: the 31st of January, the 1st and the 29th of February, the 1st of March."""
    ends = {
        "JAN-31": dt.date(2024, 1, 31),
        "FEB-01": dt.date(2024, 2, 1),
        "FEB-29": dt.date(2024, 2, 29),
        "MAR-01": dt.date(2024, 3, 1),
    }
    return {
        number: InsuranceFactory(
            car=CarFactory(numplate=f"01KG{i:03d}LEP"),
            number=number,
            start_date=end - dt.timedelta(days=364),
            end_date=end,
        )
        for i, (number, end) in enumerate(ends.items(), start=1)
    }


@pytest.mark.parametrize(
    ("date_from", "date_to", "echo", "numbers"),
    [
        ("2024-02", "2024-02", ("2024-02-01", "2024-02-29"), ["FEB-01", "FEB-29"]),
        ("2024-02-02", "2024-02-29", ("2024-02-02", "2024-02-29"), ["FEB-29"]),
        ("2024-01-31", "2024-02-28", ("2024-01-31", "2024-02-28"), ["JAN-31", "FEB-01"]),
        ("2024-02-29", "2024-03", ("2024-02-29", "2024-03-31"), ["FEB-29", "MAR-01"]),
    ],
)
def test_documents_from_to_as_months_or_days(
    reader, leap_february, date_from, date_to, echo, numbers
):
    today = bishkek_today()

    body = get_json(reader, DOCUMENTS, **{"from": date_from, "to": date_to})

    expected = [
        item(leap_february[n], "expired", (leap_february[n].end_date - today).days) for n in numbers
    ]
    assert body == documents_body(
        today,
        expected,
        active=0,
        expiring=0,
        expired=len(numbers),
        **{"from": echo[0], "to": echo[1]},
    )


def test_documents_only_from_or_only_to(reader, leap_february):
    only_from = get_json(reader, DOCUMENTS, **{"from": "2024-02-29"})
    only_to = get_json(reader, DOCUMENTS, to="2024-01")

    assert [i["number"] for i in only_from["items"]] == ["FEB-29", "MAR-01"]
    assert (only_from["from"], only_from["to"]) == ("2024-02-29", None)
    assert [i["number"] for i in only_to["items"]] == ["JAN-31"]
    assert (only_to["from"], only_to["to"]) == (None, "2024-01-31")


# --- JSON, CSV and XLSX agree ---------------------------------------------------------------------


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def fuel_table(body: dict) -> tuple[list, list, list]:
    group = body["group_by"]

    def cells(row: dict, label: str) -> list:
        return [
            label,
            Decimal(row["liters"]),
            Decimal(row["cost"]),
            row["mileage_km"],
            Decimal(row["liters_without_mileage"]),
            _decimal(row["avg_consumption_l_per_100km"]),
        ]

    header = [
        {"month": "Month", "year": "Year", "car": "Number plate", "fuel_type": "Fuel type"}[group],
        "Liters",
        "Cost",
        "Mileage, km",
        "Liters without mileage",
        "L/100 km",
    ]
    label = {"car": "numplate", "fuel_type": "fuel_type"}.get(group, "period")
    rows = [cells(r, r[label]) for r in body["rows"]]
    return header, rows, cells(body["totals"], "Total")


def costs_table(body: dict) -> tuple[list, list, list]:
    group = body["group_by"]
    amounts = ("parts", "work", "tires", "accumulators", "inspections", "total")

    def cells(row: dict, label: str) -> list:
        return [label, *(Decimal(row[name]) for name in amounts)]

    header = [
        {"month": "Month", "year": "Year", "car": "Number plate"}[group],
        "Parts",
        "Work",
        "Tyres",
        "Batteries",
        "Inspections",
        "Total",
    ]
    rows = [cells(r, r["numplate"] if group == "car" else r["period"]) for r in body["rows"]]
    return header, rows, cells(body["totals"], "Total")


def documents_table(body: dict) -> tuple[list, list, list]:
    header = ["Kind", "Number plate", "Type", "Number", "Start", "End", "Status", "Days left"]
    rows = [
        [
            i["kind"],
            i["numplate"],
            i["type"],
            i["number"],
            dt.date.fromisoformat(i["start"]),
            dt.date.fromisoformat(i["end"]),
            i["status"],
            i["days_left"],
        ]
        for i in body["items"]
    ]
    totals = ["Total", f"{len(body['items'])} documents", None, None, None, None, None, None]
    return header, rows, totals


def parse_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming, "CSV is streamed"
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf"), raw[:20]
    text = raw[3:].decode("utf-8")
    assert text.endswith("\r\n")
    assert text.count("\n") == text.count("\r\n"), "every line ends with CRLF"
    return list(csv.reader(io.StringIO(text, newline="")))


def parse_xlsx(response):
    assert response["Content-Type"] == XLSX_TYPE
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(workbook.worksheets) == 1
    return workbook.worksheets[0]


def csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def assert_xlsx_cell(cell, expected) -> None:
    where = f"{cell.coordinate}: {cell.value!r} vs {expected!r}"
    if expected is None:
        assert cell.value is None, where
    elif isinstance(expected, str):
        assert cell.data_type == "s", where
        assert cell.value == expected, where
    elif isinstance(expected, dt.date):
        assert isinstance(cell.value, dt.datetime), where
        assert cell.value == dt.datetime(expected.year, expected.month, expected.day), where
        assert cell.number_format == "yyyy-mm-dd", where
    else:
        assert cell.data_type == "n", where
        assert type(cell.value) in (int, float), where
        assert Decimal(repr(cell.value)) == expected, where
        money_or_count = "#,##0.00" if isinstance(expected, Decimal) else "#,##0"
        assert cell.number_format == money_or_count, where


REPORT_FILES = {
    # case: (url, data fixture, params, table from JSON, file name)
    "fuel-month": (
        FUEL,
        "fuel_cars",
        {"from": "2025-11", "to": "2026-02", "group_by": "month"},
        fuel_table,
        "fuel-consumption_2025-11_2026-02_by-month",
    ),
    "fuel-year": (
        FUEL,
        "fuel_cars",
        {"from": "2025-11", "to": "2026-02", "group_by": "year"},
        fuel_table,
        "fuel-consumption_2025-11_2026-02_by-year",
    ),
    "fuel-car": (
        FUEL,
        "fuel_cars",
        {"from": "2025-11", "to": "2026-02", "group_by": "car"},
        fuel_table,
        "fuel-consumption_2025-11_2026-02_by-car",
    ),
    "costs-month": (
        COSTS,
        "cost_cars",
        {"from": "2026-01", "to": "2026-03", "group_by": "month"},
        costs_table,
        "maintenance-costs_2026-01_2026-03_by-month",
    ),
    "costs-year": (
        COSTS,
        "cost_cars",
        {"from": "2025-12", "to": "2026-03", "group_by": "year"},
        costs_table,
        "maintenance-costs_2025-12_2026-03_by-year",
    ),
    "costs-car": (
        COSTS,
        "cost_cars",
        {"from": "2026-01", "to": "2026-03", "group_by": "car"},
        costs_table,
        "maintenance-costs_2026-01_2026-03_by-car",
    ),
    "documents": (DOCUMENTS, "documents", {}, documents_table, "insurance-inspection_{today}"),
    "documents-history": (
        DOCUMENTS,
        "documents",
        {"history": "true"},
        documents_table,
        "insurance-inspection_{today}",
    ),
    "documents-filtered": (
        DOCUMENTS,
        "documents",
        {"days": "31", "status": "expiring"},
        documents_table,
        "insurance-inspection_{today}",
    ),
    "documents-period": (
        DOCUMENTS,
        "documents",
        {"from": "2020-01", "to": "2040-12-31"},
        documents_table,
        "insurance-inspection_2020-01-01_2040-12-31",
    ),
}


@pytest.mark.parametrize("case", REPORT_FILES)
def test_csv_has_the_json_numbers(request, reader, case):
    url, data, params, table, name = REPORT_FILES[case]
    request.getfixturevalue(data)
    header, rows, totals = table(get_json(reader, url, **params))

    response = reader.get(url, {**params, "export": "csv"})

    assert response.status_code == 200
    file_name = name.format(today=f"{bishkek_today():%Y-%m-%d}")
    assert response["Content-Disposition"] == f'attachment; filename="{file_name}.csv"'
    assert parse_csv(response) == [
        header,
        *([csv_text(v) for v in row] for row in rows),
        [csv_text(v) for v in totals],
    ]


@pytest.mark.parametrize("case", REPORT_FILES)
def test_xlsx_has_the_json_numbers_typed(request, reader, case):
    url, data, params, table, name = REPORT_FILES[case]
    request.getfixturevalue(data)
    header, rows, totals = table(get_json(reader, url, **params))

    response = reader.get(url, {**params, "export": "xlsx"})

    assert response.status_code == 200
    file_name = name.format(today=f"{bishkek_today():%Y-%m-%d}")
    assert response["Content-Disposition"] == f'attachment; filename="{file_name}.xlsx"'
    sheet = parse_xlsx(response)
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == len(rows) + 2
    assert sheet.max_column == len(header)
    assert [c.value for c in sheet[1]] == header
    assert all(c.font.b for c in sheet[1]), "the header is bold"
    for number, expected in enumerate([*rows, totals], start=2):
        cells = sheet[number]
        assert len(cells) == len(expected)
        for cell, value in zip(cells, expected, strict=True):
            assert_xlsx_cell(cell, value)
    assert sheet.cell(len(rows) + 2, 1).font.b, "the totals row is bold"


def test_exports_of_an_empty_period(reader, in_acme):
    params = {"from": "2030-01", "to": "2030-02", "group_by": "month"}

    rows = parse_csv(reader.get(FUEL, {**params, "export": "csv"}))
    sheet = parse_xlsx(reader.get(FUEL, {**params, "export": "xlsx"}))

    assert rows == [
        ["Month", "Liters", "Cost", "Mileage, km", "Liters without mileage", "L/100 km"],
        ["2030-01", "0.00", "0.00", "0", "0.00", ""],
        ["2030-02", "0.00", "0.00", "0", "0.00", ""],
        ["Total", "0.00", "0.00", "0", "0.00", ""],
    ]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Month", "Liters", "Cost", "Mileage, km", "Liters without mileage", "L/100 km"],
        ["2030-01", 0, 0, 0, 0, None],
        ["2030-02", 0, 0, 0, 0, None],
        ["Total", 0, 0, 0, 0, None],
    ]


def test_fuel_csv_exact_lines(reader, fuel_cars):
    response = reader.get(FUEL, {"from": "2025-11", "to": "2026-02", "export": "csv"})

    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode("utf-8") == (
        '\ufeffMonth,Liters,Cost,"Mileage, km",Liters without mileage,L/100 km\r\n'
        "2025-11,100.00,7000.00,900,0.00,11.11\r\n"
        "2025-12,0.00,0.00,0,0.00,\r\n"
        "2026-01,30.51,2135.70,200,5.50,12.51\r\n"
        "2026-02,30.00,2100.00,1000,0.00,3.00\r\n"
        "Total,160.51,11235.70,2100,5.50,7.38\r\n"
    )


# --- Formula injection ----------------------------------------------------------------------------

INJECTIONS = [
    # (numplate, number, its text in the files)
    ("01KG001INJ", '=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
    ("01KG002INJ", "+1", "'+1"),
    ("01KG003INJ", "-2", "'-2"),
    ("01KG004INJ", "@SUM(A1)", "'@SUM(A1)"),
    ("01KG005INJ", "OS-1", "OS-1"),
    # A tab or a carriage return first also starts a formula in spreadsheets.
    ("01KG006TAB", '\t=HYPERLINK("http://x")', '\'\t=HYPERLINK("http://x")'),
    ("01KG007CRT", "\r=1+2", "'\r=1+2"),
    ("01KG008TAB", "OS\t=1", "OS\t=1"),  # a tab after the first character starts nothing
]


@pytest.fixture
def injected(in_acme) -> dt.date:
    today = bishkek_today()
    for numplate, number, _ in INJECTIONS:
        InsuranceFactory(
            car=CarFactory(numplate=numplate),
            number=number,
            start_date=dt.date(2020, 1, 1),
            end_date=today - dt.timedelta(days=1),
        )
    return today


def test_formula_like_numbers_are_neutralised_in_csv(reader, injected):
    yesterday = f"{injected - dt.timedelta(days=1):%Y-%m-%d}"

    json_numbers = [i["number"] for i in get_json(reader, DOCUMENTS)["items"]]
    rows = parse_csv(reader.get(DOCUMENTS, {"export": "csv"}))

    assert json_numbers == [number for _, number, _ in INJECTIONS]  # JSON shows them as stored
    assert rows[1:-1] == [
        ["insurance", numplate, "osago", text, "2020-01-01", yesterday, "expired", "-1"]
        for numplate, _, text in INJECTIONS
    ]
    assert rows[-1] == ["Total", f"{len(INJECTIONS)} documents", "", "", "", "", "", ""]


def test_formula_like_numbers_are_strings_in_xlsx(reader, injected):
    sheet = parse_xlsx(reader.get(DOCUMENTS, {"export": "xlsx"}))

    for row, (numplate, _, text) in zip(
        sheet.iter_rows(min_row=2, max_row=len(INJECTIONS) + 1), INJECTIONS, strict=True
    ):
        assert row[1].value == numplate
        assert row[3].data_type == "s"
        # A carriage return is kept as Excel's escape `_x000D_`, which openpyxl leaves as it is
        # in an inline string: `unescape` reads it as Excel does.
        assert unescape(row[3].value) == text
        # Days left is a number, not text: -1 is not "neutralised".
        assert row[7].data_type == "n"
        assert row[7].value == -1
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row), (
        "no cell is a formula"
    )


# --- Refusals -------------------------------------------------------------------------------------

MONTH_INVALID = "Enter a month as YYYY-MM, e.g. 2026-03."
DAY_INVALID = "Enter a day (YYYY-MM-DD) or a month (YYYY-MM)."


@pytest.mark.parametrize("url", [FUEL, COSTS])
@pytest.mark.parametrize(
    ("params", "code", "detail", "attr"),
    [
        ({"from": "2026-13"}, "invalid", MONTH_INVALID, "from"),
        ({"from": "26-01"}, "invalid", MONTH_INVALID, "from"),
        ({"to": "2026-1"}, "invalid", MONTH_INVALID, "to"),
        ({"to": "2026-01-15"}, "invalid", MONTH_INVALID, "to"),
        # Years outside what the fleet records (1990..2100), so no date arithmetic overflows.
        ({"from": "0000-01"}, "invalid", MONTH_INVALID, "from"),
        ({"from": "1989-12"}, "invalid", MONTH_INVALID, "from"),
        ({"to": "2101-01"}, "invalid", MONTH_INVALID, "to"),
        ({"from": "9999-12"}, "invalid", MONTH_INVALID, "from"),
        (
            {"from": "2026-03", "to": "2026-02"},
            "invalid_period",
            "`from` must not be after `to`.",
            "from",
        ),
        (
            {"from": "2000-01", "to": "2020-01"},
            "period_too_long",
            "A report covers at most 240 months.",
            "to",
        ),
        ({"group_by": "week"}, "invalid_choice", '"week" is not a valid choice.', "group_by"),
        ({"export": "pdf"}, "invalid_choice", '"pdf" is not a valid choice.', "export"),
        (
            {"car": "999999"},
            "does_not_exist",
            'Invalid pk "999999" - object does not exist.',
            "car",
        ),
        (
            {"car": "abc"},
            "incorrect_type",
            "Incorrect type. Expected pk value, received str.",
            "car",
        ),
    ],
)
def test_month_report_refusals(reader, url, params, code, detail, attr):
    error = only_error(reader.get(url, params))

    assert error == {"code": code, "detail": detail, "attr": attr}


@pytest.mark.parametrize("url", [FUEL, COSTS])
def test_a_period_of_exactly_240_months_is_allowed(reader, url):
    body = get_json(reader, url, **{"from": "2000-01", "to": "2019-12", "group_by": "year"})

    assert (body["from"], body["to"]) == ("2000-01", "2019-12")
    assert [row["period"] for row in body["rows"]] == [str(y) for y in range(2000, 2020)]


@pytest.mark.parametrize(
    ("params", "code", "detail", "attr"),
    [
        ({"from": "2026-13"}, "invalid", DAY_INVALID, "from"),
        ({"from": "26-01"}, "invalid", DAY_INVALID, "from"),
        ({"to": "2026-1"}, "invalid", DAY_INVALID, "to"),
        ({"to": "2026-02-30"}, "invalid", DAY_INVALID, "to"),
        (
            {"from": "2026-03-02", "to": "2026-03-01"},
            "invalid_period",
            "`from` must not be after `to`.",
            "from",
        ),
        (
            {"from": "2026-03", "to": "2026-02"},
            "invalid_period",
            "`from` must not be after `to`.",
            "from",
        ),
        ({"status": "lost"}, "invalid_choice", '"lost" is not a valid choice.', "status"),
        ({"export": "pdf"}, "invalid_choice", '"pdf" is not a valid choice.', "export"),
        (
            {"days": "-1"},
            "min_value",
            "Ensure this value is greater than or equal to 0.",
            "days",
        ),
        (
            {"days": "3651"},
            "max_value",
            "Ensure this value is less than or equal to 3650.",
            "days",
        ),
        ({"days": "soon"}, "invalid", "A valid integer is required.", "days"),
        ({"history": "maybe"}, "invalid", "Must be a valid boolean.", "history"),
        (
            {"car": "999999"},
            "does_not_exist",
            'Invalid pk "999999" - object does not exist.',
            "car",
        ),
    ],
)
def test_document_report_refusals(reader, params, code, detail, attr):
    error = only_error(reader.get(DOCUMENTS, params))

    assert error == {"code": code, "detail": detail, "attr": attr}


@pytest.mark.parametrize("url", [FUEL, COSTS, DOCUMENTS])
@pytest.mark.parametrize("export", ["json", "csv", "xlsx"])
def test_another_companys_car_is_refused_and_its_data_not_shown(acme, globex, reader, url, export):
    connection.set_tenant(globex)
    globex_car = CarFactory(numplate="01KG777GLX")
    FuelRecordFactory(car=globex_car, year=2026, month=1, mileage_km=100)
    SpareFactory(car=globex_car, installed_at=dt.date(2026, 1, 10))
    InsuranceFactory(car=globex_car)
    connection.set_tenant(acme)

    assert not Car.objects.filter(pk=globex_car.pk).exists()

    error = only_error(reader.get(url, {"car": globex_car.pk, "export": export}))
    unfiltered = get_json(reader, url, **({} if url == DOCUMENTS else {"from": "2026-01"}))

    assert error == {
        "code": "does_not_exist",
        "detail": f'Invalid pk "{globex_car.pk}" - object does not exist.',
        "attr": "car",
    }
    if url == DOCUMENTS:
        assert (unfiltered["counts"], unfiltered["items"]) == (
            {"upcoming": 0, "active": 0, "expiring": 0, "expired": 0},
            [],
        )
    elif url == FUEL:
        assert unfiltered["totals"] == fuel_totals("0.00", "0.00", 0, None)
    else:
        assert unfiltered["totals"] == costs(*ZERO_COSTS)


def test_documents_to_a_month_of_year_9999_is_400_not_500(reader):
    # `to=9999-12` means its last day; finding it must not overflow the date type.
    error = only_error(reader.get(DOCUMENTS, {"to": "9999-12"}))

    assert error == {"code": "invalid", "detail": DAY_INVALID, "attr": "to"}


@pytest.mark.parametrize("url", [FUEL, COSTS, DOCUMENTS])
@pytest.mark.parametrize("export", ["json", "csv", "xlsx"])
def test_anonymous_is_401(acme, client_for, url, export):
    response = client_for(acme).get(url, {"export": export})

    assert response.status_code == 401
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "not_authenticated",
                "detail": "Authentication credentials were not provided.",
                "attr": None,
            }
        ],
    }


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("url", [FUEL, COSTS, DOCUMENTS])
def test_every_role_reads_the_reports(acme_as, url, role):
    client = acme_as(role)

    assert client.get(url).status_code == 200
    assert client.get(url, {"export": "csv"}).status_code == 200


# --- Query counts ---------------------------------------------------------------------------------

MONTHS_24 = [dt.date(2024 + i // 12, i % 12 + 1, 1) for i in range(24)]


def _history(cars, months) -> None:
    """A fuel record, a repair, tyres, a battery and an inspection per car and month."""
    FuelRecord.objects.bulk_create(
        FuelRecordFactory.build(car=car, year=m.year, month=m.month) for car in cars for m in months
    )
    Spare.objects.bulk_create(
        SpareFactory.build(car=car, installed_at=m.replace(day=10)) for car in cars for m in months
    )
    Tires.objects.bulk_create(
        TiresFactory.build(car=car, installed_at=m.replace(day=11), removed_at=m.replace(day=28))
        for car in cars
        for m in months
    )
    Accumulator.objects.bulk_create(
        AccumulatorFactory.build(car=car, installed_at=m.replace(day=12))
        for car in cars
        for m in months
    )
    Inspection.objects.bulk_create(
        InspectionFactory.build(
            car=car, inspected_at=m.replace(day=13), valid_until=m.replace(day=28)
        )
        for car in cars
        for m in months
    )


# One for every request: `SET search_path` to the company (the host's company and the token's
# user come from their caches after the warm-up). Then the report: fuel takes one GROUP BY (its
# totals are the groups' sums); maintenance one GROUP BY per source table (spares, tyres, batteries,
# inspections).
REPORT_QUERIES = {FUEL: 1 + 1, COSTS: 1 + 4}


@pytest.mark.parametrize("group_by", ["month", "year", "car"])
@pytest.mark.parametrize("url", [FUEL, COSTS])
def test_report_queries_do_not_grow_with_the_data(in_acme, reader, url, group_by):
    params = {"from": "2024-01", "to": "2025-12", "group_by": group_by}
    few_cars = [CarFactory(), CarFactory()]
    _history(few_cars, MONTHS_24[:3])
    reader.get(url, params)  # warm-up: caches of the tenant and the user

    with CaptureQueriesContext(connection) as few:
        few_response = reader.get(url, params)
    _history(few_cars, MONTHS_24[3:])
    _history(CarFactory.create_batch(8), MONTHS_24)
    with CaptureQueriesContext(connection) as many:
        many_response = reader.get(url, params)

    assert few_response.status_code == many_response.status_code == 200
    assert len(many_response.json()["rows"]) == {"month": 24, "year": 2, "car": 10}[group_by]
    assert len(few) == len(many) == REPORT_QUERIES[url], [q["sql"] for q in many]


@pytest.mark.parametrize("url", [FUEL, COSTS])
def test_empty_parameters_count_as_not_given(reader, url):
    # CONTRACT §9 writes `?car=&from=...`: a blank parameter is an absent one.
    blank = reader.get(url, {"car": "", "from": "2026-01", "to": "2026-02", "group_by": ""})
    plain = reader.get(url, {"from": "2026-01", "to": "2026-02"})

    assert blank.status_code == 200
    assert blank.json() == plain.json()


def test_a_parameter_of_whitespace_counts_as_not_given(reader):
    """Found by the fuzzer: "\x1c" is whitespace to Python, so the field trimmed it to blank
    and refused it with a code the API schema did not list; it is not given, as "" is."""
    blank = reader.get(DOCUMENTS, {"from": "\x1c", "to": " \t"})
    plain = reader.get(DOCUMENTS)

    assert blank.status_code == 200, blank.json()
    assert blank.json() == plain.json()
