"""Over real HTTP (gunicorn on 127.0.0.1, the pytest database, a Redis of the module's own):
200 writers at once lose nothing and duplicate nothing; with Redis stopped the API still serves
reads, writes and logins, and exports answer 503 at once.

Everything the server must see (users, cars) is committed, and removed again with what the
requests wrote for it."""

import random
from collections import defaultdict
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from shared_apps.accounts.models import User
from shared_apps.accounts.roles import Role
from shared_apps.accounts.tokens import refresh_token_for
from tenant_apps.fleet.models import Car, FuelRecord, MonthlyMileage
from tenant_apps.reports.models import ExportJob
from tests.factories import PASSWORD, CarFactory, UserFactory
from tests.reports.test_exports import QUEUE_DOWN
from tests.threads import committed, in_schema, run_in_parallel

from .servers import Gunicorn, Redis, pytest_database_url

API = "/api/v1"
FUEL_RECORDS = f"{API}/fuel-records/"
MILEAGES = f"{API}/monthly-mileages/"
EXPORTS = f"{API}/reports/exports/"
LOGIN = f"{API}/auth/login/"
REFRESH = f"{API}/auth/refresh/"
APPLICATION_NAME = "fleet-scale-http"
WORKERS, THREADS = 2, 8


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = Redis(tmp_path_factory.mktemp("redis"))
    yield server
    if server.is_running():
        server.stop()


@pytest.fixture(scope="module")
def web(django_db_setup, redis_server):
    server = Gunicorn.start(
        database_url=pytest_database_url(APPLICATION_NAME),
        redis_url=redis_server.url,
        workers=WORKERS,
        threads=THREADS,
    )
    yield server
    server.stop()


@dataclass
class Fleet:
    """Committed users (with an access token each) and cars of acme."""

    company: object
    user_ids: list
    car_ids: list

    def user(self, role: str) -> tuple[User, str]:
        def make():
            user = UserFactory(company=self.company, role=role)
            return user, str(refresh_token_for(user).access_token)

        user, access = committed(make)
        self.user_ids.append(user.pk)
        return user, access

    def cars(self, count: int) -> list[int]:
        first = len(self.car_ids)
        ids = in_schema(
            self.company,
            lambda: [CarFactory(numplate=f"09SC{first + n:03d}").pk for n in range(count)],
        )
        self.car_ids += ids
        return ids

    def remove(self) -> None:
        connection.set_tenant(self.company)
        FuelRecord.objects.filter(car_id__in=self.car_ids).delete()
        MonthlyMileage.objects.filter(car_id__in=self.car_ids).delete()
        Car.objects.filter(pk__in=self.car_ids).delete()
        ExportJob.objects.filter(created_by_id__in=self.user_ids).delete()
        OutstandingToken.objects.filter(user_id__in=self.user_ids).delete()  # and blacklistings
        User.objects.filter(pk__in=self.user_ids).delete()


@pytest.fixture
def fleet(acme):
    made = Fleet(acme, [], [])
    yield made
    committed(made.remove)


def unique_error(detail: str) -> dict:
    return {
        "type": "validation_error",
        "errors": [{"code": "unique", "detail": detail, "attr": "month"}],
    }


FUEL_TAKEN = unique_error("This car already has a fuel record for this month.")
MILEAGE_TAKEN = unique_error("This car already has a mileage for this month.")


# --- 200 writers at once --------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    kind: str  # "fuel" or "mileage"
    slot: tuple[int, int]  # (car id, month of 2026): one row at most
    payload: dict


def planned_writes(car_ids: list[int]) -> list[Write]:
    """100 fuel records and 100 mileages: per kind, 15 (car, month) slots that 4 writers each
    want (their figures differ) and 40 that one writer wants, in a shuffled order."""
    slots = [(car, month) for month in range(1, 7) for car in car_ids][:55]
    writes = []
    for index, (car, month) in enumerate(slots):
        for writer in range(4 if index < 15 else 1):
            fuel = {
                "car": car,
                "year": 2026,
                "month": month,
                "liters": f"{40 + writer}.50",
                "total_cost": f"{3000 + 10 * writer}.00",
                "mileage_km": 500 + writer,
            }
            mileage = {"car": car, "month": f"2026-{month:02d}", "mileage_km": 1000 + writer}
            writes += [Write("fuel", (car, month), fuel), Write("mileage", (car, month), mileage)]
    random.Random(6).shuffle(writes)
    return writes


def app_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            [APPLICATION_NAME],
        )
        return cursor.fetchone()[0]


