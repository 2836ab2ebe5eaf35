"""Tyres, batteries and dashcams in service during a period, and one tyre set mounted per car at
a time (an exclusion constraint in PostgreSQL), with exact values.

A tyre set is in service from `installed_at` to `removed_at` (both days included), or on while
`removed_at` is empty; a battery or a dashcam has no removal date and is in service from
`installed_at` on. The period of the filters below is the second quarter of 2026."""

import datetime as dt
import importlib

import pytest
from django.db import connection

from shared_apps.accounts.roles import Role
from tenant_apps.fleet.models import Car, Tires
from tests.factories import AccumulatorFactory, CarFactory, RecorderFactory, TiresFactory
from tests.fleet.test_races import admin_client, request
from tests.threads import committed, in_schema, run_in_parallel

API = "/api/v1"
TIRES = f"{API}/tires/"
QUARTER = "date_from=2026-04-01&date_to=2026-06-30"

OVERLAP = {
    "type": "validation_error",
    "errors": [
        {
            "code": "overlap",
            "detail": "This car already has a tyre set mounted during this period.",
            "attr": "installed_at",
        }
    ],
}


@pytest.fixture
def dispatcher(acme_as):
    return acme_as(Role.DISPATCHER)


@pytest.fixture
def car(in_acme):
    return CarFactory(numplate="01KG500TYR")


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def listed(client, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def tyres(car, installed_at: str, removed_at: str | None = None) -> Tires:
    return TiresFactory(
        car=car, installed_at=day(installed_at), removed_at=removed_at and day(removed_at)
    )


def tyre_payload(car_id: int, installed_at: str, removed_at: str | None = None, **fields) -> dict:
    return {
        "car": car_id,
        "model": "Michelin X-Ice North 4",
        "size": "205/55 R16",
        "price": "28000.00",
        "installed_at": installed_at,
        "removed_at": removed_at,
        **fields,
    }


def stored_periods(car) -> list[tuple[str, str | None]]:
    return [
        (str(installed), removed and str(removed))
        for installed, removed in Tires.objects.filter(car=car)
        .order_by("installed_at")
        .values_list("installed_at", "removed_at")
    ]


# --- In service during a period -------------------------------------------------------------------


def test_tyres_in_service_during_the_quarter(dispatcher, in_acme):
    """Each set on a car of its own: the filter, not the constraint, is under test."""
    on_since_last_year = tyres(CarFactory(), "2025-05-10")
    removed_on_the_first_day = tyres(CarFactory(), "2025-10-01", "2026-04-01")
    installed_on_the_last_day = tyres(CarFactory(), "2026-06-30")
    removed_within = tyres(CarFactory(), "2026-01-10", "2026-05-01")
    within = tyres(CarFactory(), "2026-04-20", "2026-06-10")
    tyres(CarFactory(), "2025-10-01", "2026-03-31")  # removed the day before
    tyres(CarFactory(), "2026-07-01")  # installed the day after

    assert listed(dispatcher, f"{TIRES}?{QUARTER}") == {
        on_since_last_year.pk,
        removed_on_the_first_day.pk,
        installed_on_the_last_day.pk,
        removed_within.pk,
        within.pk,
    }


def test_tyre_period_filters_each_alone(dispatcher, in_acme):
    old = tyres(CarFactory(), "2025-10-01", "2026-03-31")
    mounted = tyres(CarFactory(), "2025-05-10")
    later = tyres(CarFactory(), "2026-07-01")

    assert listed(dispatcher, f"{TIRES}?date_from=2026-04-01") == {mounted.pk, later.pk}
    assert listed(dispatcher, f"{TIRES}?date_to=2026-06-30") == {old.pk, mounted.pk}
    assert listed(dispatcher, f"{TIRES}?date_from=2026-03-31&date_to=2026-03-31") == {
        old.pk,
        mounted.pk,
    }


def test_batteries_are_in_service_from_their_installation_on(dispatcher, in_acme):
    url = f"{API}/accumulators/"
    since_2024 = AccumulatorFactory(installed_at=day("2024-06-01"))
    on_the_last_day = AccumulatorFactory(installed_at=day("2026-06-30"))
    within = AccumulatorFactory(installed_at=day("2026-04-01"))
    after = AccumulatorFactory(installed_at=day("2026-07-01"))

    assert listed(dispatcher, f"{url}?{QUARTER}") == {since_2024.pk, on_the_last_day.pk, within.pk}
    assert listed(dispatcher, f"{url}?date_from=2026-04-01") == {
        since_2024.pk,
        on_the_last_day.pk,
        within.pk,
        after.pk,
    }
    assert listed(dispatcher, f"{url}?date_to=2026-03-31") == {since_2024.pk}


def test_dashcams_are_in_service_from_their_installation_on(dispatcher, in_acme):
    url = f"{API}/recorders/"
    since_2025 = RecorderFactory(installed_at=day("2025-05-10"))
    on_the_last_day = RecorderFactory(installed_at=day("2026-06-30"))
    after = RecorderFactory(installed_at=day("2026-07-01"))
    date_unknown = RecorderFactory(installed_at=None)

    assert listed(dispatcher, f"{url}?{QUARTER}") == {since_2025.pk, on_the_last_day.pk}
    assert listed(dispatcher, f"{url}?date_from=2026-04-01") == {
        since_2025.pk,
        on_the_last_day.pk,
        after.pk,
        date_unknown.pk,
    }
    assert listed(dispatcher, f"{url}?date_to=2026-06-29") == {since_2025.pk}


# --- One tyre set mounted per car at a time -------------------------------------------------------


def test_a_second_mounted_set_is_refused_and_nothing_is_written(dispatcher, car):
    tyres(car, "2025-11-01")

    response = dispatcher.post(TIRES, tyre_payload(car.pk, "2026-04-15"), format="json")

    assert (response.status_code, response.json()) == (400, OVERLAP)
    assert stored_periods(car) == [("2025-11-01", None)]


def test_the_overlap_is_explained_in_the_users_language(dispatcher, car):
    tyres(car, "2025-11-01")

    response = dispatcher.post(
        TIRES, tyre_payload(car.pk, "2026-04-15"), format="json", HTTP_ACCEPT_LANGUAGE="ru"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "overlap",
            "detail": "На этой машине в этот период уже стоит комплект шин.",
            "attr": "installed_at",
        }
    ]


