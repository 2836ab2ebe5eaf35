"""Tenancy at scale, in two databases of their own on the same server:
`<database>_tenants0` (made afresh each run: no company) and `<database>_tenants` (1,000
companies, made once and kept in .data/bench; the first run spends a few minutes on it).

- `create_company` (the service: validation, schema, domain, admin) with 0 and with 1,000 other
  companies: from a spare schema (the default when the pool has one), by cloning the template
  (the pool is empty) and by running every migration (TENANT_CREATION_FAKES_MIGRATIONS=false).
  The schema step and the admin's password hash (PBKDF2, before the transaction) are shown apart.
  Refilling the pool is a worker's job and is not timed.
- A deploy's migration step over 1,000 companies, with nothing pending and with one new
  migration (bench/newapp, installed by BENCH_NEW_MIGRATION=1): `manage.py deploy_migrations`
  against stock `migrate_schemas` with its standard and its multiprocessing executor. Each is
  the whole command, as a deploy runs it (Django's start-up included, for every side). Stock
  runs are stopped after STOCK_BUDGET_SECONDS and extrapolated from their progress, unless
  `--full`.

The 1,000 background companies are not what is measured: their rows are bulk-inserted and their
schemas made by replaying the template's DDL (pg_dump) in two connections, quicker than 1,000
clones. A test (tests/companies/test_provisioning.py) proves a clone equals a migrated schema.

Goals (issue 6): create_company under 0.5 s at 1,000 companies; a deploy with nothing pending
over 1,000 companies under 10 s."""

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.common import in_fresh_process, pg_binary, print_table

COMPANIES = 1_000
CREATE_RUNS = {"spare": 3, "clone": 2, "migrations": 2}
NEW_PREFIX = "new"  # slugs of the companies the measurements create (removed afterwards)
CREATE_GOAL_SECONDS = 0.5
DEPLOY_GOAL_SECONDS = 10.0
# Stock migrate_schemas visits every schema (~0.25 s each here at 1,000 companies): it is stopped
# after this long and its time extrapolated from the schemas it reached, unless --full.
STOCK_BUDGET_SECONDS = 30
# Schemas per transaction when making the background companies: each holds a lock on every table
# and index it creates until its commit (~150 a schema), within PostgreSQL's lock slots.
BATCH = 10
ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "bench.server.settings"


def tenants_url(suffix: str = "_tenants") -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"{parts.path}{suffix}"))


EMPTY = "_tenants0"


def _admin_connection():
    import psycopg

    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)


def _database(suffix: str) -> str:
    return urlsplit(tenants_url(suffix)).path.lstrip("/")


def database_exists(suffix: str) -> bool:
    with _admin_connection() as conn:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        return conn.execute(query, [_database(suffix)]).fetchone() is not None


def fresh_database(suffix: str) -> None:
    drop_database(suffix)
    with _admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{_database(suffix)}"')


def drop_database(suffix: str) -> None:
    with _admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{_database(suffix)}" WITH (FORCE)')


def _env(suffix: str = "_tenants", **extra: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": tenants_url(suffix),
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DEBUG": "off",
        **extra,
    }


def in_child(suffix: str, target, *args, **env: str):
    """`target(*args, queue)` in a fresh process on a tenants database; what it puts in the
    queue."""
    return in_fresh_process(target, *args, env=_env(suffix, **env))


# --- create_company, in a fresh process with the tenants database -------------------------------


def _create_companies(prefix: str, mode: str, queue) -> None:
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password

    from shared_apps.companies import provisioning
    from shared_apps.companies.models import Company
    from shared_apps.companies.services import company_create

    schema_seconds = []
    original = Company.create_schema

    def timed_create_schema(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            schema_seconds.append(time.perf_counter() - started)

    Company.create_schema = timed_create_schema
    make_password("warm-up")  # the hasher's first use loads it
    provisioning.spares_refill(size=0)  # drops spares of other migrations
    totals = []
    for i in range(CREATE_RUNS[mode]):
        # A worker keeps the pool full between sign-ups; here, before each one, untimed.
        provisioning.spares_refill(size=1 if mode == "spare" else 0)
        for spare in [] if mode == "spare" else provisioning.spare_schemas():
            provisioning.spare_claim(f"{prefix}_unused_{spare[-8:]}")  # empty the pool
        started = time.perf_counter()
        company_create(
            slug=f"{prefix}{i}",
            name=f"New company {i}",
            admin_username=f"{prefix}{i}-boss",
            admin_password="Bench-pass-2026!",
        )
        totals.append(time.perf_counter() - started)
    started = time.perf_counter()
    make_password("Bench-pass-2026!")
    queue.put((totals, schema_seconds, time.perf_counter() - started))


def create_company(suffix: str, mode: str) -> tuple[float, float, float]:
    """Median seconds of the whole service and of its schema step, and one password hash."""
    totals, schema_seconds, password_hash = in_child(
        suffix,
        _create_companies,
        f"{NEW_PREFIX}{mode[0]}",
        mode,
        TENANT_CREATION_FAKES_MIGRATIONS="false" if mode == "migrations" else "true",
        TENANT_SPARE_SCHEMAS="0",
    )
    return statistics.median(totals), statistics.median(schema_seconds), password_hash


def remove_new_companies(suffix: str) -> None:
    """Drop what the create_company measurements made (and the schemas they set aside)."""
    import psycopg

    with psycopg.connect(tenants_url(suffix)) as conn:
        companies = conn.execute(
            "SELECT id, schema_name FROM public.companies_company WHERE slug LIKE %s",
            [f"{NEW_PREFIX}%"],
        ).fetchall()
        ids = [company_id for company_id, _ in companies]
        leftovers = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", [f"{NEW_PREFIX}%"]
        ).fetchall()
        for schema in {name for _, name in companies} | {name for (name,) in leftovers}:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        # Every company schema has foreign keys to the users table: deleting a user checks a
        # thousand schemas (and runs out of locks). These admins are referenced by nothing.
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute("DELETE FROM public.accounts_user WHERE company_id = ANY(%s)", [ids])
        conn.execute("DELETE FROM public.companies_domain WHERE tenant_id = ANY(%s)", [ids])
        conn.execute("DELETE FROM public.companies_company WHERE id = ANY(%s)", [ids])


