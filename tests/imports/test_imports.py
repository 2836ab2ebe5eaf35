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
from tenant_apps.imports.columns import ENTITIES
from tenant_apps.imports.models import ImportJob
from tests.factories import CarFactory, FuelRecordFactory, InsuranceFactory
from tests.fleet.test_batch import km_limit  # noqa: F401 - a fixture
from tests.reports.test_exports import point_broker  # noqa: F401 - a fixture

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

    assert (job["status"], job["rows"], job["created"], job["errors"], job["warnings"]) == (
        "succeeded",
        1,  # the empty line is no row
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
            "02KG301CCC\tNiva\tЛАДА\tг. Бишкек\tcar\tpetrol\t2015\treserve",  # noqa: RUF001
        ]
    )

    job = run(dispatcher, "cars", sheet.encode(), "cars.csv")

    assert (job["status"], job["created"], job["updated"], job["errors"]) == ("succeeded", 1, 1, [])
    assert list(
        Car.objects.order_by("numplate").values_list(
            "numplate", "title", "brand", "region", "year", "status"
        )
    ) == [
        ("01KG300CCC", "Camry 70", "toyota", "bishkek", 2021, "repair"),
        ("02KG301CCC", "Niva", "lada", "bishkek", 2015, "reserve"),
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


# --- Files that cannot be imported ----------------------------------------------------------------


def bomb() -> bytes:
    """A real decompression bomb: 1 MB in the file, 401 MB unpacked."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            zeros = bytes(1 << 20)
            for _ in range(401):
                member.write(zeros)
    return out.getvalue()


FILE_REFUSALS = [
    (
        "sheet.xls",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
        "file_type",
        "Upload an .xlsx or .csv file.",
    ),
    (
        "sheet.xlsx",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
        "file_encrypted",
        "The file is password-protected or an old .xls workbook: save it as .xlsx without a "
        "password, or as CSV.",
    ),
    (
        "sheet.xlsx",
        b"Number plate,Month\n01KG1,2026-01\n",
        "file_not_xlsx",
        "The file is not an Excel workbook (.xlsx).",
    ),
    ("sheet.pdf", b"%PDF-1.4", "file_type", "Upload an .xlsx or .csv file."),
    (
        "sheet.csv",
        b"\x00\x01\x02PK\x00" * 10,
        "file_not_csv",
        "The file is not text in UTF-8 or Windows-1251.",
    ),
]


@pytest.mark.parametrize(("name", "content", "code", "detail"), FILE_REFUSALS)
def test_a_file_that_is_no_sheet_is_a_400_and_no_job(
    dispatcher, in_acme, name, content, code, detail
):
    response = upload(dispatcher, "fuel-records", content, name)

    assert response.status_code == 400
    assert response.json()["errors"] == [{"code": code, "detail": detail, "attr": "file"}]
    assert not ImportJob.objects.exists()


def test_a_decompression_bomb_is_refused_before_it_is_unpacked(dispatcher, in_acme):
    response = upload(dispatcher, "cars", bomb(), "bomb.xlsx")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "file_too_big_unpacked",
            "detail": "The workbook unpacks to more than 400 MB; it cannot be a fleet sheet.",
            "attr": "file",
        }
    ]


def test_a_file_over_20_mb_is_refused(dispatcher, in_acme):
    content = b"Number plate\n" + b"01KG123ABC\n" * (20 * 1024 * 1024 // 11 + 1)

    response = upload(dispatcher, "cars", content, "big.csv")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "file_too_large"


def test_more_than_200000_rows_fail_the_job_before_a_row_is_checked(dispatcher, in_acme):
    content = b"Number plate,Model\n" + b"01KG1,X\n" * 200_001

    job = run(dispatcher, "cars", content, "many.csv")

    assert (job["status"], job["error"], job["created"]) == (
        "failed",
        "The file has more than 200,000 rows; split it.",
        0,
    )
    assert not Car.objects.exists()


def test_a_workbook_that_breaks_inside_fails_the_job_with_a_reason(dispatcher, in_acme):
    """A zip with the right parts but a broken sheet passes the upload checks; reading it fails
    the job, never with a 500."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<not-a-workbook")

    job = run(dispatcher, "cars", out.getvalue(), "broken.xlsx")

    assert (job["status"], job["error"]) == ("failed", "The file is not an Excel workbook (.xlsx).")


