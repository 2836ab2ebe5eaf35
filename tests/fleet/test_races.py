"""Duplicates and deletes racing each other with real threads, each with its own database
connection. Uniqueness is held by PostgreSQL only (`shared_apps/core/integrity.py`), so a
duplicate must get the same 400 whether it comes after the original or at the same moment, and
a car deleted while a record is added to it must end up either deleted without the record or
kept with it.

The rows the threads race on are committed (the test's own transaction is invisible to other
connections), so every car created here, with its records, is deleted again after each test."""

import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection, models

from shared_apps.accounts.models import User
from shared_apps.companies.models import Company
from tenant_apps.fleet.models import Car, FuelRecord, Kit, MonthlyMileage, Recorder
from tests.conftest import CompanyClient
from tests.factories import CarFactory
from tests.threads import committed, in_background, in_schema, run_in_parallel, table_locked

pytestmark = pytest.mark.django_db

API = "/api/v1"
CARS = f"{API}/cars/"
FUEL_RECORDS = f"{API}/fuel-records/"


# --- Committed data and clients ---------------------------------------------------------------


def admin_client(company: Company) -> CompanyClient:
    """A client of the company's (committed) admin; make one per thread."""
    return CompanyClient(
        f"{company.slug}.localhost", User.objects.get(username=f"{company.slug}-boss")
    )


def request(client: CompanyClient, method: str, url: str, data=None) -> Callable:
    """A request to run in a thread, answering (status, JSON body or None)."""

    def send():
        response = getattr(client, method)(url, data, format="json")
        return response.status_code, (response.json() if response.content else None)

    return send


def wait_until_blocked(company: Company, model: type[models.Model]) -> None:
    """Wait until some connection waits for a lock on `model`'s table."""

    def waiting() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = %s::regclass"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                [model._meta.db_table],
            )
            return cursor.fetchone()[0]

    deadline = time.monotonic() + 10
    while not in_schema(company, waiting):
        assert time.monotonic() < deadline, f"nothing waited for {model._meta.db_table}"
        time.sleep(0.01)


def _fleet_car_ids() -> set[int]:
    return set(Car.objects.values_list("pk", flat=True))


def _delete_cars_except(kept: set[int]) -> None:
    """Delete the cars created since, their history first (it protects them)."""
    cars = Car.objects.exclude(pk__in=kept)
    for relation in Car._meta.related_objects:
        if relation.on_delete is models.PROTECT:
            relation.related_model._default_manager.filter(
                **{f"{relation.field.name}__in": cars}
            ).delete()
    cars.delete()  # photos, recorder and kit go with the car


@pytest.fixture(autouse=True)
def _remove_committed_fleet(acme, globex):
    companies = (acme, globex)

    def car_ids():
        found = {}
        for company in companies:
            connection.set_tenant(company)
            found[company] = _fleet_car_ids()
        return found

    def remove(kept):
        for company in companies:
            connection.set_tenant(company)
            _delete_cars_except(kept[company])

    kept = committed(car_ids)
    yield
    committed(lambda: remove(kept))
    assert committed(car_ids) == kept


# --- Duplicates -----------------------------------------------------------------------------------


def car_payload(numplate: str, **fields) -> dict:
    return {
        "region": "chui",
        "brand": "toyota",
        "title": "Land Cruiser 200",
        "numplate": numplate,
        "fuel_type": "diesel",
        "vehicle_type": "suv",
        **fields,
    }


def unique_error(attr: str, detail: str) -> dict:
    return {
        "type": "validation_error",
        "errors": [{"code": "unique", "detail": detail, "attr": attr}],
    }


@dataclass(frozen=True)
class Duplicate:
    """Up to four POSTs to `url` of which only one may succeed."""

    url: str
    # payloads(car_id) → four payloads that all collide; car_id is a committed car without
    # any records, made beforehand (unused by cases that create cars).
    payloads: Callable[[int], list[dict]]
    # rows(car_id) → ids of the rows the payloads compete for.
    rows: Callable[[int], list[int]]
    error: dict


def _ids(queryset) -> list[int]:
    return list(queryset.values_list("pk", flat=True))