# --- 1,000 background companies -------------------------------------------------------------------


def _insert_company_rows(count: int, queue) -> None:
    import django

    django.setup()
    from django.conf import settings

    from shared_apps.companies.models import Company, Domain

    companies = Company.objects.bulk_create(
        Company(schema_name=f"bg{i:04d}", slug=f"bg{i:04d}", name=f"Background {i}")
        for i in range(count)
    )
    Domain.objects.bulk_create(
        Domain(domain=f"{c.slug}.{settings.BASE_DOMAIN}", tenant=c, is_primary=True)
        for c in companies
    )
    queue.put(len(companies))


def _replay(ddl: str, schemas: list[str], suffix: str, failures: list) -> None:
    try:
        _replay_schemas(ddl, schemas, suffix)
    except Exception as exc:  # told by the main thread: never half a set of companies
        failures.append(exc)


def _replay_schemas(ddl: str, schemas: list[str], suffix: str) -> None:
    import psycopg

    with psycopg.connect(tenants_url(suffix)) as conn:
        for first in range(0, len(schemas), BATCH):
            for schema in schemas[first : first + BATCH]:
                conn.execute(
                    ddl.replace("SCHEMA template", f"SCHEMA {schema}").replace(
                        "template.", f"{schema}."
                    )
                )
                conn.execute(
                    f"INSERT INTO {schema}.django_migrations (app, name, applied) "
                    "SELECT app, name, applied FROM template.django_migrations"
                )
            conn.commit()


