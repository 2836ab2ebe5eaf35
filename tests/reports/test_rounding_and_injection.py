"""Two promises of the report files that need data of their own: L/100 km is rounded half up in
the rows and in the totals alike, and text that starts with a tab or a carriage return (which
spreadsheets also read as the start of a formula) is neutralised in CSV and XLSX.

Expectations are written out by hand, as in test_reports.py."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.utils.escape import unescape

from shared_apps.accounts.roles import Role
from tenant_apps.fleet.selectors import company_today
from tests.factories import CarFactory, FuelRecordFactory, InsuranceFactory

API = "/api/v1/reports"
FUEL = f"{API}/fuel-consumption/"
DOCUMENTS = f"{API}/insurance-inspection/"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def reader(acme_as):
    return acme_as(Role.GUEST)


def parse_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf"), raw[:20]
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))


def parse_xlsx(response):
    assert response["Content-Type"] == XLSX_TYPE
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook.worksheets[0]


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


# --- A tab or a carriage return first -------------------------------------------------------------

INJECTIONS = [
    # (numplate, policy number, its text in the files)
    ("01KG001TAB", '\t=HYPERLINK("http://x")', '\'\t=HYPERLINK("http://x")'),
    ("01KG002CRT", "\r=1+2", "'\r=1+2"),
    ("01KG003TAB", "OS\t=1", "OS\t=1"),  # a tab after the first character starts nothing
]


@pytest.fixture
def injected(in_acme) -> dt.date:
    today = company_today(in_acme)
    for numplate, number, _ in INJECTIONS:
        InsuranceFactory(
            car=CarFactory(numplate=numplate),
            number=number,
            start_date=dt.date(2020, 1, 1),
            end_date=today - dt.timedelta(days=1),
        )
    return today


def test_a_tab_or_a_carriage_return_first_is_neutralised_in_csv(reader, injected):
    yesterday = f"{injected - dt.timedelta(days=1):%Y-%m-%d}"

    rows = parse_csv(reader.get(DOCUMENTS, {"export": "csv"}))

    assert rows[1:] == [
        *(
            ["insurance", numplate, "osago", text, "2020-01-01", yesterday, "expired", "-1"]
            for numplate, _, text in INJECTIONS
        ),
        ["Total", "3 documents", "", "", "", "", "", ""],
    ]


def test_a_tab_or_a_carriage_return_first_is_neutralised_in_xlsx(reader, injected):
    sheet = parse_xlsx(reader.get(DOCUMENTS, {"export": "xlsx"}))

    # The file keeps a carriage return as Excel's escape `_x000D_`, which openpyxl leaves as it is
    # in an inline string: `unescape` reads it as Excel does.
    cells = [(row[1].value, row[3].data_type, row[3].value) for row in sheet.iter_rows(min_row=2)]
    assert [(numplate, kind, unescape(text)) for numplate, kind, text in cells[:-1]] == [
        (numplate, "s", text) for numplate, _, text in INJECTIONS
    ]
    assert cells[-1] == ("3 documents", "n", None)
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
