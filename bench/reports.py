"""`GET /api/v1/reports/fuel-consumption/` over all 1,200,000 fuel records of the large company,
through the whole Django stack (middleware, JWT, the report's selector, the serializer), against
the same `GROUP BY` the report sends, run by psql (its `\\timing`: the server's work and the
transfer of the rows, without Python). Goal (issue 6): the report within 1.5x of the raw SQL.

`GET /api/v1/reports/compliance/` over the 10,000 cars (about 55,000 rows), as JSON and CSV,
beside its one query run by psql. Goal (issue 12): the answer in under 1 s.

    ./scripts/bench reports                     # both
    ./scripts/bench reports --only compliance   # one of them"""

import argparse
import json
import os
import re
import statistics
import subprocess
import tempfile
import time

from bench import dataset
from bench.common import (
    BENCH_SLUG,
    access_token,
    bench_company,
    django_setup,
    migrate,
    pg_binary,
    print_table,
)

RUNS = 5
GOAL = 1.5
GROUPINGS = ("month", "year", "car")
COMPLIANCE_GOAL_MS = 1000
REPORTS = ("fuel-consumption", "compliance")


def psql_milliseconds(sql: str, runs: int) -> list[float]:
    """Each run's time as psql's `\\timing` reports it."""
    script = f"SET search_path TO {BENCH_SLUG}, public;\n\\timing on\n\\o /dev/null\n"
    script += f"{sql};\n" * runs
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as file:
        file.write(script)
        file.flush()
        out = subprocess.run(
            [
                pg_binary("psql"),
                os.environ["DATABASE_URL"],
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-f",
                file.name,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    return [float(ms) for ms in re.findall(r"Time: ([\d.]+) ms", out)]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench reports")
    parser.add_argument("--only", choices=REPORTS, help="one report (default: both)")
    args, _ = parser.parse_known_args(argv)  # the other benchmarks' options are theirs
    django_setup()
    from django.db import connection
    from django.test import Client

    migrate()
    connection.set_tenant(bench_company())
    dataset.seed()
    token = access_token()
    client = Client(HTTP_HOST=f"{BENCH_SLUG}.localhost", HTTP_AUTHORIZATION=f"Bearer {token}")

    misses = 0
    if args.only in (None, "fuel-consumption"):
        misses += fuel_consumption(client)
    if args.only in (None, "compliance"):
        dataset.seed_compliance()
        misses += compliance(client)
    return misses


def fuel_consumption(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    table, misses = [], 0
    for group_by in GROUPINGS:
        params = {"from": dataset.FIRST_MONTH, "to": "2026-12", "group_by": group_by}
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/reports/fuel-consumption/", params)
        assert response.status_code == 200, response.content[:300]
        totals = response.json()["totals"]
        assert totals["mileage_km"] > 0, totals
        group_sql = [q["sql"] for q in queries if "GROUP BY" in q["sql"]]
        assert len(group_sql) == 1, group_sql

        # Alternated, so that a slower spell of the machine weighs on both sides alike.
        ours, raw = [], []
        for _ in range(RUNS):
            started = time.perf_counter()
            client.get("/api/v1/reports/fuel-consumption/", params)
            ours.append((time.perf_counter() - started) * 1000)
            raw += psql_milliseconds(group_sql[0], 1)
        ours_ms, raw_ms = statistics.median(ours), statistics.median(raw)
        ratio = ours_ms / raw_ms
        misses += ratio > GOAL
        table.append(
            [
                f"group_by={group_by}",
                str(len(response.json()["rows"])),
                f"{ours_ms:.0f}",
                f"{raw_ms:.0f}",
                f"{ratio:.2f}x (goal <= {GOAL}x)",
                "ok" if ratio <= GOAL else "MISS",
            ]
        )
    print_table(
        f"GET /api/v1/reports/fuel-consumption/ over {dataset.FUEL_RECORDS:,} fuel records "
        f"(median of {RUNS}, ms)",
        ["report", "rows", "API ms", "psql ms", "ratio", ""],
        table,
    )
    return misses


def _get_ms(client, url: str, params: dict) -> tuple[float, object]:
    """The time of a request until its whole body is read (a CSV is streamed)."""
    started = time.perf_counter()
    response = client.get(url, params)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, body[:300]
    return elapsed, body


def compliance(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = "/api/v1/reports/compliance/"
    table, misses = [], 0
    for label, params in (
        ("all, JSON", {}),
        ("status=expiring, JSON", {"status": "expiring"}),
        ("all, CSV", {"export": "csv"}),
    ):
        with CaptureQueriesContext(connection) as queries:
            _, body = _get_ms(client, url, params)
        if params.get("export") == "csv":
            rows = body.count(b"\n") - 2  # the header and the totals
        else:
            rows = len(json.loads(body)["rows"])
        (sql,) = [q["sql"] for q in queries if "WITH clock" in q["sql"]]

        ours, raw = [], []
        for _ in range(RUNS):
            ours.append(_get_ms(client, url, params)[0])
            raw += psql_milliseconds(sql, 1)
        ours_ms, raw_ms = statistics.median(ours), statistics.median(raw)
        misses += ours_ms >= COMPLIANCE_GOAL_MS
        table.append(
            [
                label,
                f"{rows:,}",
                f"{ours_ms:.0f}",
                f"{raw_ms:.0f}",
                f"{ours_ms / raw_ms:.2f}x",
                f"goal < {COMPLIANCE_GOAL_MS} ms: "
                + ("ok" if ours_ms < COMPLIANCE_GOAL_MS else "MISS"),
            ]
        )
    print_table(
        f"GET {url} over {dataset.CARS:,} cars (median of {RUNS}, ms)",
        ["report", "rows", "API ms", "psql ms", "ratio", ""],
        table,
    )
    return misses
