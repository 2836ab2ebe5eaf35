"""PostgreSQL restarted under a running server: the next requests succeed.

The server (gunicorn, 2 workers × 2 threads) runs against a PostgreSQL of the test's own
holding a copy of the pytest database, since the suite's own server must stay up. Each server
thread keeps its database connection between requests (CONN_MAX_AGE=60), so after a restart
every one of them holds a connection the server has closed; CONN_HEALTH_CHECKS makes Django
check such a connection at the first query of a request and reconnect instead of failing.
(Without it, the first request on each such connection is a 500: this test then fails.)"""

import shutil
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

from shared_apps.accounts.tokens import refresh_token_for
from tests.threads import run_in_parallel

from .servers import Gunicorn, Postgres, with_query

APPLICATION_NAME = "fleet-scale-restart"
WORKERS, THREADS = 2, 2
CONNECTIONS = WORKERS * THREADS
CARS = "/api/v1/cars/"
FUEL_RECORDS = "/api/v1/fuel-records/"
MAX_ROUNDS = 20


@pytest.fixture(scope="module")
def postgres(django_db_setup):
    folder = Path(tempfile.mkdtemp(prefix="fleet-scale-"))  # pgserver opens its path to its user
    try:
        server = Postgres(folder / "pg")
        yield server
        server.cleanup()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def web(postgres):
    server = Gunicorn.start(
        database_url=with_query(postgres.url, application_name=APPLICATION_NAME),
        redis_url=settings.REDIS_URL,
        workers=WORKERS,
        threads=THREADS,
    )
    yield server
    server.stop()


def app_backends(postgres: Postgres) -> set[int]:
    """The server processes of the app's open connections."""
    pids = postgres.psql(
        f"SELECT pid FROM pg_stat_activity WHERE application_name = '{APPLICATION_NAME}'"  # noqa: S608 - a constant
    )
    return {int(pid) for pid in pids.split()}


def until_every_thread_connected(web: Gunicorn, postgres: Postgres, token: str) -> list:
    """Rounds of concurrent reads until each server thread holds a connection; every answer."""
    answers = []
    for _ in range(MAX_ROUNDS):
        answers += run_in_parallel(
            *(lambda: web.call("GET", CARS, token=token) for _ in range(2 * CONNECTIONS))
        )
        if len(app_backends(postgres)) == CONNECTIONS:
            return answers
    pytest.fail(f"{len(app_backends(postgres))} of {CONNECTIONS} threads connected")


def test_after_a_postgresql_restart_the_next_requests_succeed(web, postgres, acme_admin):
    token = str(refresh_token_for(acme_admin).access_token)
    car = web.call(
        "POST",
        CARS,
        {
            "region": "chui",
            "brand": "toyota",
            "title": "Hiace",
            "numplate": "09PG001",
            "fuel_type": "diesel",
            "vehicle_type": "van",
        },
        token=token,
    )
    assert car.status == 201
    warm = until_every_thread_connected(web, postgres, token)
    cars = warm[0].body["count"]
    before = app_backends(postgres)

    postgres.restart()
    assert app_backends(postgres) == set()  # every connection the threads hold is dead

    # "Next" = every request sent once the restarted server accepts connections, from the
    # first one on: a write first, then reads until every thread has replaced its dead
    # connection; not one of them fails.
    written = web.call(
        "POST",
        FUEL_RECORDS,
        {
            "car": car.body["id"],
            "year": 2026,
            "month": 5,
            "liters": "61.00",
            "total_cost": "4270.00",
            "mileage_km": 610,
        },
        token=token,
    )
    assert written.status == 201
    reads = until_every_thread_connected(web, postgres, token)
    assert [a.status for a in reads] == [200] * len(reads)
    assert {a.body["count"] for a in reads} == {cars}
    assert app_backends(postgres).isdisjoint(before)
    listed = web.call("GET", f"{FUEL_RECORDS}?car={car.body['id']}", token=token)
    assert [r["id"] for r in listed.body["results"]] == [written.body["id"]]