def test_overlapping_past_periods_are_refused(dispatcher, car):
    tyres(car, "2025-01-01", "2025-06-01")

    response = dispatcher.post(
        TIRES, tyre_payload(car.pk, "2024-10-01", "2025-01-02"), format="json"
    )

    assert (response.status_code, response.json()) == (400, OVERLAP)
    response = dispatcher.post(
        TIRES, tyre_payload(car.pk, "2025-05-31", "2025-08-01"), format="json"
    )
    assert (response.status_code, response.json()) == (400, OVERLAP)
    assert stored_periods(car) == [("2025-01-01", "2025-06-01")]


def test_a_set_on_another_car_is_fine(dispatcher, car):
    tyres(car, "2025-11-01")
    other = CarFactory(numplate="01KG501TYR")

    response = dispatcher.post(TIRES, tyre_payload(other.pk, "2026-04-15"), format="json")

    assert response.status_code == 201, response.json()
    assert stored_periods(other) == [("2026-04-15", None)]


def test_back_to_back_sets_are_fine(dispatcher, car):
    tyres(car, "2025-11-01", "2026-04-10")

    response = dispatcher.post(TIRES, tyre_payload(car.pk, "2026-04-11"), format="json")

    assert response.status_code == 201, response.json()
    assert stored_periods(car) == [("2025-11-01", "2026-04-10"), ("2026-04-11", None)]


