"""Tenancy at scale, in two databases of their own on the same server:
`<database>_tenants0` (made afresh each run: no company) and `<database>_tenants` (1,000
companies, or `<database>_tenants<N>` for `--companies N`; made once and kept in .data/bench).

- `create_company` (the service: validation, schema, domain, admin) with 0 and with N other
  companies: from a spare schema (the default when the pool has one), by replaying the
  template's DDL (the pool is empty) and by running every migration
  (TENANT_CREATION_FAKES_MIGRATIONS=false). The schema step and the admin's password hash
  (PBKDF2, before the transaction) are shown apart. Refilling the pool is a worker's job and is
  not timed.
- A deploy's migration step over N companies (skipped with `--skip-deploys`), with nothing
  pending and with one new migration (bench/newapp, installed by BENCH_NEW_MIGRATION=1):
  `manage.py deploy_migrations` against stock `migrate_schemas` with its standard and its
  multiprocessing executor. Each is the whole command, as a deploy runs it (Django's start-up
  included, for every side). Stock runs are stopped after STOCK_BUDGET_SECONDS and
  extrapolated from their progress, unless `--full`.

- Deleting a user of a company (the ORM's delete), which no company schema's table locks any more
  (no foreign key into the users table).

The background companies are not what is measured: their rows are bulk-inserted and their
schemas made by provisioning's own replay of the template's DDL (`replay.schema_ddl`), several
schemas a round trip in two connections, the server checkpointing less meanwhile (~16 a second
on 2 cores). Tests (tests/companies/test_provisioning.py) prove a replayed schema equals a
migrated one.

Goals (issues 6 and 18): create_company under 0.5 s at N companies, from a spare and with the
pool empty; a deploy over N companies under 10 s with nothing pending and under 60 s with one
new migration; a user deleted in under 1 s; 10,000 background companies built in under 15
minutes."""

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.common import in_fresh_process, print_table

COMPANIES = 1_000
# The median of 3 replays is one whose DDL was already written (as in a worker that has made a
# company before); the first in a process also writes it (~13 catalog queries).
CREATE_RUNS = {"spare": 3, "replay": 3, "migrations": 2}
NEW_PREFIX = "new"  # slugs of the companies the measurements create (removed afterwards)
CREATE_GOAL_SECONDS = 0.5
DEPLOY_GOAL_SECONDS = 10.0  # nothing pending
ONE_MIGRATION_GOAL_SECONDS = 60.0
USER_DELETE_GOAL_SECONDS = 1.0
USER_DELETE_RUNS = 3
# Stock migrate_schemas visits every schema (~0.25 s each here at 1,000 companies): it is stopped
# after this long and its time extrapolated from the schemas it reached, unless --full.
STOCK_BUDGET_SECONDS = 30
# Background schemas per statement and per transaction: each holds a lock on every table,
# sequence and index it creates until its commit (~170 a schema), within PostgreSQL's lock slots
# (max_locks_per_transaction 64 x 100 connections).
PER_STATEMENT = 5
PER_TRANSACTION = 10
ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "bench.server.settings"


def tenants_url(suffix: str = "_tenants") -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"{parts.path}{suffix}"))


EMPTY = "_tenants0"


def kept_suffix(companies: int) -> str:
    """The kept database of `companies` background companies (`<database>_tenants` for the
    default 1,000, `<database>_tenants<N>` for another size)."""
    return "_tenants" if companies == COMPANIES else f"_tenants{companies}"


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
        conn.execute("DELETE FROM public.accounts_user WHERE company_id = ANY(%s)", [ids])
        conn.execute("DELETE FROM public.companies_domain WHERE tenant_id = ANY(%s)", [ids])
        conn.execute("DELETE FROM public.companies_company WHERE id = ANY(%s)", [ids])


# --- Deleting a user ----------------------------------------------------------------------------


def _delete_users(runs: int, queue) -> None:
    import django

    django.setup()
    from shared_apps.accounts.models import User
    from shared_apps.companies.models import Company

    company = Company.objects.filter(slug__startswith="bg").order_by("id").first()
    seconds = []
    for i in range(runs):
        user = User.objects.create_user(
            username=f"{NEW_PREFIX}-leaver-{i}", password=None, company=company
        )
        started = time.perf_counter()
        user.delete()  # the ORM's delete, as the platform admin's would run it
        seconds.append(time.perf_counter() - started)
    queue.put(seconds)


def delete_user(suffix: str) -> float:
    """Median seconds of deleting a user of a company (every company schema names users)."""
    return statistics.median(in_child(suffix, _delete_users, USER_DELETE_RUNS))


