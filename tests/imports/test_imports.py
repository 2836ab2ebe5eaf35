"""Imports from XLSX and CSV: every row checked as the API checks it, written all or nothing,
problems named by row and column. The worker's service runs in the test's transaction here;
tests/imports/test_import_worker.py sends a job to a real Celery worker."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shared_apps.accounts.roles import Role
from tenant_apps.fleet.models import Car, FuelRecord, Insurance, MonthlyMileage
from tenant_apps.imports import services
from tenant_apps.imports.models import ImportJob
from tests.factories import CarFactory, FuelRecordFactory, InsuranceFactory

IMPORTS = "/api/v1/imports/"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def upload(client, entity: str, content: bytes, name: str, *, dry_run: bool = False):
    file = SimpleUploadedFile(name, content)
    return client.post(
        IMPORTS, {"file": file, "entity": entity, "dry_run": dry_run}, format="multipart"
    )


def run(
    client, entity: str, content: bytes, name: str = "sheet.xlsx", *, dry_run: bool = False
) -> dict:
    """Upload, run the worker's part here, and read the job as the API shows it."""
    response = upload(client, entity, content, name, dry_run=dry_run)
    assert response.status_code == 202, response.json()
    job_id = response.json()["id"]
    services.import_job_run(job_id=job_id)
    body = client.get(f"{IMPORTS}{job_id}/").json()
    return body


@pytest.fixture
def dispatcher(acme_as):
    return acme_as(Role.DISPATCHER)


def test_fuel_records_from_xlsx_create_and_update(dispatcher, in_acme):
    car = CarFactory(numplate="01KG100AAA")
    FuelRecordFactory(
        car=car,
        year=2026,
        month=1,
        liters=Decimal("10.00"),
        total_cost=Decimal("700.00"),
        mileage_km=100,
    )
    sheet = xlsx_bytes(
        [
            ["Number plate", "Month", "Liters", "Cost", "Mileage, km", "L/100 km"],
            ["01 kg 100-aaa", "2026-01", 50, 3500, 500, 10],
            ["01KG100AAA", dt.datetime(2026, 2, 1), "40,5", "2 835", 450, None],
        ]
    )

    job = run(dispatcher, "fuel-records", sheet)

    assert job["status"] == "succeeded", job
    assert (job["created"], job["updated"], job["rows"], job["errors"]) == (1, 1, 2, [])
    assert job["warnings"] == ["These columns are not imported: L/100 km."]
    records = FuelRecord.objects.filter(car=car).order_by("month")
    assert [(r.month, r.liters, r.total_cost, r.mileage_km) for r in records] == [
        (1, Decimal("50.00"), Decimal("3500.00"), 500),
        (2, Decimal("40.50"), Decimal("2835.00"), 450),
    ]


def test_monthly_mileages_from_a_russian_excel_csv(dispatcher, in_acme):
    """Russian Excel's CSV: Windows-1251, `;` between cells, Russian titles in another case."""
    car = CarFactory(numplate="01KG200BBB")
    sheet = csv_bytes(
        [["ГОСНОМЕР", " месяц ", "Пробег, км"], ["01KG200BBB", "03.2026", "1 500"], ["", "", ""]],
        delimiter=";",
        encoding="cp1251",
    )

    job = run(dispatcher, "monthly-mileages", sheet, "пробег.csv")

    assert (job["status"], job["created"], job["errors"], job["warnings"]) == (
        "succeeded",
        1,
        [],
        [],
    )
    assert list(MonthlyMileage.objects.filter(car=car).values_list("month", "mileage_km")) == [
        (dt.date(2026, 3, 1), 1500)
    ]