def test_a_swap_on_one_day_is_fine_a_day_earlier_is_not(dispatcher, car):
    """The day of a swap belongs to the new set: removed the 10th, the next installed the 10th."""
    tyres(car, "2025-11-01", "2026-04-10")

    earlier = dispatcher.post(TIRES, tyre_payload(car.pk, "2026-04-09"), format="json")
    swap = dispatcher.post(TIRES, tyre_payload(car.pk, "2026-04-10"), format="json")

    assert (earlier.status_code, earlier.json()) == (400, OVERLAP)
    assert swap.status_code == 201, swap.json()
    assert stored_periods(car) == [("2025-11-01", "2026-04-10"), ("2026-04-10", None)]
    # Both were in service on the day of the swap.
    assert listed(dispatcher, f"{TIRES}?date_from=2026-04-10&date_to=2026-04-10") == set(
        Tires.objects.filter(car=car).values_list("pk", flat=True)
    )


def test_a_set_removed_the_day_it_was_installed_occupies_no_day(dispatcher, car):
    tyres(car, "2026-04-10")

    response = dispatcher.post(
        TIRES, tyre_payload(car.pk, "2026-04-10", "2026-04-10"), format="json"
    )

    assert response.status_code == 201, response.json()


def test_a_patch_that_makes_an_overlap_is_refused(dispatcher, car):
    old = tyres(car, "2025-11-01", "2026-04-10")
    tyres(car, "2026-04-10")

    later_removal = dispatcher.patch(
        f"{TIRES}{old.pk}/", {"removed_at": "2026-04-11"}, format="json"
    )
    back_on = dispatcher.patch(f"{TIRES}{old.pk}/", {"removed_at": None}, format="json")

    assert (later_removal.status_code, later_removal.json()) == (400, OVERLAP)
    assert (back_on.status_code, back_on.json()) == (400, OVERLAP)
    assert stored_periods(car) == [("2025-11-01", "2026-04-10"), ("2026-04-10", None)]


def test_a_patch_of_a_set_never_collides_with_itself(dispatcher, car):
    """Neither in the database nor in the look-up that runs when another field is wrong."""
    mounted = tyres(car, "2026-04-10")
    url = f"{TIRES}{mounted.pk}/"

    wrong_price = dispatcher.patch(
        url, {"installed_at": "2026-04-01", "price": "-1"}, format="json"
    )
    moved = dispatcher.patch(url, {"installed_at": "2026-04-01"}, format="json")

    assert wrong_price.status_code == 400
    assert [(e["attr"], e["code"]) for e in wrong_price.json()["errors"]] == [
        ("price", "min_value")
    ]
    assert moved.status_code == 200, moved.json()
    assert stored_periods(car) == [("2026-04-01", None)]


def test_an_overlap_is_reported_together_with_other_errors(dispatcher, car):
    tyres(car, "2025-11-01")

    response = dispatcher.post(TIRES, tyre_payload(car.pk, "2026-04-15", price="-1"), format="json")

    assert response.status_code == 400
    assert sorted((e["attr"], e["code"], e["detail"]) for e in response.json()["errors"]) == [
        ("installed_at", "overlap", "This car already has a tyre set mounted during this period."),
        ("price", "min_value", "Ensure this value is greater than or equal to 0."),
    ]


def test_reversed_dates_with_another_error_are_a_400_not_a_500(dispatcher, car):
    """The look-up for an overlap cannot even form the period; the model's rule reports it once
    the other error is fixed."""
    tyres(car, "2025-11-01")
    payload = tyre_payload(car.pk, "2026-04-15", "2026-04-14")

    with_price = dispatcher.post(TIRES, {**payload, "price": "-1"}, format="json")
    alone = dispatcher.post(TIRES, payload, format="json")

    assert with_price.status_code == 400
    assert [(e["attr"], e["code"]) for e in with_price.json()["errors"]] == [("price", "min_value")]
    assert alone.status_code == 400
    assert [(e["attr"], e["code"]) for e in alone.json()["errors"]] == [("removed_at", "invalid")]
    assert stored_periods(car) == [("2025-11-01", None)]


def test_the_overlap_code_is_in_the_api_schema(dispatcher):
    schema = dispatcher.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]

    codes = {
        name: component["properties"]["code"]["enum"]
        for name, component in components.items()
        if name.startswith("Tires") and "InstalledAt" in name and "code" in component["properties"]
    }

    assert codes
    assert all("overlap" in enum for enum in codes.values()), codes


