"""Questions that once went to the wrong answer (the "assistant" issue): cars by status, the
most expensive car, one car's document, the cars without a valid document. A fixed fleet: A
with a valid OSAGO, B whose OSAGO lapsed, C (in repair) without any; each answer written out."""

import datetime as dt
from decimal import Decimal

import pytest

from shared_apps.accounts.roles import Role
from tenant_apps.fleet.selectors import company_today
from tests.ai.test_assistant import chat
from tests.factories import CarFactory, InsuranceFactory, SpareFactory


@pytest.fixture
def fleet(in_acme):
    today = company_today(in_acme)
    a, b = CarFactory(numplate="01KG001RTE"), CarFactory(numplate="01KG002RTE")
    c = CarFactory(numplate="01KG003RTE", status="repair")
    valid = InsuranceFactory(car=a, start_date=today - dt.timedelta(days=10),
                             end_date=today + dt.timedelta(days=100))  # fmt: skip
    lapsed = InsuranceFactory(car=b, start_date=today - dt.timedelta(days=400),
                              end_date=today - dt.timedelta(days=5))  # fmt: skip
    SpareFactory(car=b, part_price=Decimal("9000.00"), work_price=Decimal("0"),
                 installed_at=today.replace(day=1))  # fmt: skip
    SpareFactory(car=a, part_price=Decimal("100.00"), work_price=Decimal("0"),
                 installed_at=today.replace(day=1))  # fmt: skip
    return {"a": a, "b": b, "c": c, "valid_end": valid.end_date, "lapsed_end": lapsed.end_date}


@pytest.fixture
def guest(acme_as):
    return acme_as(Role.GUEST)


@pytest.mark.parametrize(
    ("message", "reply"),
    [
        ("сколько машин в ремонте", "Машин в статусе «В ремонте»: 1 из 3."),
        ("how many cars are in repair?", "Cars with the status “In repair”: 1 of 3."),
        ("how many cars are active", "Cars with the status “Active”: 2 of 3."),
    ],
)
def test_cars_by_status(guest, fleet, message, reply):
    assert chat(guest, message)["reply"] == reply


def test_a_question_about_repair_costs_is_still_about_costs(guest, fleet):
    assert chat(guest, "сколько потратили на ремонт")["data"]["kind"] == "maintenance_costs"


@pytest.mark.parametrize("message", ["самая дорогая машина", "the most expensive car"])
def test_the_most_expensive_car_is_one_car(guest, fleet, message):
    body = chat(guest, message)

    assert [(r["numplate"], r["value"]) for r in body["data"]["rows"]] == [
        ("01KG002RTE", "9000.00")
    ]


def test_one_cars_osago(guest, fleet):
    body = chat(guest, "когда заканчивается осаго 01KG001RTE")  # noqa: RUF001

    assert body["reply"] == f"ОСАГО: 01KG001RTE действует {fleet['valid_end']}."
    assert body["data"]["kind"] == "compliance_rows"


@pytest.mark.parametrize(
    ("message", "template"),
    [
        (
            "Which cars have no valid OSAGO?",
            "No valid OSAGO: 01KG003RTE missing, 01KG002RTE expired {lapsed}.",
        ),
        (
            "у каких машин нет осаго",  # noqa: RUF001
            "«ОСАГО» не в порядке: 01KG003RTE отсутствует, 01KG002RTE просрочено {lapsed}.",
        ),
    ],
)
def test_the_cars_without_a_valid_osago_are_named(guest, fleet, message, template):
    assert chat(guest, message)["reply"] == template.format(lapsed=fleet["lapsed_end"])


def test_the_cars_without_a_fire_extinguisher(guest, fleet):
    """No car has a kit: every one lacks it ("missing"), plates in order."""
    assert chat(guest, "у каких машин нет огнетушителя")["reply"] == (
        "«Огнетушитель» не в порядке: 01KG001RTE отсутствует, 01KG002RTE отсутствует, "
        "01KG003RTE отсутствует."
    )


@pytest.mark.parametrize(
    ("message", "days"),
    [
        ("what expires in the next 120 days", 120),
        ("что истекает в ближайшие 10 дней", 10),
        ("what expires soon", 30),  # the company's window
    ],
)
def test_a_window_asked_for_is_used(guest, fleet, message, days):
    body = chat(guest, message)

    assert body["data"]["days"] == days


def test_a_policy_yet_to_start_is_not_listed_as_urgent(guest, fleet, in_acme):
    """A renewal bought ahead (upcoming) is no news; the lapsed policy is."""
    today = company_today(in_acme)
    InsuranceFactory(car=fleet["b"], number="RENEWAL-1", start_date=today + dt.timedelta(days=3),
                     end_date=today + dt.timedelta(days=368))  # fmt: skip

    reply = chat(guest, "what expires soon?", language="en")["reply"]

    assert reply == (
        "0 documents expire within 30 days, 1 have expired. "
        f"Soonest: 01KG002RTE osago {fleet['lapsed_end']}."
    )