def background_companies(count: int, suffix: str = "_tenants") -> float:
    """`count` companies whose schemas are copies of the template, in the `suffix` database;
    seconds taken."""
    started = time.perf_counter()
    in_child(suffix, _insert_company_rows, count)
    dump = subprocess.run(
        [
            pg_binary("pg_dump"),
            tenants_url(suffix),
            "--schema=template",
            "--schema-only",
            "--no-owner",
            "--no-privileges",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ddl = "\n".join(line for line in dump.splitlines() if not line.startswith("\\"))
    schemas = [f"bg{i:04d}" for i in range(count)]
    # Two connections: PostgreSQL's work, on both cores.
    failures: list[Exception] = []
    halves = [
        threading.Thread(target=_replay, args=(ddl, schemas[i::2], suffix, failures))
        for i in (0, 1)
    ]
    for thread in halves:
        thread.start()
    for thread in halves:
        thread.join()
    if failures:
        drop_database(suffix)  # made again from scratch by the next run
        raise RuntimeError(f"making the background companies failed: {failures[0]}")
    return time.perf_counter() - started


def background_count(suffix: str = "_tenants") -> int:
    import psycopg

    with psycopg.connect(tenants_url(suffix)) as conn:
        query = "SELECT count(*) FROM public.companies_company WHERE slug LIKE 'bg%%'"
        return conn.execute(query).fetchone()[0]


# --- Deploys ------------------------------------------------------------------------------------


def forget_new_migration() -> None:
    """Undo bench/newapp's migration everywhere, so that the next deploy finds it pending."""
    import psycopg

    with psycopg.connect(tenants_url(), autocommit=True) as conn:
        schemas = [
            row[0]
            for row in conn.execute(
                "SELECT schema_name FROM public.companies_company UNION SELECT 'template'"
            )
        ]
        with conn.transaction():
            for schema in schemas:
                conn.execute(f"DROP TABLE IF EXISTS {schema}.bench_newapp_note")
                conn.execute(f"DELETE FROM {schema}.django_migrations WHERE app = 'bench_newapp'")
            conn.execute("DELETE FROM public.django_migrations WHERE app = 'bench_newapp'")


DEPLOYS = {
    "deploy_migrations": ("deploy_migrations", "--processes=2"),
    "migrate_schemas (standard)": ("migrate_schemas", "--executor=standard"),
    "migrate_schemas (multiprocessing)": ("migrate_schemas", "--executor=multiprocessing"),
}
PROGRESS = re.compile(r"\[(\d+)/(\d+) \(")  # django-tenants' "[12/1005 (1%) standard:bg0011]"


@dataclass(frozen=True)
class Deploy:
    seconds: float
    finished: bool = True
    started: int = 0  # schemas started when it was stopped
    schemas: int = 0

    def __str__(self) -> str:
        if self.finished:
            return f"{self.seconds:.1f}"
        done = max(self.started - 1, 1)
        estimate = self.seconds * self.schemas / done
        return (
            f"~{estimate:.0f} (stopped at {self.started}/{self.schemas} after {self.seconds:.0f} s)"
        )


def deploy(
    command: tuple[str, ...], budget: float | None, suffix: str = "_tenants", **env: str
) -> Deploy:
    """Run a migration command; with a budget, stop it then and extrapolate from its progress."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=_env(suffix, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    progress = [0, 0]

    def read() -> None:
        for line in process.stdout:
            if match := PROGRESS.search(line):
                progress[:] = [max(progress[0], int(match[1])), int(match[2])]

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        process.wait(timeout=budget)
    except subprocess.TimeoutExpired:
        seconds = time.perf_counter() - started
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return Deploy(seconds, finished=False, started=progress[0], schemas=progress[1])
    reader.join()
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)} failed with {process.returncode}")
    return Deploy(time.perf_counter() - started)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench tenants")
    parser.add_argument(
        "--full",
        action="store_true",
        help=f"run stock migrate_schemas to the end (default: stop it after "
        f"{STOCK_BUDGET_SECONDS} s and extrapolate from its progress)",
    )
    args = parser.parse_args(argv)
    misses = 0
    create_rows = []

    def measure_creates(suffix: str, existing: str) -> None:
        nonlocal misses
        remove_new_companies(suffix)
        for mode in CREATE_RUNS:
            total, schema, password_hash = create_company(suffix, mode)
            ok = mode != "spare" or existing == "0" or total < CREATE_GOAL_SECONDS
            misses += not ok
            goal = f"< {CREATE_GOAL_SECONDS} s" if mode == "spare" and existing != "0" else ""
            create_rows.append(
                [
                    existing,
                    mode,
                    f"{total:.3f}",
                    f"{schema:.3f}",
                    f"{password_hash:.3f}",
                    goal,
                    "" if not goal else "ok" if ok else "MISS",
                ]
            )
            print(f"create_company at {existing}, {mode}: {total:.3f} s", flush=True)
        remove_new_companies(suffix)

    fresh_database(EMPTY)
    deploy(("deploy_migrations",), None, suffix=EMPTY)  # the public schema and the template
    measure_creates(EMPTY, "0")
    drop_database(EMPTY)

    started = time.perf_counter()
    if not database_exists("_tenants"):
        fresh_database("_tenants")
    deploy(("deploy_migrations",), None)  # up to date with the code, whatever it was before
    forget_new_migration()
    if background_count() != COMPANIES:
        fresh_database("_tenants")
        deploy(("deploy_migrations",), None)
        background_companies(COMPANIES)
    print(
        f"{COMPANIES:,} companies ready in {time.perf_counter() - started:.0f} s "
        "(made once, kept in .data/bench).",
        flush=True,
    )
    measure_creates("_tenants", f"{COMPANIES:,}")
    print_table(
        "create_company (median seconds; the schema step and one password hash apart)",
        ["companies", "schema from", "total s", "schema s", "password hash s", "goal", ""],
        create_rows,
    )

    deploy_rows = []
    for label, command in DEPLOYS.items():
        ours = label == "deploy_migrations"
        budget = None if ours or args.full else STOCK_BUDGET_SECONDS
        nothing = deploy(command, budget)
        forget_new_migration()
        one_new = deploy(command, budget, BENCH_NEW_MIGRATION="1")
        forget_new_migration()
        ok = not ours or nothing.seconds < DEPLOY_GOAL_SECONDS
        misses += not ok
        deploy_rows.append(
            [
                label,
                str(nothing),
                str(one_new),
                f"< {DEPLOY_GOAL_SECONDS:.0f} s (nothing pending)" if ours else "",
                ("ok" if ok else "MISS") if ours else "",
            ]
        )
        print(f"{label}: {nothing} / {one_new}", flush=True)
    print_table(
        f"Deploy over {COMPANIES:,}+ companies (whole command, seconds)",
        ["command", "nothing pending s", "one new migration s", "goal", ""],
        deploy_rows,
    )
    return misses