# --- Racing requests ------------------------------------------------------------------------------


@pytest.fixture
def committed_car(acme):
    """A committed car (the threads' connections cannot see the test's transaction), removed
    again with its tyres afterwards."""
    car_id = in_schema(acme, lambda: CarFactory(numplate="09RACE500").pk)
    yield car_id

    def remove():
        connection.set_tenant(acme)
        Tires.objects.filter(car_id=car_id).delete()
        Car.objects.filter(pk=car_id).delete()

    committed(remove)


@pytest.mark.parametrize("racers", [2, 4])
def test_racing_overlapping_sets_mount_one_and_refuse_the_rest(acme, committed_car, racers):
    installed = ["2026-04-01", "2026-04-15", "2026-05-01", "2026-06-01"][:racers]
    clients = [admin_client(acme) for _ in installed]

    results = run_in_parallel(
        *(
            request(client, "post", TIRES, tyre_payload(committed_car, day))
            for client, day in zip(clients, installed, strict=True)
        )
    )

    assert sorted(status for status, _ in results) == [201] + [400] * (racers - 1)
    assert [body for status, body in results if status == 400] == [OVERLAP] * (racers - 1)
    (winner,) = (body for status, body in results if status == 201)
    assert in_schema(
        acme,
        lambda: list(Tires.objects.filter(car_id=committed_car).values_list("pk", "installed_at")),
    ) == [(winner["id"], day(winner["installed_at"]))]


def test_racing_back_to_back_sets_are_both_mounted(acme, committed_car):
    clients = [admin_client(acme), admin_client(acme)]
    payloads = [
        tyre_payload(committed_car, "2025-11-01", "2026-04-10"),
        tyre_payload(committed_car, "2026-04-10"),
    ]

    results = run_in_parallel(
        *(
            request(client, "post", TIRES, data)
            for client, data in zip(clients, payloads, strict=True)
        )
    )

    assert [status for status, _ in results] == [201, 201]


# --- Sets that overlapped before the constraint ---------------------------------------------------

MIGRATION = importlib.import_module(
    "tenant_apps.fleet.migrations.0004_tires_one_set_per_car_at_a_time"
)


def test_the_migration_closes_each_overlapping_set_when_the_next_was_installed(in_acme):
    car, other = CarFactory(numplate="01KG502TYR"), CarFactory(numplate="01KG503TYR")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE fleet_tires DROP CONSTRAINT tires_one_set_per_car_at_a_time")
    summer = tyres(car, "2025-04-01")  # never taken off in the records
    winter = tyres(car, "2025-11-01", "2026-05-01")  # taken off after the next went on
    twin = tyres(car, "2026-04-10")  # entered twice on one day
    latest = tyres(car, "2026-04-10")
    alone = tyres(other, "2025-04-01", "2025-11-01")
    untouched_at = {t.pk: t.updated_at for t in (summer, winter, twin, latest, alone)}

    with connection.cursor() as cursor:
        cursor.execute(MIGRATION.CLOSE_OVERLAPPING_SETS)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events for ALTER
    with connection.schema_editor() as editor:
        (constraint,) = (
            c for c in Tires._meta.constraints if c.name == "tires_one_set_per_car_at_a_time"
        )
        editor.add_constraint(Tires, constraint)  # it holds now

    periods = {
        t.pk: (str(t.installed_at), t.removed_at and str(t.removed_at)) for t in Tires.objects.all()
    }
    assert periods == {
        summer.pk: ("2025-04-01", "2025-11-01"),
        winter.pk: ("2025-11-01", "2026-04-10"),
        twin.pk: ("2026-04-10", "2026-04-10"),
        latest.pk: ("2026-04-10", None),
        alone.pk: ("2025-04-01", "2025-11-01"),
    }
    changed = {
        pk
        for pk, updated_at in Tires.objects.values_list("pk", "updated_at")
        if updated_at != untouched_at[pk]
    }
    assert changed == {summer.pk, winter.pk, twin.pk}