def test_cars_from_a_utf8_csv_with_a_bom_and_names_for_codes(dispatcher, in_acme):
    """Tabs between cells; dictionary entries and statuses by their names, as exports write."""
    CarFactory(numplate="01KG300CCC", title="Old title", status="active")
    sheet = "\ufeff" + "\n".join(
        [
            "Number plate\tModel\tBrand\tRegion\tVehicle type\tFuel type\tYear\tStatus",
            "01kg300ccc\tCamry 70\ttoyota\tBishkek city\tcar\tpetrol\t2021\tВ ремонте",
            "02KG301CCC\tNexia\tdaewoo\tг. Бишкек\tcar\tpetrol\t2015\treserve",  # noqa: RUF001
        ]
    )

    job = run(dispatcher, "cars", sheet.encode(), "cars.csv")

    assert (job["status"], job["created"], job["updated"], job["errors"]) == ("succeeded", 1, 1, [])
    assert list(
        Car.objects.order_by("numplate").values_list(
            "numplate", "title", "region", "year", "status"
        )
    ) == [
        ("01KG300CCC", "Camry 70", "bishkek", 2021, "repair"),
        ("02KG301CCC", "Nexia", "bishkek", 2015, "reserve"),
    ]


def test_every_bad_row_is_named_and_nothing_is_written(dispatcher, in_acme):
    car = CarFactory(numplate="01KG400DDD")
    FuelRecordFactory(
        car=car,
        year=2026,
        month=1,
        liters=Decimal("10.00"),
        total_cost=Decimal("700.00"),
        mileage_km=100,
    )
    sheet = xlsx_bytes(
        [
            ["Number plate", "Month", "Liters", "Cost", "Mileage, km"],
            ["01KG400DDD", "2026-01", 60, 4200, 600],  # fine: an update
            ["01KG999ZZZ", "2026-02", 10, 700, 100],  # no such car
            ["01KG400DDD", "2026-13", 10, 700, 100],  # no such month
            ["01KG400DDD", "2026-03", -5, 700, 100],  # negative liters
            ["01KG400DDD", "2026-01", 70, 4900, 700],  # the same month again
            ["01KG400DDD", "2026-04", 10, None, 100],  # the cost left out
        ]
    )

    job = run(dispatcher, "fuel-records", sheet)

    assert job["status"] == "succeeded"
    assert job["errors"] == [
        {
            "row": 3,
            "column": "Number plate",
            "code": "does_not_exist",
            "detail": "No car has the number plate 01KG999ZZZ.",
        },
        {
            "row": 4,
            "column": "Month",
            "code": "max_value",
            "detail": "Ensure this value is less than or equal to 12.",
        },
        {
            "row": 5,
            "column": "Liters",
            "code": "min_value",
            "detail": "Ensure this value is greater than or equal to 0.",
        },
        {
            "row": 6,
            "column": None,
            "code": "duplicate_row",
            "detail": "Row 2 already has this record.",
        },
        {"row": 7, "column": "Cost", "code": "required", "detail": "This field is required."},
    ]
    # All or nothing: the good update of row 2 was undone with the rest.
    assert list(FuelRecord.objects.filter(car=car).values_list("month", "liters")) == [
        (1, Decimal("10.00"))
    ]


def test_problems_are_told_in_the_users_language(acme_as, in_acme):
    CarFactory(numplate="01KG410DDD")
    client = acme_as(Role.ACCOUNTANT, language="ru")
    sheet = xlsx_bytes(
        [
            ["Госномер", "Месяц", "Литры", "Стоимость", "Пробег, км", "Заметки"],
            ["01KG410DDD", "2026-01", "много", 700, 100, "x"],
        ]
    )

    job = run(client, "fuel-records", sheet)

    assert job["errors"] == [
        {"row": 2, "column": "Литры", "code": "invalid", "detail": "Требуется численное значение."}
    ]
    assert job["warnings"] == ["Эти столбцы не импортируются: Заметки."]


