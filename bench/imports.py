"""Importing fuel records from XLSX and CSV through the real code path (an `ImportJob` run by
`services.import_job_run`, as the Celery worker runs it: every row checked, then written), next
to two baselines measured in the same run on the same rows:

- PostgreSQL's `COPY ... FROM STDIN` of the same rows (car ids already known): the floor;
- the same rows posted one by one to `POST /api/v1/fuel-records/` through the whole Django stack
  (in process, no network), timed over a sample and scaled: how a company would move in without
  an import.

Goals: within 10x of COPY, peak memory under 300 MB. An XLSX sheet is parsed by a child process
of the import's (`reading._xlsx_rows`): its peak, measured on its own, is added to the
import's. The rows go into a company of their own (`bench-import`, 1,000 cars and no other
records), emptied before each measurement."""

import argparse
import csv
import datetime as dt
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from bench.common import (
    access_token,
    bench_company,
    django_setup,
    in_fresh_process,
    migrate,
    peak_resident_mb,
    print_table,
)

SLUG = "bench-import"
CARS = 1_000
DEFAULT_ROWS = 100_000
REST_SAMPLE = 1_000
RATIO_GOAL = 10.0
PEAK_MB_GOAL = 300
HEADER = ["Number plate", "Month", "Liters", "Cost", "Mileage, km"]


def import_company():
    from django.db import connection

    from tenant_apps.fleet.models import Car

    company = bench_company(SLUG, "Import benchmark LLC", "import-boss")
    connection.set_tenant(company)
    if Car.objects.count() != CARS:
        Car.objects.all().delete()
        Car.objects.bulk_create(
            Car(
                numplate=numplate(n),
                title="Nexia",
                brand="daewoo",
                region="bishkek",
                vehicle_type="car",
                fuel_type="petrol",
                year=2015,
            )
            for n in range(CARS)
        )
    return company


def numplate(n: int) -> str:
    return f"01IM{n:04d}"


def rows(count: int):
    """`count` fuel rows: every car, month after month from January 2010."""
    for i in range(count):
        car, months = i % CARS, i // CARS
        month = dt.date(2010 + months // 12, months % 12 + 1, 1)
        yield (numplate(car), f"{month:%Y-%m}", Decimal("40.50"), Decimal("2835.00"), 400 + car)


def write_files(count: int, folder: Path) -> dict[str, Path]:
    import xlsxwriter

    paths = {"csv": folder / "fuel.csv", "xlsx": folder / "fuel.xlsx"}
    with paths["csv"].open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows(count))
    workbook = xlsxwriter.Workbook(str(paths["xlsx"]), {"constant_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    for r, (plate, month, liters, cost, km) in enumerate(rows(count), start=1):
        sheet.write_string(r, 0, plate)
        sheet.write_string(r, 1, month)
        sheet.write_number(r, 2, liters)
        sheet.write_number(r, 3, cost)
        sheet.write_number(r, 4, km)
    workbook.close()
    return paths


def empty_fuel_records() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE fleet_fuelrecord")


def _in_company(target, args, queue) -> None:
    django_setup()
    import_company()
    empty_fuel_records()
    started = time.perf_counter()
    count, seconds = target(*args)
    seconds = seconds if seconds is not None else time.perf_counter() - started
    queue.put((count, seconds, peak_resident_mb()))


def measure(target, *args) -> tuple[int, float, float]:
    """`target(*args)` in a fresh process, in the import company with no fuel records:
    (rows, seconds, peak MB)."""
    return in_fresh_process(_in_company, target, args)


def real_import(path: str, file_format: str) -> tuple[int, None]:
    from django.core.files import File

    from shared_apps.accounts.models import User
    from tenant_apps.fleet.models import FuelRecord
    from tenant_apps.imports import services
    from tenant_apps.imports.models import ImportJob

    job = ImportJob(
        entity="fuel-records",
        format=file_format,
        dry_run=False,
        file_name=Path(path).name,
        created_by=User.objects.get(username="import-boss"),
    )
    with open(path, "rb") as source:
        job.file.save(f"{job.pk}.{file_format}", File(source), save=False)
    job.save(force_insert=True)
    job = services.import_job_run(job_id=str(job.pk))
    assert (job.status, job.errors) == ("succeeded", []), (job.error, job.errors[:3])
    assert job.created == FuelRecord.objects.count(), (job.created, FuelRecord.objects.count())
    return job.created, None


def xlsx_reader_peak_mb(path: str) -> float:
    """The peak memory of the child process that parses an XLSX sheet for the import, run on
    its own on the same file (the import's process counts only itself)."""
    import subprocess
    import sys

    code = (
        "import runpy, sys\n"
        "runpy.run_module('tenant_apps.imports.xlsx_process', run_name='__main__')\n"
        "status = open('/proc/self/status').read().split('VmHWM:')[1]\n"
        "print(int(status.split()[0]) / 1024, file=sys.stderr)\n"
    )
    with open(path, "rb") as sheet:
        done = subprocess.run(
            [sys.executable, "-c", code],
            stdin=sheet,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=Path(__file__).resolve().parents[1],
            check=True,
        )
    return float(done.stderr.split()[-1])


def copy_floor(count: int) -> tuple[int, None]:
    from django.db import connection

    from tenant_apps.fleet.models import Car

    cars = dict(Car.objects.values_list("numplate", "pk"))
    now = dt.datetime.now(dt.UTC)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            "COPY fleet_fuelrecord (car_id, year, month, liters, total_cost, mileage_km,"
            " created_at, updated_at) FROM STDIN"
        ) as copy,
    ):
        for plate, month, liters, cost, km in rows(count):
            year, month_of_year = month.split("-")
            copy.write_row((cars[plate], int(year), int(month_of_year), liters, cost, km, now, now))
    return count, None


