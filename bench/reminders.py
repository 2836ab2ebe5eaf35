"""One day's reminder run over 1,000 companies of 50 cars each, as the worker runs it (each
company's `reminders_send` in its schema, every e-mail sent to a real SMTP server on 127.0.0.1
by Celery's task, run eagerly here), and the same run again (nothing left to tell).

Each company has two recipients (its admin and a dispatcher, both with e-mail) and 50 cars:
OSAGO policies ending 7, 30 or 200 days after the day of the run, or lapsed; inspections valid
for a year, or none; a kit without a fire extinguisher on every fifth car; and one maintenance
plan on every tenth car. Goals: the whole run under 60 s, and the same number of queries for
every company. The companies are made once (their schemas copied from the template, as the
tenancy benchmark makes its own) and kept in .data/bench, in a database of their own."""

import argparse
import datetime as dt
import time

from bench.common import print_table
from bench.tenants import (
    background_companies,
    background_count,
    database_exists,
    deploy,
    fresh_database,
    in_child,
    tenants_url,
)

SUFFIX = "_reminders"
COMPANIES = 1_000
CARS = 50
DAY = dt.date(2026, 12, 1)
GOAL_SECONDS = 60.0

# Each background company's data, relative to DAY; `{schema}` is the company's schema.
SEED_SQL = """
INSERT INTO {schema}.fleet_car
    (region, brand, title, numplate, year, vin, fuel_type, vehicle_type, driver_name,
     driver_phone, fuel_card, status, created_at, updated_at)
SELECT 'bishkek', 'toyota', 'Camry', format('01KG%%s', lpad(n::text, 3, '0')), 2020, '',
    'petrol', 'car', '', '', '', 'active', now(), now()
FROM generate_series(1, {cars}) AS n;

INSERT INTO {schema}.fleet_insurance
    (car_id, insurance_type, number, start_date, end_date, cost, created_at, updated_at)
SELECT id, 'osago', format('OS-%%s', id),
    %(day)s::date + ends - 365, %(day)s::date + ends, 3200, now(), now()
FROM (
    SELECT id, (ARRAY[7, 30, 200, -3])[1 + id %% 4] AS ends FROM {schema}.fleet_car
) AS c;

INSERT INTO {schema}.fleet_inspection
    (car_id, number, inspected_at, valid_until, cost, created_at, updated_at)
SELECT id, format('TO-%%s', id), %(day)s::date - 100, %(day)s::date + 265, 1100, now(), now()
FROM {schema}.fleet_car WHERE id %% 3 <> 0;

INSERT INTO {schema}.fleet_kit
    (car_id, has_jack, has_wheel_wrench, has_warning_triangle, has_fire_extinguisher,
     has_first_aid_kit, has_tow_rope, fire_extinguisher_expires_at, first_aid_kit_expires_at,
     created_at, updated_at)
SELECT id, true, true, true, id %% 5 <> 0, true, true, NULL, NULL, now(), now()
FROM {schema}.fleet_car;

INSERT INTO {schema}.fleet_maintenanceplan
    (car_id, name, interval_km, interval_months, last_done_at, created_at, updated_at)
SELECT id, 'Oil change', NULL, 12, %(day)s::date - 360, now(), now()
FROM {schema}.fleet_car WHERE id %% 10 = 0;
"""

USERS_SQL = """
INSERT INTO public.accounts_user
    (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
     date_joined, company_id, role, region, language, phone, token_version, notify_email)
SELECT '!', false, format('%s-%s', c.slug, r.role), 'Bench', 'User',
    format('%s-%s@bench.test', c.slug, r.role), false, true, now(), c.id, r.role, '',
    r.language, '', 0, true
FROM public.companies_company c
CROSS JOIN (VALUES ('COMPANY_ADMIN', 'ru'), ('DISPATCHER', 'en')) AS r (role, language)
WHERE c.slug LIKE 'bg%'
"""


def _seed(schemas: list[str], failures: list) -> None:
    import psycopg

    try:
        with psycopg.connect(tenants_url(SUFFIX)) as conn:
            for schema in schemas:
                for statement in SEED_SQL.format(schema=schema, cars=CARS).split(";"):
                    if statement.strip():
                        conn.execute(statement, {"day": DAY})
                conn.commit()
    except Exception as exc:  # re-raised by the main thread
        failures.append(exc)