def test_a_dry_run_reports_what_a_real_run_would_do_and_writes_nothing(dispatcher, in_acme):
    car = CarFactory(numplate="01KG500EEE")
    InsuranceFactory(
        car=car,
        insurance_type="osago",
        number="OS-1",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        cost=Decimal("1000.00"),
    )
    sheet = xlsx_bytes(
        [
            ["Number plate", "Type", "Number", "Start", "End", "Cost"],
            ["01KG500EEE", "OSAGO", "OS-1", "2026-01-01", "2026-12-31", "1200.00"],
            ["01KG500EEE", "КАСКО", "CA-7", "01.02.2026", "31.01.2027", 25000],
        ]
    )

    job = run(dispatcher, "insurances", sheet, dry_run=True)

    assert (job["status"], job["dry_run"], job["created"], job["updated"], job["errors"]) == (
        "succeeded",
        True,
        1,
        1,
        [],
    )
    assert list(Insurance.objects.values_list("number", "cost")) == [("OS-1", Decimal("1000.00"))]

    job = run(dispatcher, "insurances", sheet)

    assert (job["created"], job["updated"]) == (1, 1)
    assert list(
        Insurance.objects.order_by("number").values_list(
            "insurance_type", "number", "start_date", "cost"
        )
    ) == [
        ("casco", "CA-7", dt.date(2026, 2, 1), Decimal("25000.00")),
        ("osago", "OS-1", dt.date(2026, 1, 1), Decimal("1200.00")),
    ]


@pytest.mark.parametrize(
    ("role", "entity", "status"),
    [
        (Role.GUEST, "cars", 403),
        (Role.DRIVER, "fuel-records", 403),
        (Role.MECHANIC, "fuel-records", 403),
        (Role.ACCOUNTANT, "cars", 403),
        (Role.MECHANIC, "spares", 202),
        (Role.ACCOUNTANT, "insurances", 202),
    ],
)
def test_the_entitys_write_rights_decide_who_may_import(acme_as, in_acme, role, entity, status):
    client = acme_as(role)
    sheet = xlsx_bytes([["Number plate"], ["01KG600FFF"]])

    response = upload(client, entity, sheet, "sheet.xlsx")

    assert response.status_code == status
    if status == 403:
        assert response.json()["errors"][0]["code"] == "permission_denied"
        assert not ImportJob.objects.exists()


def test_a_missing_key_column_is_an_error_of_the_header(dispatcher, in_acme):
    sheet = xlsx_bytes([["Liters", "Cost"], [10, 700]])

    job = run(dispatcher, "fuel-records", sheet)

    assert job["errors"] == [
        {
            "row": 1,
            "column": "Number plate",
            "code": "column_missing",
            "detail": "This column is missing.",
        },
        {
            "row": 1,
            "column": "Month",
            "code": "column_missing",
            "detail": "This column is missing.",
        },
    ]


def test_a_formula_is_read_as_its_value_never_run(dispatcher, in_acme):
    """A cell with `=SUM(...)` keeps Excel's cached result; the formula itself is ignored."""
    car = CarFactory(numplate="01KG700GGG")
    plain = xlsx_bytes(
        [
            ["Number plate", "Month", "Liters", "Cost", "Mileage, km"],
            ["01KG700GGG", "2026-05", 42, 2940, 420],
        ]
    )
    sheet = with_formula(plain, cell="C2", formula="SUM(40,2)&amp;HYPERLINK(&quot;http://x&quot;)")

    job = run(dispatcher, "fuel-records", sheet)

    assert job["errors"] == []
    assert FuelRecord.objects.get(car=car).liters == Decimal("42.00")


def with_formula(content: bytes, *, cell: str, formula: str) -> bytes:
    """The workbook with a formula written in front of `cell`'s cached value, as Excel saves."""
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, replaced = re.subn(
                    rf'(<c r="{cell}"[^>]*>)(<v>)'.encode(), rf"\1<f>{formula}</f>\2".encode(), data
                )
                assert replaced == 1
            target.writestr(item, data)
    return out.getvalue()
