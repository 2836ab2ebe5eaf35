"""Report files in the reader's language (CONTRACT §7, §9): column titles, the totals label and
the status, kind, type and fuel-type values are Russian or English; Kyrgyz readers get Russian.
A direct download follows the request's language (the user's, or `Accept-Language`); a file
built by the worker follows its creator's (else the company's default). Numbers, dates, number
plates and file names do not change, and typed text is still neutralised.

Every expectation is written out by hand."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.utils import translation

from shared_apps.accounts.models import User
from shared_apps.accounts.roles import Role
from tenant_apps.fleet.models import Car, FuelRecord
from tenant_apps.reports import services
from tenant_apps.reports.models import ExportJob, ExportStatus
from tenant_apps.reports.tables import export_language
from tests.conftest import CompanyClient
from tests.factories import (
    CarFactory,
    FuelRecordFactory,
    InspectionFactory,
    InsuranceFactory,
    MonthlyMileageFactory,
    UserFactory,
)
from tests.reports import test_exports
from tests.reports.test_reports import bishkek_today, parse_csv, parse_xlsx
from tests.threads import committed

# The real Celery worker of test_exports, started for this module too.
worker = test_exports.worker
worker_media = test_exports.worker_media

FUEL = "/api/v1/reports/fuel-consumption/"
DOCUMENTS = "/api/v1/reports/insurance-inspection/"
EXPORTS = "/api/v1/reports/exports/"

# --- The data -------------------------------------------------------------------------------------
#
# Fuel (liters, cost, km):  A petrol 2026-01  40.00  2800.00  500  → 8.00 l/100 km
#                           B petrol 2026-02  10.00   700.00    0  → liters without km
#                           C diesel 2026-01  20.00  1500.00  100  → 20.00 l/100 km
# Mileage records:          D electric 2026-01               300 km
# Petrol by month: Jan 40.00 / 500 km = 8.00; Feb 10.00 l without km; total 50.00, 3500.00,
# 500 km, 10.00 without km, 8.00. By fuel type: diesel 20.00; electric 300 km; petrol 8.00; the
# total mixes the types, so it has no average.

PETROL_BY_MONTH = {"from": "2026-01", "to": "2026-02", "group_by": "month", "fuel_type": "petrol"}
BY_FUEL_TYPE = {"from": "2026-01", "to": "2026-02", "group_by": "fuel_type"}

FUEL_CSV_RU = (
    '\ufeffМесяц,Литры,Стоимость,"Пробег, км",Литры без пробега,л/100 км\r\n'
    "2026-01,40.00,2800.00,500,0.00,8.00\r\n"
    "2026-02,10.00,700.00,0,10.00,\r\n"
    "Итого,50.00,3500.00,500,10.00,8.00\r\n"
)
FUEL_CSV_EN = (
    '\ufeffMonth,Liters,Cost,"Mileage, km",Liters without mileage,L/100 km\r\n'
    "2026-01,40.00,2800.00,500,0.00,8.00\r\n"
    "2026-02,10.00,700.00,0,10.00,\r\n"
    "Total,50.00,3500.00,500,10.00,8.00\r\n"
)


@pytest.fixture
def fuel_cars(in_acme) -> None:
    a = CarFactory(numplate="01KG001AAA", fuel_type="petrol")
    b = CarFactory(numplate="01KG002BBB", fuel_type="petrol")
    c = CarFactory(numplate="01KG003CCC", fuel_type="diesel")
    d = CarFactory(numplate="01KG004DDD", fuel_type="electric")
    MonthlyMileageFactory(car=d, month=dt.date(2026, 1, 1), mileage_km=300)
    for car, month, liters, cost, km in [
        (a, 1, "40.00", "2800.00", 500),
        (b, 2, "10.00", "700.00", 0),
        (c, 1, "20.00", "1500.00", 100),
    ]:
        FuelRecordFactory(
            car=car,
            year=2026,
            month=month,
            liters=Decimal(liters),
            total_cost=Decimal(cost),
            mileage_km=km,
        )


# Documents, relative to today (T) in Bishkek, soonest end first:
#   A insurance osago OS-1   T-400 .. T-5    expired, -5
#   A inspection      TO-1   T-355 .. T+10   expiring, 10
#   B insurance casco CA-1   T-100 .. T+200  active, 200
#   B insurance osago =2+2   T+20  .. T+385  upcoming, 385 (a number typed like a formula)


@pytest.fixture
def documents(in_acme) -> dt.date:
    today = bishkek_today()

    def day(n: int) -> dt.date:
        return today + dt.timedelta(days=n)

    a = CarFactory(numplate="01KG001AAA")
    b = CarFactory(numplate="01KG002BBB")
    for car, kind, number, start, end in [
        (a, "osago", "OS-1", -400, -5),
        (b, "casco", "CA-1", -100, 200),
        (b, "osago", "=2+2", 20, 385),
    ]:
        InsuranceFactory(
            car=car, insurance_type=kind, number=number, start_date=day(start), end_date=day(end)
        )
    InspectionFactory(car=a, number="TO-1", inspected_at=day(-355), valid_until=day(10))
    return today


def documents_csv_rows(today: dt.date, language: str) -> list[list[str]]:
    def day(n: int) -> str:
        return f"{today + dt.timedelta(days=n):%Y-%m-%d}"

    if language == "ru":
        return [
            ["Вид", "Госномер", "Тип", "Номер", "Начало", "Окончание", "Статус", "Осталось дней"],
            ["Страховка", "01KG001AAA", "ОСАГО", "OS-1", day(-400), day(-5), "Просрочен", "-5"],
            ["Техосмотр", "01KG001AAA", "Техосмотр", "TO-1", day(-355), day(10), "Истекает", "10"],
            ["Страховка", "01KG002BBB", "КАСКО", "CA-1", day(-100), day(200), "Действует", "200"],
            [
                "Страховка",
                "01KG002BBB",
                "ОСАГО",
                "'=2+2",
                day(20),
                day(385),
                "Ещё не действует",
                "385",
            ],
            ["Итого", "4 документа", "", "", "", "", "", ""],
        ]
    return [
        ["Kind", "Number plate", "Type", "Number", "Start", "End", "Status", "Days left"],
        ["insurance", "01KG001AAA", "osago", "OS-1", day(-400), day(-5), "expired", "-5"],
        ["inspection", "01KG001AAA", "inspection", "TO-1", day(-355), day(10), "expiring", "10"],
        ["insurance", "01KG002BBB", "casco", "CA-1", day(-100), day(200), "active", "200"],
        ["insurance", "01KG002BBB", "osago", "'=2+2", day(20), day(385), "upcoming", "385"],
        ["Total", "4 documents", "", "", "", "", "", ""],
    ]


@pytest.fixture
def reader_in(acme, make_user, client_for):
    """A client of acme for a new guest who reads `language`."""

    def make(language: str) -> CompanyClient:
        return client_for(acme, make_user(acme, Role.GUEST, language=language))

    return make


def download_text(response) -> str:
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


# --- Which language ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("ru", "ru"),
        ("en", "en"),
        ("ky", "ru"),
        ("en-us", "en"),
        ("EN", "en"),
        ("de", "ru"),
        ("", "ru"),
        (None, "ru"),
    ],
)
def test_a_file_is_english_for_english_readers_and_russian_for_everyone_else(code, language):
    assert export_language(code) == language


# --- Direct downloads -----------------------------------------------------------------------------


def test_a_russian_users_fuel_csv_is_in_russian(reader_in, fuel_cars):
    response = reader_in("ru").get(FUEL, {**PETROL_BY_MONTH, "export": "csv"})

    assert response["Content-Disposition"] == (
        'attachment; filename="fuel-consumption_2026-01_2026-02_by-month.csv"'
    )
    assert download_text(response) == FUEL_CSV_RU


def test_a_russian_users_fuel_xlsx_is_in_russian_with_typed_cells(reader_in, fuel_cars):
    response = reader_in("ru").get(FUEL, {**PETROL_BY_MONTH, "export": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="fuel-consumption_2026-01_2026-02_by-month.xlsx"'
    )
    sheet = parse_xlsx(response)
    assert sheet.title == "fuel-consumption_2026-01_2026-0"  # a sheet name has 31 characters
    assert list(sheet.iter_rows(values_only=True)) == [
        ("Месяц", "Литры", "Стоимость", "Пробег, км", "Литры без пробега", "л/100 км"),
        ("2026-01", 40, 2800, 500, 0, 8),
        ("2026-02", 10, 700, 0, 10, None),
        ("Итого", 50, 3500, 500, 10, 8),
    ]
    assert [cell.data_type for cell in sheet[4]] == ["s", "n", "n", "n", "n", "n"]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet["A4"].font.b


FUEL_TYPES_CSV_RU = (
    '\ufeffВид топлива,Литры,Стоимость,"Пробег, км",Литры без пробега,л/100 км\r\n'
    "Дизель,20.00,1500.00,100,0.00,20.00\r\n"
    "Электричество,0.00,0.00,300,0.00,\r\n"
    "Бензин,50.00,3500.00,500,10.00,8.00\r\n"
    "Итого,70.00,5000.00,900,10.00,\r\n"
)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", FUEL_TYPES_CSV_RU),
        # The dictionary names electric cars "Электр" in Kyrgyz: the file is Russian throughout.
        ("ky", FUEL_TYPES_CSV_RU),
        (
            "en",
            '\ufeffFuel type,Liters,Cost,"Mileage, km",Liters without mileage,L/100 km\r\n'
            "Diesel,20.00,1500.00,100,0.00,20.00\r\n"
            "Electric,0.00,0.00,300,0.00,\r\n"
            "Petrol,50.00,3500.00,500,10.00,8.00\r\n"
            "Total,70.00,5000.00,900,10.00,\r\n",
        ),
    ],
)
def test_fuel_types_are_named_from_the_dictionary(reader_in, fuel_cars, language, expected):
    response = reader_in(language).get(FUEL, {**BY_FUEL_TYPE, "export": "csv"})

    assert download_text(response) == expected


def test_the_json_keeps_the_codes(reader_in, fuel_cars):
    body = reader_in("ru").get(FUEL, BY_FUEL_TYPE).json()

    assert [row["fuel_type"] for row in body["rows"]] == ["diesel", "electric", "petrol"]


def test_a_russian_users_documents_have_russian_statuses(reader_in, documents):
    rows = parse_csv(reader_in("ru").get(DOCUMENTS, {"export": "csv"}))

    assert rows == documents_csv_rows(documents, "ru")


def test_a_russian_users_documents_xlsx_has_russian_values_and_typed_cells(reader_in, documents):
    sheet = parse_xlsx(reader_in("ru").get(DOCUMENTS, {"export": "xlsx"}))

    today = documents

    def day(n: int) -> dt.datetime:
        return dt.datetime.combine(today + dt.timedelta(days=n), dt.time())

    assert list(sheet.iter_rows(values_only=True)) == [
        ("Вид", "Госномер", "Тип", "Номер", "Начало", "Окончание", "Статус", "Осталось дней"),
        ("Страховка", "01KG001AAA", "ОСАГО", "OS-1", day(-400), day(-5), "Просрочен", -5),
        ("Техосмотр", "01KG001AAA", "Техосмотр", "TO-1", day(-355), day(10), "Истекает", 10),
        ("Страховка", "01KG002BBB", "КАСКО", "CA-1", day(-100), day(200), "Действует", 200),
        ("Страховка", "01KG002BBB", "ОСАГО", "'=2+2", day(20), day(385), "Ещё не действует", 385),
        ("Итого", "4 документа", None, None, None, None, None, None),
    ]
    assert sheet["E2"].number_format == "yyyy-mm-dd"
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


def test_an_english_users_documents_stay_english(reader_in, documents):
    rows = parse_csv(reader_in("en").get(DOCUMENTS, {"export": "csv"}))

    assert rows == documents_csv_rows(documents, "en")


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_a_kyrgyz_users_file_is_russian(reader_in, fuel_cars, export):
    response = reader_in("ky").get(FUEL, {**PETROL_BY_MONTH, "export": export})

    if export == "csv":
        assert download_text(response) == FUEL_CSV_RU
    else:
        sheet = parse_xlsx(response)
        assert [cell.value for cell in sheet[1]] == [
            "Месяц",
            "Литры",
            "Стоимость",
            "Пробег, км",
            "Литры без пробега",
            "л/100 км",
        ]
        assert [cell.value for cell in sheet[4]] == ["Итого", 50, 3500, 500, 10, 8]


def test_a_kyrgyz_users_documents_are_russian(reader_in, documents):
    rows = parse_csv(reader_in("ky").get(DOCUMENTS, {"export": "csv"}))

    assert rows == documents_csv_rows(documents, "ru")


@pytest.mark.parametrize(
    ("user_language", "header", "expected"),
    [("en", "ru", FUEL_CSV_RU), ("ru", "en", FUEL_CSV_EN), ("en", "ky", FUEL_CSV_RU)],
    ids=["en-user-asks-ru", "ru-user-asks-en", "en-user-asks-ky"],
)
def test_accept_language_overrides_the_users_language(
    reader_in, fuel_cars, user_language, header, expected
):
    client = reader_in(user_language)

    response = client.get(FUEL, {**PETROL_BY_MONTH, "export": "csv"}, HTTP_ACCEPT_LANGUAGE=header)

    assert download_text(response) == expected


def test_a_csv_streamed_after_its_request_keeps_the_requests_language(reader_in, fuel_cars):
    response = reader_in("ru").get(FUEL, {**PETROL_BY_MONTH, "export": "csv"})
    translation.activate("en")  # what the thread speaks once the request is over

    assert download_text(response) == FUEL_CSV_RU


# --- Files built in the background ----------------------------------------------------------------


def build_in_process(company, user, *, report: str, params: dict, file_format: str = "csv"):
    connection.set_tenant(company)
    job = ExportJob.objects.create(
        report=report, format=file_format, params=params, created_by=user
    )
    services.export_job_build(job_id=str(job.pk))
    job.refresh_from_db()
    assert job.status == ExportStatus.SUCCEEDED, job.error
    return job


def stored_text(media_root, job) -> str:
    return (media_root / "acme" / "exports" / f"{job.pk}.{job.format}").read_bytes().decode()


@pytest.mark.parametrize(
    ("user_language", "company_language", "expected"),
    [
        ("ru", "en", FUEL_CSV_RU),
        ("ky", "en", FUEL_CSV_RU),
        ("en", "ru", FUEL_CSV_EN),
        ("", "ru", FUEL_CSV_RU),  # no language of their own: the company's
        ("", "en", FUEL_CSV_EN),
    ],
)
def test_an_export_is_built_in_its_creators_language(
    acme, fuel_cars, make_user, media_root, user_language, company_language, expected
):
    acme.default_language = company_language
    acme.save(update_fields=["default_language"])
    creator = make_user(acme, Role.DISPATCHER, language=user_language)
    # Whatever this process speaks at the moment plays no part.
    translation.activate("en" if expected == FUEL_CSV_RU else "ru")

    job = build_in_process(acme, creator, report="fuel-consumption", params=PETROL_BY_MONTH)

    assert stored_text(media_root, job) == expected
    assert job.file_name == "fuel-consumption_2026-01_2026-02_by-month.csv"


@pytest.fixture
def russian_exporter(acme, worker_media):
    """A committed Russian-speaking dispatcher of acme (acme's default language is English) with
    a client, and a committed car with fuel; removed afterwards with their jobs and files."""

    def setup():
        connection.set_tenant(acme)
        user = UserFactory(company=acme, role=Role.DISPATCHER, language="ru")
        car = CarFactory(numplate="01RUS001", fuel_type="petrol")
        FuelRecordFactory(
            car=car,
            year=2026,
            month=1,
            liters=Decimal("40.00"),
            total_cost=Decimal("2800.00"),
            mileage_km=500,
        )
        return CompanyClient("acme.localhost", user), car.pk

    client, car_id = committed(setup)
    yield client, car_id

    def teardown():
        connection.set_tenant(acme)
        jobs = ExportJob.objects.filter(created_by=client.user)
        for name in jobs.exclude(file="").values_list("file", flat=True):
            (worker_media / "acme" / name).unlink(missing_ok=True)
        jobs.delete()
        FuelRecord.objects.filter(car_id=car_id).delete()
        Car.objects.filter(pk=car_id).delete()
        User.objects.filter(pk=client.user.pk).delete()

    committed(teardown)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_worker_builds_the_file_in_its_creators_language(worker, russian_exporter, file_format):
    client, car_id = russian_exporter
    params = {"from": "2026-01", "to": "2026-02", "group_by": "month", "car": car_id}
    body = {"report": "fuel-consumption", "format": file_format, "params": params}

    # The job is the creator's, whatever the request that queued it spoke.
    response = committed(
        lambda: client.post(EXPORTS, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    )
    assert response.status_code == 202

    job = test_exports.wait_for_job(worker, client, response.json()["id"])
    assert (job["status"], job["error"]) == ("succeeded", "")
    response, content = test_exports.download(job["download_url"])
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="fuel-consumption_2026-01_2026-02_by-month.{file_format}"'
    )
    if file_format == "csv":
        assert content.decode() == (
            '\ufeffМесяц,Литры,Стоимость,"Пробег, км",Литры без пробега,л/100 км\r\n'
            "2026-01,40.00,2800.00,500,0.00,8.00\r\n"
            "2026-02,0.00,0.00,0,0.00,\r\n"
            "Итого,40.00,2800.00,500,0.00,8.00\r\n"
        )
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        assert list(sheet.iter_rows(values_only=True)) == [
            ("Месяц", "Литры", "Стоимость", "Пробег, км", "Литры без пробега", "л/100 км"),
            ("2026-01", 40, 2800, 500, 0, 8),
            ("2026-02", 0, 0, 0, 0, None),
            ("Итого", 40, 2800, 500, 0, 8),
        ]
