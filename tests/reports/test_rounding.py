"""A promise of the reports that needs data of its own: L/100 km is rounded half up in the rows
and in the totals alike, in JSON, CSV and XLSX. (Tab and carriage-return formula triggers are
among test_reports.py's injections.)

Expectations are written out by hand, as in test_reports.py."""

from decimal import Decimal

import pytest

from shared_apps.accounts.roles import Role
from tests.factories import CarFactory, FuelRecordFactory
from tests.reports.test_reports import parse_csv, parse_xlsx

API = "/api/v1/reports"
FUEL = f"{API}/fuel-consumption/"


@pytest.fixture
def reader(acme_as):
    return acme_as(Role.GUEST)


# --- Half up, in the rows and in the totals -------------------------------------------------------
#
# One car, one month: 25.01 l over 200 km = 12.505 l/100 km exactly → 12.51 half up (12.50 half
# to even). Every grouping has that one row, and the totals are the same numbers.

HALF = {
    "liters": "25.01",
    "cost": "1750.70",
    "mileage_km": 200,
    "liters_without_mileage": "0.00",
    "avg_consumption_l_per_100km": "12.51",
}


@pytest.fixture
def half_way(in_acme):
    car = CarFactory(numplate="01KG505HLF", fuel_type="petrol")
    FuelRecordFactory(
        car=car,
        year=2026,
        month=1,
        liters=Decimal("25.01"),
        total_cost=Decimal("1750.70"),
        mileage_km=200,
    )
    return car


@pytest.mark.parametrize("group_by", ["month", "year", "car", "fuel_type"])
def test_a_consumption_half_way_is_rounded_up_in_the_row_and_the_totals(reader, half_way, group_by):
    keys = {
        "month": {"period": "2026-01", "car": None, "numplate": None, "fuel_type": None},
        "year": {"period": "2026", "car": None, "numplate": None, "fuel_type": None},
        "car": {"period": None, "car": half_way.pk, "numplate": "01KG505HLF", "fuel_type": None},
        "fuel_type": {"period": None, "car": None, "numplate": None, "fuel_type": "petrol"},
    }[group_by]

    response = reader.get(FUEL, {"from": "2026-01", "to": "2026-01", "group_by": group_by})

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "from": "2026-01",
        "to": "2026-01",
        "group_by": group_by,
        "car": None,
        "currency": "KGS",
        "totals": HALF,
        "rows": [{**keys, **HALF}],
    }


def test_the_files_round_the_row_and_the_totals_half_up(reader, half_way):
    params = {"from": "2026-01", "to": "2026-01", "group_by": "car"}

    rows = parse_csv(reader.get(FUEL, {**params, "export": "csv"}))
    sheet = parse_xlsx(reader.get(FUEL, {**params, "export": "xlsx"}))

    assert rows[1:] == [
        ["01KG505HLF", "25.01", "1750.70", "200", "0.00", "12.51"],
        ["Total", "25.01", "1750.70", "200", "0.00", "12.51"],
    ]
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [
        ["01KG505HLF", 25.01, 1750.7, 200, 0, 12.51],
        ["Total", 25.01, 1750.7, 200, 0, 12.51],
    ]
