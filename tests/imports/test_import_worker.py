"""A real Celery worker imports a 10,000-row sheet in the company's schema, all or nothing.
The sheet, the user and the cars are committed (the worker has its own connection) and removed
afterwards."""

import time

import pytest
from django.db import connection

from shared_apps.accounts.models import User
from shared_apps.accounts.roles import Role
from tenant_apps.fleet.models import Car, FuelRecord
from tenant_apps.imports.models import ImportJob
from tests.conftest import CompanyClient
from tests.factories import CarFactory, UserFactory
from tests.imports.test_imports import IMPORTS, csv_bytes, xlsx_bytes
from tests.reports.test_exports import worker, worker_media  # noqa: F401 - fixtures
from tests.threads import committed

CARS = 100
MONTHS = 100  # 100 cars × 100 months: 10,000 rows


@pytest.fixture
def importer(acme, worker_media):  # noqa: F811 - the fixture
    def setup():
        connection.set_tenant(acme)
        user = UserFactory(company=acme, role=Role.ACCOUNTANT)
        cars = [CarFactory(numplate=f"01IMP{n:03d}") for n in range(CARS)]
        return CompanyClient("acme.localhost", user), [car.pk for car in cars]

    client, car_ids = committed(setup)
    yield client

    def teardown():
        connection.set_tenant(acme)
        ImportJob.objects.filter(created_by=client.user).delete()
        FuelRecord.objects.filter(car_id__in=car_ids).delete()
        Car.objects.filter(pk__in=car_ids).delete()
        User.objects.filter(pk=client.user.pk).delete()

    committed(teardown)


def ledger(*, cars: int = CARS, bad_row: int | None = None) -> list[list]:
    rows = [["Number plate", "Month", "Liters", "Cost", "Mileage, km"]]
    for car in range(cars):
        for month in range(MONTHS):
            year, month_of_year = 2010 + month // 12, month % 12 + 1
            rows.append([f"01IMP{car:03d}", f"{year}-{month_of_year:02d}", 40, 2800, 400 + car])
    if bad_row is not None:
        rows[bad_row - 1][2] = "forty"
    return rows


def import_and_wait(worker, client, content: bytes, name: str, timeout: float = 120) -> dict:  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    def post():
        file = SimpleUploadedFile(name, content)
        return client.post(
            IMPORTS, {"file": file, "entity": "fuel-records", "dry_run": False}, format="multipart"
        )

    response = committed(post)
    assert response.status_code == 202, response.json()
    job_id = response.json()["id"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"{IMPORTS}{job_id}/").json()
        if body["status"] in ("succeeded", "failed"):
            return body
        time.sleep(0.2)
    pytest.fail(f"The import is still {body['status']} after {timeout} s:\n{worker.output()}")


def test_a_worker_imports_10000_rows_from_xlsx(worker, importer, in_acme):  # noqa: F811
    job = import_and_wait(worker, importer, xlsx_bytes(ledger()), "ledger.xlsx")

    assert (job["status"], job["rows"], job["created"], job["updated"]) == (
        "succeeded",
        10_000,
        10_000,
        0,
    )
    assert (job["errors"], job["progress"]) == ([], 100)
    records = FuelRecord.objects.filter(car__numplate__startswith="01IMP")
    assert records.count() == 10_000
    assert sum(records.values_list("mileage_km", flat=True)) == MONTHS * sum(
        400 + c for c in range(CARS)
    )
    job_row = ImportJob.objects.get(pk=job["id"])
    assert not job_row.file  # the uploaded file is not kept


def test_one_bad_row_near_the_end_writes_nothing(worker, importer, in_acme):  # noqa: F811
    """2,500 rows: the refused one is in the third chunk of look-ups, after 2,398 good rows
    were written (and are undone)."""
    sheet = csv_bytes(ledger(cars=25, bad_row=2_400))

    job = import_and_wait(worker, importer, sheet, "ledger.csv")

    # The other 2,499 rows would be created; they are not, for the refused one.
    assert (job["status"], job["created"], job["updated"]) == ("succeeded", 2_499, 0)
    assert job["errors"] == [
        {
            "row": 2_400,
            "column": "Liters",
            "code": "invalid",
            "detail": "A valid number is required.",
        }
    ]
    assert not FuelRecord.objects.filter(car__numplate__startswith="01IMP").exists()
