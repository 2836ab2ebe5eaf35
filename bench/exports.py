"""Exporting fuel records to CSV and XLSX through the real code path (an `ExportJob` built by
`services.export_job_build`, as the Celery worker does), next to two floors measured in the same
run on the same rows:

- CSV: PostgreSQL's own `COPY (SELECT ...) TO STDOUT WITH CSV`;
- XLSX: a bare xlsxwriter `constant_memory` loop writing the same typed cells from rows that are
  already in memory (their fetch is not timed).

Goals (issue 4): CSV within 3x of COPY, XLSX within 1.25x of the bare loop, peak memory of the
real path under 150 MB at every size."""

import argparse
import tempfile
import time

from bench import dataset
from bench.common import bench_company, django_setup, measure, migrate, print_table

SIZES = {100_000: "2026-03", 1_000_000: "2018-09"}  # rows → first month of the export
DEFAULT_ROWS = [1_000_000]  # --rows 100000 for the smaller size too
GOALS = {"csv": 3.0, "xlsx": 1.25}
PEAK_MB_GOAL = 150

LEDGER_SQL = """
    SELECT c.numplate, to_char(f.period, 'YYYY-MM'), f.liters, f.total_cost, f.mileage_km,
           round(f.liters * 100 / NULLIF(COALESCE(m.mileage_km, f.mileage_km), 0), 2)
    FROM fleet_fuelrecord f JOIN fleet_car c ON c.id = f.car_id
    LEFT JOIN fleet_monthlymileage m ON m.car_id = f.car_id AND m.month = f.period
    WHERE f.period >= %s
    ORDER BY f.period, c.numplate
"""


def real_export(file_format: str, first_month: str) -> int:
    from shared_apps.accounts.models import User
    from tenant_apps.reports import services
    from tenant_apps.reports.models import ExportJob, ExportStatus

    job = ExportJob.objects.create(
        report="fuel-records",
        format=file_format,
        params={"from": first_month},
        created_by=User.objects.get(username="bench-boss"),
    )
    job = services.export_job_build(job_id=str(job.pk))
    assert job.status == ExportStatus.SUCCEEDED, job.error
    job.file.delete(save=False)
    return job.rows


def copy_floor(first_month: str) -> int:
    from django.db import connection

    rows = 0
    with tempfile.TemporaryFile() as out, connection.cursor() as cursor:
        sql = cursor.mogrify(LEDGER_SQL, [f"{first_month}-01"])
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
            for chunk in copy:
                out.write(chunk)
                rows += bytes(chunk).count(b"\n")
    return rows - 1


def xlsx_floor(first_month: str) -> tuple[int, float]:
    import xlsxwriter
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(LEDGER_SQL, [f"{first_month}-01"])
        rows = cursor.fetchall()
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
        sheet = workbook.add_worksheet()
        decimal = workbook.add_format({"num_format": "#,##0.00"})
        integer = workbook.add_format({"num_format": "#,##0"})
        for r, (numplate, month, liters, cost, km, consumption) in enumerate(rows, start=1):
            sheet.write_string(r, 0, numplate)
            sheet.write_string(r, 1, month)
            sheet.write_number(r, 2, liters, decimal)
            sheet.write_number(r, 3, cost, decimal)
            sheet.write_number(r, 4, km, integer)
            if consumption is not None:
                sheet.write_number(r, 5, consumption, decimal)
        workbook.close()
    return len(rows), time.perf_counter() - started


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench exports")
    parser.add_argument(
        "--rows", type=int, choices=sorted(SIZES), action="append", help="default: 1000000"
    )
    args = parser.parse_args(argv)
    django_setup()
    from django.db import connection

    migrate()
    connection.set_tenant(bench_company())
    dataset.seed()

    table, misses = [], 0
    for rows in args.rows or DEFAULT_ROWS:
        first_month = SIZES[rows]
        for file_format, floor in (("csv", copy_floor), ("xlsx", xlsx_floor)):
            ours = measure(real_export, file_format, first_month)
            base = measure(floor, first_month)
            assert ours.rows == base.rows == rows, (ours.rows, base.rows, rows)
            ratio = ours.seconds / base.seconds
            ok = ratio <= GOALS[file_format] and ours.peak_mb < PEAK_MB_GOAL
            misses += not ok
            table.append(
                [
                    f"{rows:,}",
                    file_format,
                    f"{ours.seconds:.2f}",
                    f"{ours.rows_per_second:,.0f}",
                    f"{ours.peak_mb:.0f}",
                    "COPY" if file_format == "csv" else "bare xlsxwriter",
                    f"{base.seconds:.2f}",
                    f"{base.rows_per_second:,.0f}",
                    f"{base.peak_mb:.0f}",
                    f"{ratio:.2f}x (goal {GOALS[file_format]}x, <{PEAK_MB_GOAL} MB)",
                    "ok" if ok else "MISS",
                ]
            )
    print_table(
        "Export of fuel records: the real code path against its floor",
        [
            "rows",
            "format",
            "ours s",
            "ours rows/s",
            "ours peak MB",
            "floor",
            "floor s",
            "floor rows/s",
            "floor peak MB",
            "ratio",
            "",
        ],
        table,
    )
    return misses