DUPLICATES = {
    "numplate": Duplicate(
        url=CARS,
        payloads=lambda _: [
            car_payload(numplate)
            for numplate in ("01 kg 777 rac", "01KG777RAC", "01-kg-777-rac", "01kg777rac")
        ],
        rows=lambda _: _ids(Car.objects.filter(numplate="01KG777RAC")),
        error=unique_error("numplate", "A car with this number plate already exists."),
    ),
    "vin": Duplicate(
        url=CARS,
        payloads=lambda _: [
            car_payload(f"01KG77{i}VIN", vin=vin)
            for i, vin in enumerate(
                (
                    "jtmhv05j804123456",
                    "JTMHV05J804123456",
                    "JTMHV05J804 123456",
                    "jtmhv05J804123456",
                )
            )
        ],
        rows=lambda _: _ids(Car.objects.filter(vin="JTMHV05J804123456")),
        error=unique_error("vin", "A car with this VIN already exists."),
    ),
    "recorder": Duplicate(
        url=f"{API}/recorders/",
        payloads=lambda car_id: [
            {"car": car_id, "model": "70mai A500S", "serial_number": f"SN00{i}"} for i in range(4)
        ],
        rows=lambda car_id: _ids(Recorder.objects.filter(car_id=car_id)),
        error=unique_error("car", "A recorder with this car already exists."),
    ),
    "kit": Duplicate(
        url=f"{API}/kits/",
        payloads=lambda car_id: [{"car": car_id, "has_jack": i % 2 == 0} for i in range(4)],
        rows=lambda car_id: _ids(Kit.objects.filter(car_id=car_id)),
        error=unique_error("car", "A kit with this car already exists."),
    ),
    "fuel_month": Duplicate(
        url=FUEL_RECORDS,
        payloads=lambda car_id: [
            {
                "car": car_id,
                "year": 2026,
                "month": 3,
                "liters": f"4{i}.50",
                "total_cost": "2975.00",
                "mileage_km": 500 + i,
            }
            for i in range(4)
        ],
        rows=lambda car_id: _ids(FuelRecord.objects.filter(car_id=car_id)),
        error=unique_error("month", "This car already has a fuel record for this month."),
    ),
    "mileage_month": Duplicate(
        url=f"{API}/monthly-mileages/",
        payloads=lambda car_id: [
            {"car": car_id, "month": "2026-03", "mileage_km": 1200 + i} for i in range(4)
        ],
        rows=lambda car_id: _ids(MonthlyMileage.objects.filter(car_id=car_id)),
        error=unique_error("month", "This car already has a mileage for this month."),
    ),
}


def committed_car(company: Company, numplate: str = "09RACE001") -> int:
    return in_schema(company, lambda: CarFactory(numplate=numplate).pk)


@pytest.mark.parametrize("case", DUPLICATES.values(), ids=DUPLICATES.keys())
def test_sequential_duplicate_is_a_400(case, acme):
    car_id = committed_car(acme)
    first, second = case.payloads(car_id)[:2]
    client = admin_client(acme)

    created = committed(request(client, "post", case.url, first))
    refused = committed(request(client, "post", case.url, second))

    assert created[0] == 201
    assert refused == (400, case.error)
    assert in_schema(acme, lambda: case.rows(car_id)) == [created[1]["id"]]


@pytest.mark.parametrize("racers", [2, 3, 4])
@pytest.mark.parametrize("case", DUPLICATES.values(), ids=DUPLICATES.keys())
def test_racing_duplicates_create_one_row_and_refuse_the_rest_alike(case, racers, acme):
    car_id = committed_car(acme)
    payloads = case.payloads(car_id)[:racers]
    clients = [admin_client(acme) for _ in payloads]

    results = run_in_parallel(
        *(
            request(client, "post", case.url, data)
            for client, data in zip(clients, payloads, strict=True)
        )
    )

    assert sorted(status for status, _ in results) == [201] + [400] * (racers - 1)
    assert [body for status, body in results if status == 400] == [case.error] * (racers - 1)
    (winner,) = (body for status, body in results if status == 201)
    assert in_schema(acme, lambda: case.rows(car_id)) == [winner["id"]]


NUMPLATE_TAKEN = unique_error("numplate", "A car with this number plate already exists.")


def test_changing_a_numplate_to_another_cars_is_a_400(acme):
    taken = committed_car(acme, "01KG100AAA")
    other = committed_car(acme, "01KG200BBB")

    result = committed(
        request(admin_client(acme), "patch", f"{CARS}{other}/", {"numplate": "01 kg 100 aaa"})
    )

    assert result == (400, NUMPLATE_TAKEN)
    assert in_schema(acme, lambda: dict(Car.objects.values_list("pk", "numplate"))) == {
        taken: "01KG100AAA",
        other: "01KG200BBB",
    }


def test_two_cars_renamed_to_one_numplate_at_once_get_it_once(acme):
    cars = [committed_car(acme, "01KG100AAA"), committed_car(acme, "01KG200BBB")]
    clients = [admin_client(acme) for _ in cars]

    results = run_in_parallel(
        *(
            request(client, "patch", f"{CARS}{car}/", {"numplate": spelling})
            for client, car, spelling in zip(
                clients, cars, ("01 kg 300 ccc", "01KG300CCC"), strict=True
            )
        )
    )

    assert sorted(status for status, _ in results) == [200, 400]
    assert [body for status, body in results if status == 400] == [NUMPLATE_TAKEN]
    (renamed,) = (body["id"] for status, body in results if status == 200)
    (kept,) = set(cars) - {renamed}
    assert in_schema(acme, lambda: dict(Car.objects.values_list("pk", "numplate"))) == {
        renamed: "01KG300CCC",
        kept: "01KG100AAA" if kept == cars[0] else "01KG200BBB",
    }