# --- Templates, round trips, whose jobs -----------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "titles"),
    [
        ("en", ["Number plate", "Month", "Liters", "Cost", "Mileage, km"]),
        ("ru", ["Госномер", "Месяц", "Литры", "Стоимость", "Пробег, км"]),
    ],
)
def test_the_template_has_the_columns_in_the_users_language(acme_as, language, titles):
    client = acme_as(Role.GUEST, language=language)

    response = client.get(f"{IMPORTS}templates/fuel-records.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [cell.value for cell in workbook.active[1]] == titles
    assert workbook.active.max_row == 1


def test_an_unknown_templates_entity_is_a_404(dispatcher):
    assert dispatcher.get(f"{IMPORTS}templates/users.xlsx").status_code == 404


def test_an_exported_ledger_imports_back_unchanged(dispatcher, in_acme):
    """Export → edit in Excel → import: the fuel ledger's own file is understood, row for row."""
    from tenant_apps.reports.services import report_table
    from tenant_apps.reports.writers import xlsx_write

    car = CarFactory(numplate="01KG800HHH")
    FuelRecordFactory(
        car=car,
        year=2026,
        month=1,
        liters=Decimal("33.30"),
        total_cost=Decimal("2331.00"),
        mileage_km=0,
    )
    FuelRecordFactory(
        car=car,
        year=2026,
        month=2,
        liters=Decimal("55.55"),
        total_cost=Decimal("3888.50"),
        mileage_km=700,
    )
    exported = io.BytesIO()
    xlsx_write(report_table("fuel-records", {}), exported)

    job = run(dispatcher, "fuel-records", exported.getvalue())

    assert (job["created"], job["updated"], job["errors"]) == (0, 2, [])
    assert job["warnings"] == ["These columns are not imported: L/100 km."]
    assert list(
        FuelRecord.objects.order_by("month").values_list("liters", "total_cost", "mileage_km")
    ) == [
        (Decimal("33.30"), Decimal("2331.00"), 0),
        (Decimal("55.55"), Decimal("3888.50"), 700),
    ]


def test_each_user_sees_their_own_jobs_only(acme_as, globex, client_for, make_user, in_acme):
    mine, theirs = acme_as(Role.DISPATCHER), acme_as(Role.DISPATCHER)
    sheet = xlsx_bytes([["Number plate"], ["01KG900JJJ"]])
    job_id = upload(mine, "cars", sheet, "a.xlsx").json()["id"]

    assert [job["id"] for job in mine.get(IMPORTS).json()["results"]] == [job_id]
    assert theirs.get(IMPORTS).json()["count"] == 0
    assert theirs.get(f"{IMPORTS}{job_id}/").status_code == 404
    outsider = make_user(globex, Role.COMPANY_ADMIN)
    assert client_for(globex, outsider).get(f"{IMPORTS}{job_id}/").status_code == 404
    assert client_for(in_acme, outsider).get(f"{IMPORTS}{job_id}/").status_code == 401


def test_a_constraint_a_batch_breaks_is_named_on_its_row(dispatcher, in_acme):
    """Rows are inserted many at a time; a unique VIN (held by the database, against a car
    already there or an earlier row of the file) makes the batch be saved again row by row,
    so that the refusal is the API's, on the row that broke it."""
    CarFactory(numplate="01KG950AAA", vin="XTA21099000000001")
    header = ["Number plate", "Model", "Brand", "Region", "Vehicle type", "Fuel type", "VIN"]
    car = ["Nexia", "toyota", "bishkek", "car", "petrol"]
    sheet = xlsx_bytes(
        [
            header,
            ["01KG951AAA", *car, "XTA21099000000002"],
            ["01KG952AAA", *car, "XTA21099000000001"],  # the car already there has it
            ["01KG953AAA", *car, "XTA21099000000002"],  # row 2 has it
        ]
    )

    job = run(dispatcher, "cars", sheet)

    duplicate = "A car with this VIN already exists."
    assert job["errors"] == [
        {"row": 3, "column": "VIN", "code": "unique", "detail": duplicate},
        {"row": 4, "column": "VIN", "code": "unique", "detail": duplicate},
    ]
    assert job["created"] == 1  # row 2 alone went through, and was undone with the rest
    assert list(Car.objects.values_list("numplate", flat=True)) == ["01KG950AAA"]


def test_a_value_only_the_models_validator_refuses_is_refused_on_its_row(
    dispatcher,
    in_acme,
    km_limit,  # noqa: F811
):
    """The model's validators are not run again for the fields the serializer checked just
    as the model would; one the serializer lacks is still run, and named on its row."""
    CarFactory(numplate="01KG955AAA")
    sheet = xlsx_bytes(
        [
            ["Number plate", "Month", "Liters", "Cost", "Mileage, km"],
            ["01KG955AAA", "2026-01", 40, 2800, 1_000_000],
            ["01KG955AAA", "2026-02", 40, 2800, 1_000_001],
        ]
    )

    job = run(dispatcher, "fuel-records", sheet)

    assert job["errors"] == [
        {
            "row": 3,
            "column": "Mileage, km",
            "code": "max_value",
            "detail": "Ensure this value is less than or equal to 1000000.",
        }
    ]
    assert not FuelRecord.objects.exists()


def test_equal_cells_of_different_types_are_converted_each_as_itself(dispatcher, in_acme):
    """Each column converts a value once for the whole sheet; True, equal to 1 in Python, is
    still a boolean cell, which no mileage is."""
    CarFactory(numplate="01KG956AAA")
    sheet = xlsx_bytes(
        [
            ["Number plate", "Month", "Liters", "Cost", "Mileage, km"],
            ["01KG956AAA", "2026-01", 40, 2800, 1],
            ["01KG956AAA", "2026-02", 40, 2800, True],
            ["01KG956AAA", "2026-03", 40, 2800, 1.0],
        ]
    )

    job = run(dispatcher, "fuel-records", sheet, dry_run=True)

    assert job["errors"] == [
        {
            "row": 3,
            "column": "Mileage, km",
            "code": "invalid",
            "detail": "A valid integer is required.",
        }
    ]
    assert job["created"] == 2


def test_the_lists_count_the_imported_rows_at_once(dispatcher, in_acme):
    """The list counts are cached under the company's data version; the import changes it
    once, when it is written, so the next page counts afresh."""
    car = CarFactory(numplate="01KG960AAA")
    assert dispatcher.get("/api/v1/fuel-records/").json()["count"] == 0  # counted and cached
    rows = [["Number plate", "Month", "Liters", "Cost", "Mileage, km"]]
    rows += [["01KG960AAA", f"2025-{m:02d}", 40, 2800, 400] for m in range(1, 13)]

    job = run(dispatcher, "fuel-records", xlsx_bytes(rows))

    assert job["created"] == 12
    assert dispatcher.get("/api/v1/fuel-records/").json()["count"] == 12
    assert dispatcher.get(f"/api/v1/fuel-records/?car={car.pk}").json()["count"] == 12


def test_an_unknown_car_alone_still_undoes_the_good_rows(dispatcher, in_acme):
    """Refusals found before the writes (an unknown plate, a repeated row) undo them too."""
    CarFactory(numplate="01KG970AAA")
    sheet = xlsx_bytes(
        [
            ["Number plate", "Month", "Liters", "Cost", "Mileage, km"],
            ["01KG970AAA", "2026-01", 40, 2800, 400],
            ["01KG970AAA", "2026-01", 40, 2800, 400],
            ["01KG979ZZZ", "2026-01", 40, 2800, 400],
        ]
    )

    job = run(dispatcher, "fuel-records", sheet)

    assert [(e["row"], e["code"]) for e in job["errors"]] == [
        (3, "duplicate_row"),
        (4, "does_not_exist"),
    ]
    assert job["created"] == 1
    assert not FuelRecord.objects.exists()


# --- The job's life: the queue down, a stale job ------------------------------------------------


def test_redis_unreachable_answers_503_and_keeps_no_file(dispatcher, in_acme, point_broker):  # noqa: F811
    point_broker("redis://127.0.0.1:1/0")  # nothing listens there: a real refused connection
    dispatcher.raise_request_exception = False

    response = upload(dispatcher, "cars", xlsx_bytes([["Number plate"], ["01KG1"]]), "a.xlsx")

    assert (response.status_code, response.json()) == (
        503,
        {
            "type": "server_error",
            "errors": [
                {
                    "code": "import_queue_unavailable",
                    "detail": "Imports are unavailable right now (the job queue is down); "
                    "try again shortly.",
                    "attr": None,
                }
            ],
        },
    )
    job = ImportJob.objects.get()
    assert (job.status, job.error, job.file.name) == (
        "failed",
        "The import queue was unavailable.",
        "",
    )


def test_housekeeping_fails_a_stale_import_and_deletes_its_file(dispatcher, in_acme, settings):
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from tenant_apps.imports.tasks import imports_housekeeping

    job_id = upload(dispatcher, "cars", xlsx_bytes([["Number plate"]]), "a.xlsx").json()["id"]
    job = ImportJob.objects.get(pk=job_id)
    stale = timezone.now() - dt.timedelta(seconds=settings.EXPORT_STALE_SECONDS + 1)
    ImportJob.objects.filter(pk=job_id).update(created_at=stale)
    assert default_storage.exists(job.file.name)

    assert imports_housekeeping() == 1

    job.refresh_from_db()
    assert (job.status, job.error, job.file.name) == (
        "failed",
        "The import did not finish in time (its worker stopped); please try again.",
        "",
    )
    assert not default_storage.exists(f"imports/{job_id}.xlsx")


def test_a_problem_names_the_column_as_the_file_titles_it(dispatcher, in_acme):
    """An English-speaking user's sheet with Russian titles: the column is the file's."""
    CarFactory(numplate="01KG980AAA")
    sheet = xlsx_bytes(
        [
            ["ГОСНОМЕР", "Месяц", "Литры", "Стоимость", "Пробег, км"],
            ["01KG980AAA", "2026-01", "x", 1, 1],
        ]
    )

    job = run(dispatcher, "fuel-records", sheet)

    assert job["errors"] == [
        {"row": 2, "column": "Литры", "code": "invalid", "detail": "A valid number is required."}
    ]


def test_a_cell_is_converted_by_its_own_type_even_when_remembered():
    """Each column remembers the cells it converted: 1, 1.0 and True are equal as Python keys
    but not the same cell (TRUE in a sheet is not the number 1)."""
    spec = ENTITIES["fuel-records"]
    columns = {0: spec.column_for("Литры")}
    cells = [(1,), (True,), (1.0,), (True,), (1.5,)]

    rows = [row.data for row in services._rows(columns, ("Литры",), cells)]

    assert rows == [
        {"liters": "1"},
        {"liters": "true"},
        {"liters": "1"},
        {"liters": "true"},
        {"liters": "1.5"},
    ]