# --- 1,000 background companies -------------------------------------------------------------------


def _insert_company_rows(count: int, queue) -> None:
    """The companies' rows, and the template's DDL that makes their schemas (provisioning's)."""
    import django

    django.setup()
    from django.conf import settings

    from shared_apps.companies import provisioning
    from shared_apps.companies.models import Company, Domain

    # Their schemas are the template's copies, as a new company's: made with the migrations on
    # disk, their fingerprint recorded (else the first deploy after a build reads them all).
    fingerprint = provisioning.migrations_fingerprint()
    companies = Company.objects.bulk_create(
        Company(
            schema_name=schema,
            slug=schema,
            name=f"Background {i}",
            migrations_fingerprint=fingerprint,
        )
        for i, schema in enumerate(background_schemas(count))
    )
    Domain.objects.bulk_create(
        Domain(domain=f"{c.slug}.{settings.BASE_DOMAIN}", tenant=c, is_primary=True)
        for c in companies
    )
    queue.put(provisioning.template_ddl())


def background_schemas(count: int) -> list[str]:
    width = max(4, len(str(count - 1)))
    return [f"bg{i:0{width}d}" for i in range(count)]


def _replay(ddl: str, schemas: list[str], suffix: str, failures: list) -> None:
    try:
        _replay_schemas(ddl, schemas, suffix)
    except Exception as exc:  # told by the main thread: never half a set of companies
        failures.append(exc)


def _replay_schemas(ddl: str, schemas: list[str], suffix: str) -> None:
    """`schemas` made by replaying `ddl`, as provisioning does: PER_STATEMENT schemas a round
    trip, PER_TRANSACTION a commit."""
    import psycopg

    from shared_apps.companies.replay import schema_ddl

    with psycopg.connect(tenants_url(suffix)) as conn:
        # What is lost in a crash is made again: the next run finds the wrong count.
        conn.execute("SET synchronous_commit = off")
        for first in range(0, len(schemas), PER_TRANSACTION):
            batch = schemas[first : first + PER_TRANSACTION]
            for start in range(0, len(batch), PER_STATEMENT):
                conn.execute(
                    "".join(schema_ddl(s, ddl) for s in batch[start : start + PER_STATEMENT])
                )
            conn.commit()


@contextmanager
def fewer_checkpoints():
    """The benchmark's own server checkpoints less while the background companies are made:
    each schema writes ~100 catalog rows and files, and with PostgreSQL's default 1 GB of WAL
    between checkpoints every checkpoint re-logs whole catalog pages (the build slowed from
    ~14 to ~9 schemas a second past 3,000 schemas). Set back afterwards."""
    with _admin_connection() as conn:
        conn.execute("ALTER SYSTEM SET max_wal_size = '16GB'")
        conn.execute("ALTER SYSTEM SET checkpoint_timeout = '30min'")
        conn.execute("SELECT pg_reload_conf()")
    try:
        yield
    finally:
        with _admin_connection() as conn:
            conn.execute("ALTER SYSTEM RESET max_wal_size")
            conn.execute("ALTER SYSTEM RESET checkpoint_timeout")
            conn.execute("SELECT pg_reload_conf()")


def background_companies(count: int, suffix: str = "_tenants") -> float:
    """`count` companies whose schemas are copies of the template (made by provisioning's
    replay, several a round trip, in two connections), in the `suffix` database; seconds
    taken."""
    started = time.perf_counter()
    ddl = in_child(suffix, _insert_company_rows, count)
    schemas = background_schemas(count)
    # Two connections: PostgreSQL's work, on both cores.
    failures: list[Exception] = []
    halves = [
        threading.Thread(target=_replay, args=(ddl, schemas[i::2], suffix, failures))
        for i in (0, 1)
    ]
    with fewer_checkpoints():
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


@cache
def code_fingerprint(suffix: str) -> str:
    """The fingerprint of the migrations on disk without bench/newapp (read once per run)."""
    return in_child(suffix, _migrations_fingerprint)


def _migrations_fingerprint(queue) -> None:
    import django

    django.setup()
    from shared_apps.companies import provisioning

    queue.put(provisioning.migrations_fingerprint())


