"""The assistant's proposals never harm the data (the cases of the "assistant" issue, each once
reproduced): a fill-up adds to the month, nothing unsaid is zeroed, a status change reads the
target state, numbers are read as written, and a role is only proposed what it may do."""

import datetime as dt
from decimal import Decimal

import pytest

from shared_apps.accounts.roles import Role
from tenant_apps.fleet.models import FuelRecord
from tenant_apps.fleet.selectors import company_today
from tests.ai.test_assistant import chat
from tests.factories import CarFactory, FuelRecordFactory, MonthlyMileageFactory

PLATE = "01KG777FIL"


@pytest.fixture
def car(in_acme):
    return CarFactory(numplate=PLATE, status="repair")


@pytest.fixture
def this_month(in_acme) -> dt.date:
    return company_today(in_acme).replace(day=1)


@pytest.fixture
def dispatcher(acme_as):
    return acme_as(Role.DISPATCHER)


def test_a_fill_up_adds_to_the_month_and_keeps_what_was_not_said(dispatcher, car, this_month):
    """ "Заправили 01KG777FIL: 40 литров, 2500 сом" with 60 l / 4200 som / 500 km recorded this
    month: 100 l and 6700 som, the 500 km untouched (not replaced by 40 l / 0 km)."""
    record = FuelRecordFactory(
        car=car, year=this_month.year, month=this_month.month, liters=Decimal("60.00"),
        total_cost=Decimal("4200.00"), mileage_km=500,
    )  # fmt: skip

    body = chat(dispatcher, f"Заправили {PLATE}: 40 литров, 2500 сом", language="ru")

    month = f"{this_month:%Y-%m}"
    (action,) = body["actions"]
    assert action == {
        "action": "update",
        "entity": "fuel_record",
        "id": record.pk,
        "data": {"liters": "100.00", "total_cost": "6700.00"},
        "summary": f"Добавить заправку {PLATE}, {month}: liters 60.00 → 100.00, "
        "total_cost 4200.00 → 6700.00",
    }


def test_a_correction_replaces_only_what_it_says(dispatcher, car, this_month):
    FuelRecordFactory(
        car=car, year=this_month.year, month=this_month.month, liters=Decimal("60.00"),
        total_cost=Decimal("4200.00"), mileage_km=500,
    )  # fmt: skip

    body = chat(dispatcher, f"correct the fuel of {PLATE}: 55 l", language="en")

    assert body["actions"][0]["data"] == {"liters": "55.00"}
    assert "liters 60.00 → 55.00" in body["actions"][0]["summary"]


def test_a_new_months_fill_up_asks_for_what_it_lacks_instead_of_zero(dispatcher, car):
    body = chat(dispatcher, f"заправили {PLATE} 40 л, 2500 сом, март 2020", language="ru")

    assert body == {
        "reply": f"У {PLATE} ещё нет записи о топливе за 2020-03: укажите и стоимость, и пробег "
        "(«0 км», если не ездила), например «50 л, 3000 сом, 420 км».",
        "actions": [],
        "data": None,
    }
    assert not FuelRecord.objects.filter(car=car).exists()


@pytest.mark.parametrize(
    ("message", "status"),
    [
        (f"переведи {PLATE} из ремонта в работу", "active"),
        (f"move {PLATE} from repair to active", "active"),
        (f"переведи {PLATE} в ремонт", "repair"),
        (f"put {PLATE} into reserve", "reserve"),
    ],
)
def test_a_status_change_reads_the_target_state(dispatcher, car, message, status):
    (action,) = chat(dispatcher, message)["actions"]

    assert (action["entity"], action["id"], action["data"]) == ("car", car.pk, {"status": status})


@pytest.mark.parametrize(
    ("message", "km"),
    [
        (f"запиши пробег {PLATE} 1 500 км, март 2026", 1500),
        (f"record the mileage of {PLATE}: 12,500 km, March 2026", 12500),
        (f"record the mileage of {PLATE}: 12500 km, March 2026", 12500),
    ],
)
def test_thousands_are_read_as_written(dispatcher, car, message, km):
    (action,) = chat(dispatcher, message)["actions"]

    assert action["data"] == {"car": car.pk, "month": "2026-03", "mileage_km": km}


def test_an_amount_is_no_year(dispatcher, car, this_month):
    """An amount ("2000 som") is no year: the period stays the default (this year to date)."""
    body = chat(dispatcher, "top 3 cars by fuel cost over 2000 som", language="en")

    assert (body["data"]["from"], body["data"]["to"]) == (
        f"{this_month.year}-01",
        f"{this_month:%Y-%m}",
    )


def test_another_osago_names_no_policy_number(dispatcher, car):
    (action,) = chat(dispatcher, f"add another OSAGO for {PLATE}")["actions"]

    assert action["data"] == {"car": car.pk, "insurance_type": "osago"}