def test_200_concurrent_writers_lose_nothing_and_duplicate_nothing(web, fleet, acme):
    _, access = fleet.user(Role.ACCOUNTANT)
    car_ids = fleet.cars(10)
    writes = planned_writes(car_ids)
    assert len(writes) == 200

    answers = run_in_parallel(
        *(
            lambda write=write: web.call(
                "POST",
                FUEL_RECORDS if write.kind == "fuel" else MILEAGES,
                write.payload,
                token=access,
            )
            for write in writes
        )
    )

    assert [a for a in answers if a.status not in (201, 400)] == []  # never a 500
    by_slot = defaultdict(list)
    for write, answer in zip(writes, answers, strict=True):
        by_slot[write.kind, write.slot].append((write, answer))
    assert len(by_slot) == 110
    winners = {}
    for (kind, _slot), attempts in by_slot.items():
        statuses = sorted(answer.status for _, answer in attempts)
        assert statuses == [201] + [400] * (len(attempts) - 1)
        refusal = FUEL_TAKEN if kind == "fuel" else MILEAGE_TAKEN
        assert [a.body for _, a in attempts if a.status == 400] == [refusal] * (len(attempts) - 1)
        ((write, answer),) = [(w, a) for w, a in attempts if a.status == 201]
        assert {key: answer.body[key] for key in write.payload} == write.payload
        winners[kind, write.slot] = answer.body

    # The database holds exactly the rows the 201s announced, with the winners' figures.
    def rows():
        fuel = FuelRecord.objects.filter(car_id__in=car_ids)
        mileages = MonthlyMileage.objects.filter(car_id__in=car_ids)
        return (
            {
                ("fuel", (r.car_id, r.month)): (r.pk, r.year, str(r.liters), r.mileage_km)
                for r in fuel
            },
            fuel.count(),
            {("mileage", (r.car_id, r.month.month)): (r.pk, r.mileage_km) for r in mileages},
            mileages.count(),
        )

    fuel, fuel_count, mileages, mileage_count = in_schema(acme, rows)
    assert (fuel_count, mileage_count) == (55, 55)
    assert fuel == {
        key: (body["id"], 2026, body["liters"], body["mileage_km"])
        for key, body in winners.items()
        if key[0] == "fuel"
    }
    assert mileages == {
        key: (body["id"], body["mileage_km"])
        for key, body in winners.items()
        if key[0] == "mileage"
    }
    # Each server thread keeps one connection: far below max_connections, whatever the load.
    assert 1 <= app_connections() <= WORKERS * THREADS


# --- Redis stopped --------------------------------------------------------------------------------

HEALTHY = {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}
REDIS_DOWN = {"status": "unavailable", "checks": {"database": "ok", "redis": "unavailable"}}
USERNAME_LIMIT = 5  # login_username in config/settings/test.py, per minute


def test_with_redis_stopped_the_api_serves_and_exports_answer_503(web, redis_server, fleet):
    user, _ = fleet.user(Role.DISPATCHER)
    (car,) = fleet.cars(1)
    redis_server.stop()
    try:
        health = web.call("GET", "/healthz", host="localhost")
        assert (health.status, health.body) == (503, REDIS_DOWN)

        # The login throttles fail open: more logins than the per-username limit all pass.
        credentials = {"username": user.username, "password": PASSWORD}
        logins = [web.call("POST", LOGIN, credentials) for _ in range(USERNAME_LIMIT + 1)]
        assert [a.status for a in logins] == [200] * (USERNAME_LIMIT + 1)
        access, refresh = logins[-1].body["access"], logins[-1].body["refresh"]

        created = web.call(
            "POST",
            FUEL_RECORDS,
            {
                "car": car,
                "year": 2026,
                "month": 4,
                "liters": "41.00",
                "total_cost": "2900.00",
                "mileage_km": 520,
            },
            token=access,
        )
        assert created.status == 201
        listed = web.call("GET", f"{FUEL_RECORDS}?car={car}", token=access)
        assert (listed.status, listed.body["count"]) == (200, 1)
        assert listed.body["results"][0]["id"] == created.body["id"]
        refreshed = web.call("POST", REFRESH, {"refresh": refresh})
        assert (refreshed.status, sorted(refreshed.body)) == (200, ["access", "refresh"])

        export = {"report": "fuel-records", "format": "csv"}
        refused = web.call("POST", EXPORTS, export, token=refreshed.body["access"])
        assert (refused.status, refused.body) == (503, QUEUE_DOWN)
        # At once when nothing listens; kombu retries a refused connection for the broker
        # connection timeout first, so that a blip of Redis does not refuse an export.
        assert refused.seconds < settings.CELERY_BROKER_CONNECTION_TIMEOUT + 1
        jobs = web.call("GET", EXPORTS, token=access)
        assert [(j["status"], j["error"]) for j in jobs.body["results"]] == [
            ("failed", "The export queue was unavailable.")
        ]
    finally:
        if not redis_server.is_running():
            redis_server.start_again()

    # Redis is back: the very next export is queued (the app reconnects to the broker).
    health = web.call("GET", "/healthz", host="localhost")
    assert (health.status, health.body) == (200, HEALTHY)
    queued = web.call("POST", EXPORTS, export, token=access)
    assert (queued.status, queued.body["status"]) == (202, "pending")