def rest_one_by_one(count: int) -> tuple[int, float]:
    """POST the first `count` rows one by one as the frontend would, through the whole stack;
    (rows, seconds)."""
    from django.test import Client

    from tenant_apps.fleet.models import Car

    cars = dict(Car.objects.values_list("numplate", "pk"))
    token = access_token("import-boss")
    client = Client(HTTP_HOST=f"{SLUG}.localhost", HTTP_AUTHORIZATION=f"Bearer {token}")
    started = time.perf_counter()
    for plate, month, liters, cost, km in rows(count):
        year, month_of_year = month.split("-")
        body = {
            "car": cars[plate],
            "year": int(year),
            "month": int(month_of_year),
            "liters": str(liters),
            "total_cost": str(cost),
            "mileage_km": km,
        }
        response = client.post("/api/v1/fuel-records/", body, content_type="application/json")
        assert response.status_code == 201, response.content
    return count, time.perf_counter() - started


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench imports")
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    args = parser.parse_args(argv)
    django_setup()
    migrate()
    import_company()

    table, misses = [], 0
    with tempfile.TemporaryDirectory() as folder:
        paths = write_files(args.rows, Path(folder))
        floor_rows, floor_seconds, floor_peak = measure(copy_floor, args.rows)
        sample = min(REST_SAMPLE, args.rows)
        rest_rows, rest_sample_seconds, _peak = measure(rest_one_by_one, sample)
        rest_seconds = rest_sample_seconds * args.rows / rest_rows
        for file_format in ("xlsx", "csv"):
            count, seconds, peak = measure(real_import, str(paths[file_format]), file_format)
            if file_format == "xlsx":
                peak += xlsx_reader_peak_mb(str(paths[file_format]))
            assert count == floor_rows == args.rows, (count, floor_rows, args.rows)
            ratio = seconds / floor_seconds
            ok = ratio <= RATIO_GOAL and peak < PEAK_MB_GOAL
            misses += not ok
            table.append(
                [
                    f"{args.rows:,}",
                    file_format,
                    f"{seconds:.1f}",
                    f"{count / seconds:,.0f}",
                    f"{peak:.0f}",
                    f"{floor_seconds:.2f} ({floor_peak:.0f} MB)",
                    f"{ratio:.1f}x (goal {RATIO_GOAL:.0f}x, <{PEAK_MB_GOAL} MB)",
                    f"{rest_seconds:.0f} ({rest_seconds / seconds:.1f}x slower)",
                    "ok" if ok else "MISS",
                ]
            )
    print_table(
        "Import of fuel records: the real code path against COPY and against the REST API",
        [
            "rows",
            "file",
            "ours s",
            "ours rows/s",
            "ours peak MB",
            "COPY s",
            "ratio to COPY",
            f"REST one by one s (from {REST_SAMPLE:,})",
            "",
        ],
        table,
    )
    return misses