def forget_new_migration(suffix: str = "_tenants") -> None:
    """Undo bench/newapp's migration everywhere, so that the next deploy finds it pending (a
    transaction per PER_FORGET schemas: each locks the tables it reads), and record in every
    company the fingerprint of the migrations its schema holds again (the code's without
    bench/newapp), as a deploy would have: a deploy trusts the fingerprints."""
    import psycopg

    fingerprint = code_fingerprint(suffix)
    with psycopg.connect(tenants_url(suffix), autocommit=True) as conn:
        schemas = [
            row[0]
            for row in conn.execute(
                "SELECT schema_name FROM public.companies_company UNION SELECT 'template'"
            )
        ]
        for start in range(0, len(schemas), PER_FORGET):
            with conn.transaction():
                for schema in schemas[start : start + PER_FORGET]:
                    conn.execute(f"DROP TABLE IF EXISTS {schema}.bench_newapp_note")
                    conn.execute(
                        f"DELETE FROM {schema}.django_migrations WHERE app = 'bench_newapp'"
                    )
        conn.execute("DELETE FROM public.django_migrations WHERE app = 'bench_newapp'")
        conn.execute(
            "UPDATE public.companies_company SET migrations_fingerprint = %s "
            "WHERE schema_name <> 'public'",
            [fingerprint],
        )


PER_FORGET = 500


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
    parser.add_argument(
        "--companies",
        type=int,
        default=COMPANIES,
        help=f"background companies (default {COMPANIES:,}; kept in a database of each size)",
    )
    parser.add_argument("--skip-deploys", action="store_true", help="measure create_company only")
    args = parser.parse_args(argv)
    companies, suffix = args.companies, kept_suffix(args.companies)
    misses = 0
    create_rows = []

    def measure_creates(suffix: str, existing: str) -> None:
        nonlocal misses
        remove_new_companies(suffix)
        for mode in CREATE_RUNS:
            total, schema, password_hash = create_company(suffix, mode)
            goal = mode != "migrations" and existing != "0"
            ok = not goal or total < CREATE_GOAL_SECONDS
            misses += not ok
            create_rows.append(
                [
                    existing,
                    mode,
                    f"{total:.3f}",
                    f"{schema:.3f}",
                    f"{password_hash:.3f}",
                    f"< {CREATE_GOAL_SECONDS} s" if goal else "",
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
    if not database_exists(suffix):
        fresh_database(suffix)
    deploy(("deploy_migrations",), None, suffix)  # up to date with the code, whatever it was
    forget_new_migration(suffix)
    if background_count(suffix) != companies:
        fresh_database(suffix)
        deploy(("deploy_migrations",), None, suffix)
        seconds = background_companies(companies, suffix)
        print(
            f"{companies:,} background companies made in {seconds:.0f} s "
            f"({companies / seconds:.1f} a second).",
            flush=True,
        )
    print(
        f"{companies:,} companies ready in {time.perf_counter() - started:.0f} s "
        "(made once, kept in .data/bench).",
        flush=True,
    )
    measure_creates(suffix, f"{companies:,}")
    print_table(
        "create_company (median seconds; the schema step and one password hash apart): from "
        "a spare schema, by a replay of the template's DDL (the pool empty), by migrations",
        ["companies", "schema from", "total s", "schema s", "password hash s", "goal", ""],
        create_rows,
    )
    leaver = delete_user(suffix)
    ok = leaver < USER_DELETE_GOAL_SECONDS
    misses += not ok
    print_table(
        f"A user deleted with {companies:,} companies (median of {USER_DELETE_RUNS}, seconds)",
        ["companies", "delete s", "goal", ""],
        [[f"{companies:,}", f"{leaver:.3f}", f"< {USER_DELETE_GOAL_SECONDS:.0f} s",
          "ok" if ok else "MISS"]],
    )  # fmt: skip
    if args.skip_deploys:
        return misses

    deploy_rows = []
    for label, command in DEPLOYS.items():
        ours = label == "deploy_migrations"
        budget = None if ours or args.full else STOCK_BUDGET_SECONDS
        nothing = deploy(command, budget, suffix)
        forget_new_migration(suffix)
        one_new = deploy(command, budget, suffix, BENCH_NEW_MIGRATION="1")
        forget_new_migration(suffix)
        ok = not ours or (
            nothing.seconds < DEPLOY_GOAL_SECONDS and one_new.seconds < ONE_MIGRATION_GOAL_SECONDS
        )
        misses += not ok
        goal = f"< {DEPLOY_GOAL_SECONDS:.0f} s / < {ONE_MIGRATION_GOAL_SECONDS:.0f} s"
        deploy_rows.append(
            [
                label,
                str(nothing),
                str(one_new),
                goal if ours else "",
                ("ok" if ok else "MISS") if ours else "",
            ]
        )
        print(f"{label}: {nothing} / {one_new}", flush=True)
    print_table(
        f"Deploy over {companies:,}+ companies (whole command, seconds)",
        ["command", "nothing pending s", "one new migration s", "goal", ""],
        deploy_rows,
    )
    return misses
