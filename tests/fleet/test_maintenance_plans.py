"""Maintenance plans (`maintenance-plans/`) and the `service` obligation they make in the
compliance rows: due on the earlier of the last service plus `interval_months`, and the last
day of the month in which the km driven since (the car-month mileage rule: a mileage record
wins over the fuel record's km; a month of mileage alone counts) reach `interval_km`."""

import datetime as dt
from decimal import Decimal

import pytest

from shared_apps.accounts.roles import Role
from tenant_apps.fleet.compliance import compliance_rows
from tenant_apps.fleet.models import Car, MaintenancePlan, MonthlyMileage
from tenant_apps.fleet.selectors import CompanyClock
from tenant_apps.notifications.reminders import reminders_send
from tests.factories import CarFactory, FuelRecordFactory

PLANS = "/api/v1/maintenance-plans/"
DAY = dt.date


def service_rows(car: Car, today: dt.date) -> list[tuple]:
    clock = CompanyClock(today=today, warning_days=30)
    rows = compliance_rows(cars=Car.objects.filter(pk=car.pk), clock=clock, obligations=["service"])
    return [(r.status, r.due, r.days_left, r.document) for r in rows]


def fuel(car: Car, month: int, km: int) -> None:
    FuelRecordFactory(
        car=car,
        year=2026,
        month=month,
        liters=Decimal("100.00"),
        total_cost=Decimal("7000.00"),
        mileage_km=km,
    )


@pytest.fixture
def driven(in_acme) -> Car:
    """Serviced on 15 March 2026. March's km (the service's own month) do not count; April
    3,000; May 4,000 by its fuel record but 4,500 by its mileage record, which wins; June 2,500
    by a mileage record alone (no fuel that month): 10,000 km by the end of June."""
    car = CarFactory(numplate="01KG700SRV")
    fuel(car, 3, 2_000)
    fuel(car, 4, 3_000)
    fuel(car, 5, 4_000)
    MonthlyMileage.objects.create(car=car, month=DAY(2026, 5, 1), mileage_km=4_500)
    MonthlyMileage.objects.create(car=car, month=DAY(2026, 6, 1), mileage_km=2_500)
    return car


def plan(car: Car, **fields) -> MaintenancePlan:
    fields.setdefault("name", "Oil change")
    fields.setdefault("last_done_at", DAY(2026, 3, 15))
    return MaintenancePlan.objects.create(car=car, **fields)


def test_the_km_fall_due_before_the_months(driven):
    oil = plan(driven, interval_km=10_000, interval_months=12)

    assert service_rows(driven, DAY(2026, 6, 20)) == [("expiring", DAY(2026, 6, 30), 10, oil.pk)]
    assert service_rows(driven, DAY(2026, 7, 5)) == [("expired", DAY(2026, 6, 30), -5, oil.pk)]


def test_without_the_mileage_record_may_has_4000_km_and_the_months_fall_due_first(driven):
    MonthlyMileage.objects.filter(car=driven, month=DAY(2026, 5, 1)).delete()  # 9,500 km
    oil = plan(driven, interval_km=10_000, interval_months=12)

    assert service_rows(driven, DAY(2026, 6, 20)) == [("active", DAY(2027, 3, 15), 268, oil.pk)]


def test_months_alone_end_at_the_end_of_a_shorter_month(in_acme):
    car = CarFactory(numplate="01KG701SRV")
    wash = plan(car, name="Wash", interval_months=1, last_done_at=DAY(2026, 1, 31))

    assert service_rows(car, DAY(2026, 2, 10)) == [("expiring", DAY(2026, 2, 28), 18, wash.pk)]


def test_km_alone_not_reached_is_active_without_a_date(driven):
    tyres = plan(driven, name="Tyre rotation", interval_km=50_000)

    assert service_rows(driven, DAY(2026, 7, 1)) == [("active", None, None, tyres.pk)]


def test_each_plan_is_a_row_soonest_first(driven):
    later = plan(driven, name="Timing belt", interval_months=24)
    sooner = plan(driven, name="Oil change", interval_km=10_000)

    assert service_rows(driven, DAY(2026, 6, 1)) == [
        ("expiring", DAY(2026, 6, 30), 29, sooner.pk),
        ("active", DAY(2028, 3, 15), 653, later.pk),
    ]


def test_a_decommissioned_car_has_no_service_rows_in_the_report(acme_as, driven):
    plan(driven, interval_months=1)
    Car.objects.filter(pk=driven.pk).update(status="decommissioned")

    rows = acme_as(Role.GUEST).get("/api/v1/reports/compliance/", {"obligation": "service"})

    assert rows.json()["rows"] == []


def test_a_service_falling_due_is_reminded_with_the_plans_name(driven, acme, make_user):
    user = make_user(acme, Role.DISPATCHER, language="en")
    plan(driven, interval_km=10_000, interval_months=12)

    (notification,) = [n for n in reminders_send(today=DAY(2026, 6, 24)) if n.recipient == user]

    assert "  - Service: Oil change: due on 2026-06-30 (in 6 days)\n" in notification.body
    services = [i for i in notification.items if i["obligation"] == "service"]
    assert [(i["threshold"], i["plan"], i["due"]) for i in services] == [
        ("7", "Oil change", "2026-06-30")
    ]


# --- The API --------------------------------------------------------------------------------------


def test_the_workshop_writes_plans_and_the_accountant_reads_them(acme_as, in_acme):
    car = CarFactory(numplate="01KG702SRV")
    body = {"car": car.pk, "name": "Oil change", "interval_km": 10000, "last_done_at": "2026-03-15"}

    created = acme_as(Role.MECHANIC).post(PLANS, body, format="json")
    refused = acme_as(Role.ACCOUNTANT).post(PLANS, body, format="json")

    assert created.status_code == 201
    assert {k: created.json()[k] for k in (*body, "car_numplate", "interval_months")} == {
        **body,
        "car_numplate": "01KG702SRV",
        "interval_months": None,
    }
    assert refused.status_code == 403
    listed = acme_as(Role.ACCOUNTANT).get(PLANS, {"car": car.pk}).json()
    assert [p["name"] for p in listed["results"]] == ["Oil change"]


def test_a_plan_needs_an_interval(acme_as, in_acme):
    car = CarFactory(numplate="01KG703SRV")

    response = acme_as(Role.DISPATCHER).post(
        PLANS, {"car": car.pk, "name": "Check", "last_done_at": "2026-03-15"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "invalid",
            "detail": "Give an interval in km, in months, or both.",
            "attr": "non_field_errors",
        }
    ]
    assert not MaintenancePlan.objects.exists()