@pytest.mark.parametrize(
    ("role", "message", "reply"),
    [
        (
            Role.MECHANIC,
            f"add fuel for {PLATE}: 50 l, 3000 som, 420 km, March 2026",
            "Your role (Mechanic) cannot change fuel records; ask Company admin, Dispatcher, "
            "Accountant.",
        ),
        (
            Role.ACCOUNTANT,
            f"move {PLATE} from repair to active",
            "Your role (Accountant) cannot change cars; ask Company admin, Dispatcher.",
        ),
        (
            Role.DRIVER,
            f"add OSAGO for {PLATE} number OS-1",
            "Your role (Driver) cannot change insurances; ask Company admin, Dispatcher, "
            "Accountant.",
        ),
    ],
)
def test_a_role_is_only_proposed_what_it_may_do(acme_as, car, role, message, reply):
    body = chat(acme_as(role, language="en"), message, language="en")

    assert body == {"reply": reply, "actions": [], "data": None}


def test_the_accountant_is_proposed_fuel(acme_as, car):
    body = chat(
        acme_as(Role.ACCOUNTANT), f"add fuel for {PLATE}: 50 l, 3000 som, 420 km, March 2026"
    )

    assert [a["entity"] for a in body["actions"]] == ["fuel_record"]


def test_a_mileage_record_is_shown_before_it_is_changed(dispatcher, car):
    MonthlyMileageFactory(car=car, month=dt.date(2026, 3, 1), mileage_km=1000)

    (action,) = chat(dispatcher, f"record the mileage of {PLATE}: 1,500 km, March 2026")["actions"]

    assert (action["action"], action["data"]) == ("update", {"mileage_km": 1500})
    assert action["summary"] == f"Change the mileage of {PLATE}, 2026-03: 1000 → 1500 km"


def test_by_car_the_facade_keeps_the_biggest_consumers_not_the_last_plates(in_acme):
    """30 cars; the one with the most fuel has the first plate of the alphabet. Cut to 24 rows
    by liters, it is first; cut by plate order, it was dropped."""
    from tenant_apps.ai import facade

    for n in range(30):
        car = CarFactory(numplate=f"0{n % 10}KG{n:03d}AAA")
        FuelRecordFactory(
            car=car, year=2026, month=3, liters=Decimal(10 + n), total_cost=Decimal("100.00"),
            mileage_km=100,
        )  # fmt: skip
    biggest = CarFactory(numplate="00KG000BIG")
    FuelRecordFactory(car=biggest, year=2026, month=3, liters=Decimal("500.00"),
                      total_cost=Decimal("100.00"), mileage_km=100)  # fmt: skip

    result = facade.fuel_consumption(date_from="2026-03", date_to="2026-03", group_by="car")

    assert (result["rows_total"], len(result["rows"])) == (31, facade.MAX_ROWS)
    assert [r["liters"] for r in result["rows"][:3]] == ["500.00", "39.00", "38.00"]
    assert result["rows"][0]["numplate"] == "00KG000BIG"
    assert result["rows"][-1]["liters"] == "17.00"  # the 24th: 500, then 39 down to 17


# --- Periods said the way people say them, on a fixed today -------------------------------------


@pytest.fixture
def fixed_today(monkeypatch):
    """The provider's today: 15 May 2026 (a quarter's second month, March before it, June after)."""
    from tenant_apps.ai.providers.local import provider

    monkeypatch.setattr(provider, "company_today", lambda company: dt.date(2026, 5, 15))


@pytest.mark.parametrize(
    ("message", "period"),
    [
        ("fuel consumption last quarter", ("2026-01", "2026-03")),
        ("расход топлива за прошлый квартал", ("2026-01", "2026-03")),
        ("fuel this quarter", ("2026-04", "2026-06")),
        ("fuel in Q3", ("2025-07", "2025-09")),  # Q3 2026 has not begun: the latest Q3
        ("fuel in Q1 2026", ("2026-01", "2026-03")),
        ("расход топлива за 2 квартал 2025", ("2025-04", "2025-06")),
        ("расход топлива за третий квартал", ("2025-07", "2025-09")),
        ("расход топлива за март", ("2026-03", "2026-03")),
        ("расход топлива за июнь", ("2025-06", "2025-06")),  # June 2026 is ahead
        ("fuel consumption in december", ("2025-12", "2025-12")),
        ("fuel consumption in May", ("2026-05", "2026-05")),
    ],
)
def test_periods_as_people_say_them(dispatcher, in_acme, fixed_today, message, period):
    body = chat(dispatcher, message)

    assert (body["data"]["from"], body["data"]["to"]) == period