def seeded() -> bool:
    """Whether the companies were made to the end: the last one's cars, and the users."""
    import psycopg

    last = f"bg{COMPANIES - 1:04d}"
    with psycopg.connect(tenants_url(SUFFIX)) as conn:
        cars = conn.execute(f"SELECT count(*) FROM {last}.fleet_car").fetchone()[0]
        users = "SELECT count(*) FROM public.accounts_user WHERE username LIKE 'bg%'"
        return cars == CARS and conn.execute(users).fetchone()[0] == 2 * COMPANIES


def make_companies() -> float:
    """The companies, their cars and documents and their two users each; seconds taken."""
    import threading

    import psycopg

    started = time.perf_counter()
    fresh_database(SUFFIX)
    deploy(("deploy_migrations",), None, suffix=SUFFIX)
    background_companies(COMPANIES, suffix=SUFFIX)
    schemas = [f"bg{i:04d}" for i in range(COMPANIES)]
    failures: list[Exception] = []
    halves = [threading.Thread(target=_seed, args=(schemas[i::2], failures)) for i in (0, 1)]
    for thread in halves:
        thread.start()
    for thread in halves:
        thread.join()
    if failures:
        raise failures[0]
    with psycopg.connect(tenants_url(SUFFIX)) as conn:
        conn.execute(USERS_SQL)
    return time.perf_counter() - started


class _Inbox:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.count += 1
        return "250 OK"


def _forget_reminders() -> None:
    """Nothing told yet in any company: the run tells everything again."""
    from django.db import connection
    from django_tenants.utils import tenant_context

    from shared_apps.companies.models import Company

    for company in Company.objects.filter(slug__startswith="bg"):
        with tenant_context(company), connection.cursor() as cursor:
            cursor.execute("TRUNCATE notifications_remindersent, notifications_notification")


def _run(queue) -> None:
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import tenant_context

    from config.celery import app
    from scripts.devstack import free_port
    from shared_apps.companies.models import Company
    from tenant_apps.notifications.reminders import reminders_send

    inbox = _Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    app.conf.task_always_eager = True  # the e-mail task runs here, once the digest commits
    _forget_reminders()
    results = []
    for attempt in ("first", "again"):
        companies = list(Company.objects.filter(slug__startswith="bg").order_by("slug"))
        sent_before, queries, notified = inbox.count, set(), 0
        started = time.perf_counter()
        for company in companies:
            connection.queries_log.clear()  # a full log (9,000) would make every count 0
            with tenant_context(company), CaptureQueriesContext(connection) as captured:
                notified += len(reminders_send(today=DAY))
            queries.add(len(captured))
        seconds = time.perf_counter() - started
        results.append((attempt, seconds, notified, inbox.count - sent_before, sorted(queries)))
    smtp.stop()
    queue.put(results)


def main(argv: list[str]) -> int:
    argparse.ArgumentParser(prog="python -m bench reminders").parse_args(argv)
    if not database_exists(SUFFIX) or background_count(SUFFIX) != COMPANIES or not seeded():
        print(
            f"{COMPANIES:,} companies of {CARS} cars made in {make_companies():.0f} s "
            "(once; kept in .data/bench).",
            flush=True,
        )
    else:
        deploy(("deploy_migrations",), None, suffix=SUFFIX)  # up to date with the code
    results = in_child(SUFFIX, _run)
    rows, misses = [], 0
    for attempt, seconds, notified, mailed, queries in results:
        # Every company has cars to tell about (missing inspections), to its two users, once.
        expected = 2 * COMPANIES if attempt == "first" else 0
        assert notified == mailed == expected, (attempt, notified, mailed, expected)
        constant = len(queries) == 1
        ok = seconds < GOAL_SECONDS and constant
        misses += not ok
        rows.append(
            [
                attempt,
                f"{COMPANIES:,} × {CARS}",
                f"{seconds:.1f}",
                f"{notified:,}",
                f"{mailed:,}",
                f"{mailed / seconds:,.0f}",
                "/".join(map(str, queries)),
                f"< {GOAL_SECONDS:.0f} s, one count",
                "ok" if ok else "MISS",
            ]
        )
    print_table(
        f"One day's reminders ({DAY}), every company in turn, e-mails to a local SMTP server",
        [
            "run",
            "companies × cars",
            "s",
            "digests",
            "e-mails",
            "e-mails/s",
            "queries/company",
            "goal",
            "",
        ],
        rows,
    )
    return misses
