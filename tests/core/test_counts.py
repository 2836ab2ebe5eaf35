"""Cached list counts (shared_apps/core/counts.py) stay exact: every write through the ORM makes
the company's cached counts stale, companies never share a count, a count read while a write is
uncommitted is not served after its commit, and without Redis the count is simply run."""

import threading

import pytest
import redis
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from shared_apps.accounts.roles import Role
from shared_apps.core import counts
from tenant_apps.fleet.models import Car
from tests.factories import CarFactory, FuelRecordFactory
from tests.threads import in_background, in_schema

CARS = "/api/v1/cars/"


def test_the_count_follows_every_write_through_the_api(acme_as):
    client = acme_as(Role.COMPANY_ADMIN)
    assert client.get(CARS).json()["count"] == 0

    ids = [
        client.post(CARS, {**CAR, "numplate": f"01KG00{i}AAA"}, format="json").json()["id"]
        for i in range(3)
    ]
    assert client.get(CARS).json()["count"] == 3
    assert client.get(CARS, {"page_size": 1}).json()["count"] == 3  # whatever the page size

    assert client.delete(f"{CARS}{ids[0]}/").status_code == 204
    assert client.get(CARS).json()["count"] == 2
    assert client.get(CARS, {"status": "active"}).json()["count"] == 2

    assert client.patch(f"{CARS}{ids[1]}/", {"status": "repair"}, format="json").status_code == 200
    assert client.get(CARS, {"status": "active"}).json()["count"] == 1
    assert client.get(CARS, {"status": "repair"}).json()["count"] == 1


CAR = {
    "region": "chui",
    "brand": "toyota",
    "title": "Camry",
    "fuel_type": "petrol",
    "vehicle_type": "suv",
}


def test_companies_never_share_a_cached_count(acme, globex, client_for, make_user):
    connection.set_tenant(acme)
    CarFactory.create_batch(2)
    acme_client = client_for(acme, make_user(acme, Role.GUEST))
    globex_client = client_for(globex, make_user(globex, Role.GUEST))

    # The same list, the same SQL, in two schemas.
    assert acme_client.get(CARS).json()["count"] == 2
    assert globex_client.get(CARS).json()["count"] == 0
    assert acme_client.get(CARS).json()["count"] == 2


def test_rows_written_with_raw_sql_are_counted_after_data_changed(in_acme, acme_as):
    client = acme_as(Role.GUEST)
    CarFactory()
    assert client.get(CARS).json()["count"] == 1
    connection.set_tenant(in_acme)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM fleet_car")

    assert client.get(CARS).json()["count"] == 1  # stale: raw SQL bypasses the signals
    connection.set_tenant(in_acme)
    counts.data_changed()
    assert client.get(CARS).json()["count"] == 0


def test_a_count_taken_before_a_commit_is_not_served_after_it(acme):
    """A reader that counts between the write and its commit caches the old count under the
    version the write set; the commit changes the version again."""
    written, counted = threading.Event(), threading.Event()

    def write():
        connection.set_tenant(acme)
        with transaction.atomic():
            car = CarFactory(numplate="01KG777CNT")
            written.set()
            assert counted.wait(timeout=10)
        return car.pk

    def count_cars():
        connection.set_tenant(acme)
        return counts.count(Car.objects.all())

    writer = in_background(write)
    assert written.wait(timeout=10)
    before_commit = in_background(count_cars)()
    counted.set()
    car_id = writer()
    try:
        assert before_commit == 0
        assert in_background(count_cars)() == 1
    finally:
        in_schema(acme, lambda: Car.objects.filter(pk=car_id).delete())


@pytest.mark.parametrize("write", ["create", "delete"])
def test_counts_are_exact_when_redis_is_down(in_acme, acme_as, settings, write):
    client = acme_as(Role.GUEST)
    car = CarFactory()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    connection.set_tenant(in_acme)
    if write == "create":
        CarFactory()
    else:
        car.delete()

    assert client.get(CARS).json()["count"] == {"create": 2, "delete": 0}[write]


def test_a_filter_that_can_match_nothing_counts_zero(in_acme, acme_as):
    """An integer out of the column's range makes Django give up on the SQL (EmptyResultSet); the
    fuzzer found it as a 500."""
    FuelRecordFactory()
    response = acme_as(Role.GUEST).get("/api/v1/fuel-records/", {"year": -6567686})

    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_one_count_serves_every_ordering_and_column_set_but_never_another_filter(in_acme):
    """The cache key is the counted rows' SQL without their order and columns: re-sorting a
    list or reading other columns reuses the count; another filter, or a distinct list whose
    joins repeat rows, counts its own."""
    car, other = CarFactory(status="active"), CarFactory(status="repair")
    FuelRecordFactory.create_batch(2, car=car)
    FuelRecordFactory(car=other)
    with CaptureQueriesContext(connection) as queries:
        assert counts.count(Car.objects.order_by("numplate")) == 2
        assert counts.count(Car.objects.only("id", "year").order_by("-year", "id")) == 2
        assert counts.count(Car.objects.select_related("driver").order_by("-id")) == 2
        assert counts.count(Car.objects.filter(status="repair")) == 1
        assert counts.count(Car.objects.filter(fuel_records__liters__gt=0)) == 3
        assert counts.count(Car.objects.filter(fuel_records__liters__gt=0).distinct()) == 2
    assert sum("COUNT(" in query["sql"] for query in queries) == 4


def redis_commands(monkeypatch) -> list[str]:
    """The names of the Redis commands sent from now on (each still sent to Redis)."""
    commands = []
    execute = redis.Redis.execute_command

    def recorded(self, *args, **options):
        commands.append(args[0])
        return execute(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", recorded)
    return commands


def test_a_warm_list_reads_its_count_without_a_round_trip_of_its_own(in_acme, acme_as, monkeypatch):
    """The user is read with the company's data version (one MGET); a count this process has
    read under that version is served from memory: two Redis commands for the whole request."""
    CarFactory()
    client = acme_as(Role.GUEST)
    assert client.get(CARS).json()["count"] == 1  # warm: the host, the user, the count
    commands = redis_commands(monkeypatch)
    assert client.get(CARS).json()["count"] == 1
    assert commands == ["GET", "MGET"]  # the company by host; the user and the data version
    assert counts._version_read.get() is None  # forgotten when the request ended

    CarFactory()  # another writer (here: the test) changes the version
    commands.clear()
    assert client.get(CARS).json()["count"] == 2
    assert commands == ["GET", "MGET", "MGET", "SET"]  # the count read again, and stored


def test_a_write_within_a_request_makes_the_version_it_read_stale(in_acme):
    CarFactory()
    counts.version_read(counts.data_version())
    assert counts.count(Car.objects.all()) == 1
    CarFactory()
    assert counts.count(Car.objects.all()) == 2


def test_a_count_is_kept_in_memory_no_longer_than_redis_keeps_it(in_acme, monkeypatch):
    """A version change lost to a Redis outage leaves a count stale at most COUNT_TTL_SECONDS,
    in Redis and in the process alike."""
    CarFactory()
    counts.version_read(counts.data_version())
    assert counts.count(Car.objects.all()) == 1
    commands = redis_commands(monkeypatch)
    assert counts.count(Car.objects.all()) == 1
    assert commands == []  # from memory
    monkeypatch.setattr(counts, "COUNT_TTL_SECONDS", 0)
    assert counts.count(Car.objects.all()) == 1
    assert commands[0] == "MGET"  # too old: asked again
