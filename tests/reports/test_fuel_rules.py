"""The fuel report's rules, each from a case a fleet manager can check by hand: a car-month's km
come from its mileage record when there is one, else from its fuel record; the average is
weighted over the car-months that have both liters and km; liters without km are reported apart;
fuel types are never averaged together; every report takes a set of cars and the car filters."""

import datetime as dt
from decimal import Decimal

import pytest

from shared_apps.accounts.roles import Role
from tests.factories import CarFactory, FuelRecordFactory, MonthlyMileageFactory

pytestmark = pytest.mark.django_db

FUEL = "/api/v1/reports/fuel-consumption/"
JAN_MAR = {"from": "2026-01", "to": "2026-03"}


@pytest.fixture
def reader(acme_as):
    return acme_as(Role.GUEST)


def report(reader, **params) -> dict:
    response = reader.get(FUEL, params)
    assert response.status_code == 200, response.content
    return response.json()


def fill(car, month: int, liters: str, km: int, cost: str = "0.00"):
    return FuelRecordFactory(
        car=car,
        year=2026,
        month=month,
        liters=Decimal(liters),
        total_cost=Decimal(cost),
        mileage_km=km,
    )


def drove(car, month: int, km: int):
    return MonthlyMileageFactory(car=car, month=dt.date(2026, month, 1), mileage_km=km)


def figures(row: dict) -> tuple:
    return (
        row["liters"],
        row["mileage_km"],
        row["liters_without_mileage"],
        row["avg_consumption_l_per_100km"],
    )


def test_a_month_without_km_does_not_inflate_the_average(reader, in_acme):
    """Jan 50 l / 500 km, Feb 50 l / 0 km: 10.00 l/100 km (not 100 l / 500 km = 20.00)."""
    car = CarFactory()
    fill(car, 1, "50.00", 500)
    fill(car, 2, "50.00", 0)

    body = report(reader, **JAN_MAR, group_by="month")

    assert figures(body["totals"]) == ("100.00", 500, "50.00", "10.00")
    assert [figures(row) for row in body["rows"]] == [
        ("50.00", 500, "0.00", "10.00"),
        ("50.00", 0, "50.00", None),
        ("0.00", 0, "0.00", None),
    ]


def test_the_mileage_record_gives_the_month_its_km(reader, in_acme):
    """1,000 km entered in `monthly-mileages/` and 80 l with `mileage_km = 0`: 8.00."""
    car = CarFactory()
    fill(car, 1, "80.00", 0)
    drove(car, 1, 1000)

    body = report(reader, **JAN_MAR, group_by="car")

    assert figures(body["totals"]) == ("80.00", 1000, "0.00", "8.00")


def test_the_mileage_record_wins_over_the_fuel_record_km(reader, in_acme):
    car = CarFactory()
    fill(car, 1, "40.00", 300)
    drove(car, 1, 400)
    drove(car, 4, 999)  # after the period

    body = report(reader, **JAN_MAR, group_by="car")

    assert figures(body["totals"]) == ("40.00", 400, "0.00", "10.00")


def test_an_electric_car_km_count_without_moving_the_average(reader, in_acme):
    petrol = CarFactory(fuel_type="petrol")
    electric = CarFactory(fuel_type="electric")
    fill(petrol, 2, "30.00", 300, cost="2100.00")
    drove(electric, 2, 1200)
    drove(electric, 3, 800)

    by_month = report(reader, **JAN_MAR, group_by="month")
    by_car = report(reader, **JAN_MAR, group_by="car")

    assert figures(by_month["totals"]) == ("30.00", 2300, "0.00", "10.00")
    assert [figures(row) for row in by_month["rows"]] == [
        ("0.00", 0, "0.00", None),
        ("30.00", 1500, "0.00", "10.00"),
        ("0.00", 800, "0.00", None),
    ]
    assert {row["car"]: figures(row) for row in by_car["rows"]} == {
        petrol.pk: ("30.00", 300, "0.00", "10.00"),
        electric.pk: ("0.00", 2000, "0.00", None),
    }