def test_the_same_numplate_in_two_companies_is_two_cars(acme, globex):
    clients = [admin_client(acme), admin_client(globex)]
    payloads = [car_payload("01 kg 777 rac"), car_payload("01KG777RAC")]

    results = run_in_parallel(
        *(
            request(client, "post", CARS, data)
            for client, data in zip(clients, payloads, strict=True)
        )
    )

    assert [status for status, _ in results] == [201, 201]
    assert [body["numplate"] for _, body in results] == ["01KG777RAC", "01KG777RAC"]
    for company, (_, body) in zip((acme, globex), results, strict=True):
        assert in_schema(company, lambda: _ids(Car.objects.filter(numplate="01KG777RAC"))) == [
            body["id"]
        ]


# --- A car deleted while a record is added to it --------------------------------------------------

FUEL = {
    "year": 2026,
    "month": 3,
    "liters": "42.50",
    "total_cost": "2975.00",
    "mileage_km": 500,
}


def car_and_fuel(company: Company, car_id: int) -> tuple[bool, list[int]]:
    return in_schema(
        company,
        lambda: (
            Car.objects.filter(pk=car_id).exists(),
            _ids(FuelRecord.objects.filter(car_id=car_id)),
        ),
    )


# The four ways a DELETE of a car and a POST of its fuel record can meet: one after the other
# (these two tests), and one in the middle of the other (the two lock-held tests below).


def test_a_fuel_record_for_a_car_deleted_just_before_is_refused(acme):
    car_id = committed_car(acme)

    deleted = committed(request(admin_client(acme), "delete", f"{CARS}{car_id}/"))
    posted = committed(request(admin_client(acme), "post", FUEL_RECORDS, {"car": car_id, **FUEL}))

    assert deleted == (204, None)
    assert posted == (
        400,
        {
            "type": "validation_error",
            "errors": [
                {
                    "code": "does_not_exist",
                    "detail": f'Invalid pk "{car_id}" - object does not exist.',
                    "attr": "car",
                }
            ],
        },
    )
    assert car_and_fuel(acme, car_id) == (False, [])


def test_a_car_that_got_a_fuel_record_just_before_its_delete_is_kept(acme):
    car_id = committed_car(acme)

    posted = committed(request(admin_client(acme), "post", FUEL_RECORDS, {"car": car_id, **FUEL}))
    deleted = committed(request(admin_client(acme), "delete", f"{CARS}{car_id}/"))

    assert posted[0] == 201
    assert deleted == (
        409,
        {
            "type": "client_error",
            "errors": [
                {
                    "code": "car_has_history",
                    "detail": "This car has history (fuel records); set its status to "
                    "decommissioned instead.",
                    "attr": None,
                }
            ],
        },
    )
    assert car_and_fuel(acme, car_id) == (True, [posted[1]["id"]])


def test_car_deleted_between_a_fuel_records_check_and_commit_refuses_the_record(acme):
    car_id = committed_car(acme)
    deleter, poster = admin_client(acme), admin_client(acme)

    with table_locked(acme, FuelRecord._meta.db_table):
        # The POST has found the car and now waits to insert the record.
        post = in_background(request(poster, "post", FUEL_RECORDS, {"car": car_id, **FUEL}))
        wait_until_blocked(acme, FuelRecord)
        deleted = committed(request(deleter, "delete", f"{CARS}{car_id}/"))
    posted = post()

    assert deleted == (204, None)
    assert posted == (
        400,
        {
            "type": "validation_error",
            "errors": [
                {
                    "code": "does_not_exist",
                    "detail": "The referenced object does not exist (any more).",
                    "attr": "car",
                }
            ],
        },
    )
    assert car_and_fuel(acme, car_id) == (False, [])


def test_car_that_gets_a_fuel_record_while_being_deleted_is_kept(acme):
    car_id = committed_car(acme)
    deleter, poster = admin_client(acme), admin_client(acme)

    with table_locked(acme, Car._meta.db_table):
        # The DELETE has found no history and now waits to delete the row.
        delete = in_background(request(deleter, "delete", f"{CARS}{car_id}/"))
        wait_until_blocked(acme, Car)
        posted = committed(request(poster, "post", FUEL_RECORDS, {"car": car_id, **FUEL}))
    deleted = delete()

    assert posted[0] == 201
    assert deleted == (
        409,
        {
            "type": "client_error",
            "errors": [
                {
                    "code": "car_has_history",
                    "detail": "This car got history while it was being deleted; it was kept.",
                    "attr": None,
                }
            ],
        },
    )
    assert car_and_fuel(acme, car_id) == (True, [posted[1]["id"]])