def test_fuel_types_are_never_averaged_together(reader, in_acme):
    """Petrol 40 l / 500 km (8.00) and diesel 90 l / 600 km (15.00) in January: the month and
    the totals have no average; each type has its own."""
    petrol = CarFactory(fuel_type="petrol", numplate="01KG001PET")
    diesel = CarFactory(fuel_type="diesel", numplate="01KG002DSL")
    fill(petrol, 1, "40.00", 500, cost="2800.00")
    fill(diesel, 1, "90.00", 600, cost="6300.00")
    fill(petrol, 2, "20.00", 200, cost="1400.00")

    by_month = report(reader, **JAN_MAR, group_by="month")
    by_type = report(reader, **JAN_MAR, group_by="fuel_type")

    assert figures(by_month["totals"]) == ("150.00", 1300, "0.00", None)
    assert [figures(row) for row in by_month["rows"]] == [
        ("130.00", 1100, "0.00", None),  # petrol and diesel
        ("20.00", 200, "0.00", "10.00"),  # petrol alone
        ("0.00", 0, "0.00", None),
    ]
    assert [(row["fuel_type"], *figures(row), row["cost"]) for row in by_type["rows"]] == [
        ("diesel", "90.00", 600, "0.00", "15.00", "6300.00"),
        ("petrol", "60.00", 700, "0.00", "8.57", "4200.00"),
    ]
    assert by_type["group_by"] == "fuel_type"
    assert figures(by_type["totals"]) == ("150.00", 1300, "0.00", None)


def test_a_set_of_cars_and_the_car_filters(reader, in_acme):
    a = CarFactory(numplate="01KG001AAA", region="bishkek", vehicle_type="car")
    b = CarFactory(numplate="01KG002BBB", region="osh", vehicle_type="truck", fuel_type="diesel")
    c = CarFactory(numplate="01KG003CCC", region="osh", vehicle_type="car")
    sold = CarFactory(numplate="01KG004DDD", status="decommissioned")
    for car, liters, km in [(a, "10.00", 100), (b, "20.00", 100), (c, "30.00", 100)]:
        fill(car, 1, liters, km)
    fill(sold, 1, "40.00", 100)

    def plates(**params) -> list[str]:
        body = report(reader, **JAN_MAR, group_by="car", **params)
        return [row["numplate"] for row in body["rows"]]

    assert plates() == ["01KG001AAA", "01KG002BBB", "01KG003CCC"]
    assert plates(car=[a.pk, c.pk]) == ["01KG001AAA", "01KG003CCC"]
    assert plates(car=[a.pk, c.pk], region="osh") == ["01KG003CCC"]
    assert plates(region="osh") == ["01KG002BBB", "01KG003CCC"]
    assert plates(vehicle_type="truck") == ["01KG002BBB"]
    assert plates(fuel_type="petrol") == ["01KG001AAA", "01KG003CCC"]
    assert plates(status="decommissioned") == ["01KG004DDD"]
    assert plates(car=[sold.pk]) == []  # decommissioned: only when `status` asks
    body = report(reader, **JAN_MAR, group_by="month", car=[a.pk, c.pk])
    assert figures(body["totals"]) == ("40.00", 200, "0.00", "20.00")


def test_a_set_with_an_unknown_or_another_company_car_is_refused(reader, in_acme, globex):
    from django.db import connection

    mine = CarFactory()
    connection.set_tenant(globex)
    theirs = CarFactory()
    connection.set_tenant(in_acme)

    for bad in ([mine.pk, theirs.pk], [mine.pk, 999_999], ["abc"], [2**70]):
        response = reader.get(FUEL, {**JAN_MAR, "car": bad})
        assert response.status_code == 400, bad
        assert response.json()["errors"][0]["attr"] == "car", bad
