# ruff: noqa: RUF001 - intended: Russian text, and the en dash between months in replies
"""The AI assistant (CONTRACT §10, issue 5) with the built-in `local` provider.

- Chat: every supported question, in Russian and in English, on a fixed data set: `data` holds
  exactly the numbers of the matching report endpoint, the reply says them in the requested
  language; `context` fills in the car and period the message does not name; requests to write
  become proposed actions (never writes: every fleet table is compared before and after each
  call); nonsense gets the help text; the message's size limits.
- Actions: dry run writes nothing and reports `after`; a real run stores what the REST API
  stores; per-action role refusals; another company's ids; invalid data with the REST API's own
  errors; a car with history; results in `index` order.
- Audit log, the `ai_enabled` switch and anonymous access.

Expectations are written out by hand; report bodies are fetched from the report endpoints only to
show that the assistant's numbers are the same. The data set is dated relative to the current
year `Y` (last year `LY`); document statuses are relative to today in Asia/Bishkek."""

import datetime as dt
import json
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connection

from shared_apps.accounts.roles import Role
from shared_apps.companies.models import Company
from tenant_apps.ai.models import AIAuditEntry
from tenant_apps.fleet.models import Car, FuelRecord
from tests.factories import (
    AccumulatorFactory,
    CarFactory,
    FuelRecordFactory,
    InspectionFactory,
    InsuranceFactory,
    MonthlyMileageFactory,
    SpareFactory,
    TiresFactory,
)

API = "/api/v1"
CHAT = f"{API}/ai/chat/"
ACTIONS = f"{API}/ai/actions/"
AUDIT = f"{API}/ai/audit-log/"
FUEL_REPORT = f"{API}/reports/fuel-consumption/"
COSTS_REPORT = f"{API}/reports/maintenance-costs/"
DOCUMENTS_REPORT = f"{API}/reports/insurance-inspection/"

TODAY = dt.datetime.now(ZoneInfo("Asia/Bishkek")).date()
Y = TODAY.year
LY = Y - 1
THIS_MONTH = f"{TODAY:%Y-%m}"

PLATE_A, PLATE_B, PLATE_C = "01KG123ABC", "01KG456DEF", "02KG789GHI"
DRIVER_NAME, DRIVER_PHONE, VIN = "Иванов Иван", "+996555123456", "JTDBR32E530012345"

HELP = {
    "en": (
        "I can answer questions about your fleet and prepare changes for you to confirm. "
        "Try: “fleet summary”, “fuel consumption of 01KG123ABC this year”, “maintenance costs "
        "in 2026”, “what expires soon?”, “top 5 cars by cost”, or “add fuel for 01KG123ABC: "
        "50 l, 3000 som, 420 km, March 2026”."
    ),
    "ru": (
        "Я отвечаю на вопросы об автопарке и готовлю изменения, которые вы подтверждаете. "
        "Например: «сводка по автопарку», «расход топлива 01KG123ABC за этот год», "
        "«затраты на обслуживание в 2026», «что скоро истекает?», «топ 5 машин по "
        "затратам», «добавь топливо для 01KG123ABC: 50 л, 3000 сом, 420 км, март 2026»."
    ),
    "ky": (
        "Мен автопарк боюнча суроолорго жооп берем жана сиз ырастай турган өзгөртүүлөрдү "
        "даярдайм. Мисалы: «автопарк боюнча кыскача», «01KG123ABC күйүүчү май сарпталышы "
        "быйыл», «2026-жылы тейлөө чыгымдары», «эмнелердин мөөнөтү жакында бүтөт?», "
        "«чыгымдар боюнча топ 5 машина», «01KG123ABC үчүн күйүүчү май кош: 50 л, 3000 сом, "
        "420 км, март 2026»."
    ),
}
PERMISSION_DENIED = {
    "code": "permission_denied",
    "detail": "Your role does not allow this action.",
    "attr": None,
}
NOT_FOUND = {"code": "not_found", "detail": "No such record.", "attr": "id"}
AI_DISABLED = {
    "type": "client_error",
    "errors": [
        {
            "code": "ai_disabled",
            "detail": "The AI assistant is turned off for this company.",
            "attr": None,
        }
    ],
}
FUEL_CHART = {"type": "bar", "x": "period", "y": ["liters", "avg_consumption_l_per_100km"]}
COSTS_CHART = {
    "type": "stacked_bar",
    "x": "period",
    "y": ["parts", "work", "tires", "accumulators", "inspections"],
}
TOP_CHART = {"type": "bar", "x": "numplate", "y": ["value"]}


@pytest.fixture(autouse=True)
def local_provider(settings):
    settings.AI_PROVIDER = "local"


# --- Helpers --------------------------------------------------------------------------------------


def fleet_snapshot() -> dict:
    """Every row of every fleet table of acme, in full."""
    connection.set_tenant(Company.objects.get(slug="acme"))
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in apps.get_app_config("fleet").get_models()
    }


def chat(client, message: str, *, language=None, context=None, status=200) -> dict:
    """Ask; the assistant never writes, whatever it answers."""
    body = {"message": message}
    if language is not None:
        body["language"] = language
    if context is not None:
        body["context"] = context
    before = fleet_snapshot()
    response = client.post(CHAT, body, format="json")
    assert fleet_snapshot() == before
    assert response.status_code == status, response.json()
    return response.json()


def run(client, actions: list[dict], *, dry_run: bool) -> list[dict]:
    response = client.post(ACTIONS, {"actions": actions, "dry_run": dry_run}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["dry_run"] is dry_run
    assert [r["index"] for r in body["results"]] == list(range(len(actions)))
    return body["results"]


def get_json(client, url: str, **params) -> dict:
    response = client.get(url, params)
    assert response.status_code == 200, response.json()
    return response.json()


def no_times(record: dict | None) -> dict | None:
    if record is None:
        return None
    return {k: v for k, v in record.items() if k not in ("created_at", "updated_at")}


def fuel_data(report: dict) -> dict:
    """A fuel report body in the shape of the assistant's `data` (no `car` per row)."""
    numbers = (
        "liters",
        "cost",
        "mileage_km",
        "liters_without_mileage",
        "avg_consumption_l_per_100km",
    )
    rows = [
        {"period": r["period"], "numplate": r["numplate"], **{k: r[k] for k in numbers}}
        for r in report["rows"]
    ]
    return {
        "from": report["from"],
        "to": report["to"],
        "group_by": report["group_by"],
        "car": report["car"],
        "totals": {"period": None, "numplate": None, **report["totals"]},
        "rows": rows,
        "rows_total": len(rows),
    }


def costs_data(report: dict) -> dict:
    numbers = ("parts", "work", "tires", "accumulators", "inspections", "total")
    rows = [
        {"period": r["period"], "numplate": r["numplate"], **{k: r[k] for k in numbers}}
        for r in report["rows"]
    ]
    return {
        "from": report["from"],
        "to": report["to"],
        "group_by": report["group_by"],
        "car": report["car"],
        "totals": {"period": None, "numplate": None, **report["totals"]},
        "rows": rows,
        "rows_total": len(rows),
    }


def fuel_totals(liters, cost, km, avg, *, without_km="0.00") -> dict:
    return {
        "liters": liters,
        "cost": cost,
        "mileage_km": km,
        "liters_without_mileage": without_km,
        "avg_consumption_l_per_100km": avg,
    }


def cost_totals(parts, work, tires, accumulators, inspections, total) -> dict:
    return {
        "parts": parts,
        "work": work,
        "tires": tires,
        "accumulators": accumulators,
        "inspections": inspections,
        "total": total,
    }


def assert_no_personal_data(body: dict) -> None:
    text = json.dumps(body, ensure_ascii=False)
    for secret in (DRIVER_NAME, DRIVER_PHONE, VIN):
        assert secret not in text


# --- The data set ---------------------------------------------------------------------------------
#
# Cars: A 01KG123ABC active (with driver, phone, VIN), B 01KG456DEF active, C 02KG789GHI repair.
# Fuel (liters, cost, km → own L/100 km):
#   A LY-12  60.00 4200.00  500  12.00      B LY-06 100.00 7000.00 1000  10.00
#   A Y-01   40.00 2800.00  400  10.00      C Y-02   20.00 1400.00    0  null
#   A Y-03   45.50 3185.00  350  13.00      B Y-03   30.00 2100.00  500   6.00
#   Fleet Y-01..Y-03: Jan 40.00/2800.00/400 10.00, Feb 20.00/1400.00/0 null,
#     Mar 75.50/5285.00/850 8.88; total 135.50/9485.00/1250, of which C's 20.00 without km →
#     115.50 / 1250 = 9.24.
#   Fleet LY: 160.00/11200.00/1500 → 10.67.  A in LY: 60.00/4200.00/500 → 12.00.
# Maintenance:
#   A: spare Y-03-10 1500.00 + 500.00, tyres Y-03-01 24000.00, inspection Y-01-01 1100.00 (made
#     on New Year's Day, so that it has started, whatever day of the year the tests run)
#   B: spare Y-02-05 800.00 + 300.00 (its inspection is dated 2020)
#   C: battery Y-01-15 7500.00 (its inspection is dated 2020)
#   A in Y-03: 26000.00; fleet Y-01..Y-03: 2300.00 + 800.00 + 24000.00 + 7500.00 + 1100.00 =
#   35700.00; by car: A 27100.00, C 7500.00, B 1100.00.
# Documents (end relative to today; warning window 30 days):
#   C inspection -40 expired, B OSAGO -5 expired, A OSAGO +10 expiring, B inspection +20
#   expiring, A CASCO +100, C OSAGO +200, A inspection +400 active → 3 active, 2 + 2.


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.fixture
def fleet(in_acme) -> SimpleNamespace:
    a = CarFactory(numplate=PLATE_A, driver_name=DRIVER_NAME, driver_phone=DRIVER_PHONE, vin=VIN)
    b = CarFactory(numplate=PLATE_B)
    c = CarFactory(numplate=PLATE_C, status="repair")
    fuel = {}
    for car, year, month, liters, cost, km in [
        (a, LY, 12, "60.00", "4200.00", 500),
        (a, Y, 1, "40.00", "2800.00", 400),
        (a, Y, 3, "45.50", "3185.00", 350),
        (b, LY, 6, "100.00", "7000.00", 1000),
        (b, Y, 3, "30.00", "2100.00", 500),
        (c, Y, 2, "20.00", "1400.00", 0),
    ]:
        fuel[(car.numplate, year, month)] = FuelRecordFactory(
            car=car,
            year=year,
            month=month,
            liters=Decimal(liters),
            total_cost=Decimal(cost),
            mileage_km=km,
        )
    SpareFactory(
        car=a,
        part_price=Decimal("1500.00"),
        work_price=Decimal("500.00"),
        installed_at=dt.date(Y, 3, 10),
    )
    SpareFactory(
        car=b,
        part_price=Decimal("800.00"),
        work_price=Decimal("300.00"),
        installed_at=dt.date(Y, 2, 5),
    )
    TiresFactory(car=a, price=Decimal("24000.00"), installed_at=dt.date(Y, 3, 1))
    AccumulatorFactory(car=c, price=Decimal("7500.00"), installed_at=dt.date(Y, 1, 15))
    InspectionFactory(
        car=a, inspected_at=dt.date(Y, 1, 1), valid_until=days(400), cost=Decimal("1100.00")
    )
    InspectionFactory(
        car=b, inspected_at=dt.date(2020, 6, 1), valid_until=days(20), cost=Decimal("900.00")
    )
    InspectionFactory(
        car=c, inspected_at=dt.date(2020, 5, 1), valid_until=days(-40), cost=Decimal("900.00")
    )
    InsuranceFactory(car=a, insurance_type="osago", start_date=days(-355), end_date=days(10))
    InsuranceFactory(car=a, insurance_type="casco", start_date=days(-265), end_date=days(100))
    InsuranceFactory(car=b, insurance_type="osago", start_date=days(-370), end_date=days(-5))
    InsuranceFactory(car=c, insurance_type="osago", start_date=days(-165), end_date=days(200))
    return SimpleNamespace(a=a, b=b, c=c, fuel=fuel)


@pytest.fixture
def guest(acme_as):
    """Every role may ask; most questions are asked by the least privileged one."""
    return acme_as(Role.GUEST)


@pytest.fixture
def dispatcher(acme_as):
    return acme_as(Role.DISPATCHER)


# --- Chat: questions, answered with the reports' numbers ------------------------------------------

FUEL_A_MARCH = fuel_totals("45.50", "3185.00", 350, "13.00")
# C's 20 l of February have no km: apart, out of the average (115.50 / 1250 = 9.24).
FUEL_FLEET_Q1 = fuel_totals("135.50", "9485.00", 1250, "9.24", without_km="20.00")
FUEL_FLEET_LY = fuel_totals("160.00", "11200.00", 1500, "10.67")
FUEL_A_LY = fuel_totals("60.00", "4200.00", 500, "12.00")

# (language, message, car, from, to, totals, reply)
FUEL_QUESTIONS = [
    (
        "en",
        f"fuel consumption of 01KG123ABC in March {Y}",
        "a",
        f"{Y}-03",
        f"{Y}-03",
        FUEL_A_MARCH,
        f"Fuel of 01KG123ABC, {Y}-03–{Y}-03: 45.50 l, 3185.00 KGS, 350 km, average 13.00 l/100 km.",
    ),
    (
        "ru",
        f"расход топлива 01KG123ABC за март {Y}",
        "a",
        f"{Y}-03",
        f"{Y}-03",
        FUEL_A_MARCH,
        f"Топливо по 01KG123ABC, {Y}-03–{Y}-03: 45.50 л, 3185.00 KGS, 350 км, "
        "средний расход 13.00 л/100 км.",
    ),
    (
        "en",
        f"fuel consumption of the fleet from {Y}-01 to {Y}-03",
        None,
        f"{Y}-01",
        f"{Y}-03",
        FUEL_FLEET_Q1,
        f"Fuel {Y}-01–{Y}-03: 135.50 l, 9485.00 KGS, 1250 km, average 9.24 l/100 km.",
    ),
    (
        "ru",
        f"расход топлива по автопарку с {Y}-01 по {Y}-03",
        None,
        f"{Y}-01",
        f"{Y}-03",
        FUEL_FLEET_Q1,
        f"Топливо {Y}-01–{Y}-03: 135.50 л, 9485.00 KGS, 1250 км, средний расход 9.24 л/100 км.",
    ),
    (
        "en",
        f"How much fuel did the fleet use in {LY}?",
        None,
        f"{LY}-01",
        f"{LY}-12",
        FUEL_FLEET_LY,
        f"Fuel {LY}-01–{LY}-12: 160.00 l, 11200.00 KGS, 1500 km, average 10.67 l/100 km.",
    ),
    (
        "ru",
        f"сколько топлива израсходовал парк за {LY} год",
        None,
        f"{LY}-01",
        f"{LY}-12",
        FUEL_FLEET_LY,
        f"Топливо {LY}-01–{LY}-12: 160.00 л, 11200.00 KGS, 1500 км, средний расход 10.67 л/100 км.",
    ),
    (
        "en",
        f"fuel consumption of 01KG123ABC in {LY}",
        "a",
        f"{LY}-01",
        f"{LY}-12",
        FUEL_A_LY,
        f"Fuel of 01KG123ABC, {LY}-01–{LY}-12: 60.00 l, 4200.00 KGS, 500 km, "
        "average 12.00 l/100 km.",
    ),
    (
        "ru",
        f"расход топлива 01KG123ABC за {LY} год",
        "a",
        f"{LY}-01",
        f"{LY}-12",
        FUEL_A_LY,
        f"Топливо по 01KG123ABC, {LY}-01–{LY}-12: 60.00 л, 4200.00 KGS, 500 км, "
        "средний расход 12.00 л/100 км.",
    ),
]
LANGUAGE_WORDS = {"en": ("Fuel", "average"), "ru": ("Топливо", "средний")}


@pytest.mark.parametrize(
    ("language", "message", "car", "first", "last", "totals", "reply"),
    FUEL_QUESTIONS,
    ids=[f"{q[0]}-{q[1]}" for q in FUEL_QUESTIONS],
)
def test_fuel_questions_answer_the_fuel_report(
    guest, fleet, language, message, car, first, last, totals, reply
):
    body = chat(guest, message, language=language)

    car_id = getattr(fleet, car).pk if car else None
    params = {"from": first, "to": last, **({"car": car_id} if car_id else {})}
    report = get_json(guest, FUEL_REPORT, **params)
    assert report["totals"] == totals
    assert body == {
        "reply": reply,
        "actions": [],
        "data": {"kind": "fuel_consumption", **fuel_data(report), "chart": FUEL_CHART},
    }
    assert body["data"]["car"] == car_id
    for word in LANGUAGE_WORDS[language]:
        assert word in body["reply"]
    assert_no_personal_data(body)


def test_fuel_rows_of_the_fleet_by_month(guest, fleet):
    body = chat(guest, f"fuel consumption of the fleet from {Y}-01 to {Y}-03", language="en")

    assert body["data"]["rows"] == [
        {"period": f"{Y}-01", "numplate": None, **fuel_totals("40.00", "2800.00", 400, "10.00")},
        {
            "period": f"{Y}-02",
            "numplate": None,
            **fuel_totals("20.00", "1400.00", 0, None, without_km="20.00"),
        },
        {"period": f"{Y}-03", "numplate": None, **fuel_totals("75.50", "5285.00", 850, "8.88")},
    ]
    year = chat(guest, f"How much fuel did the fleet use in {LY}?", language="en")["data"]
    assert [r["period"] for r in year["rows"]] == [f"{LY}-{m:02d}" for m in range(1, 13)]
    assert {r["period"]: r["liters"] for r in year["rows"] if r["liters"] != "0.00"} == {
        f"{LY}-06": "100.00",
        f"{LY}-12": "60.00",
    }


COSTS_A_MARCH = cost_totals("1500.00", "500.00", "24000.00", "0.00", "0.00", "26000.00")
COSTS_FLEET_Q1 = cost_totals("2300.00", "800.00", "24000.00", "7500.00", "1100.00", "35700.00")
COST_QUESTIONS = [
    (
        "en",
        f"maintenance costs of 01KG123ABC in March {Y}",
        "a",
        f"{Y}-03",
        f"{Y}-03",
        COSTS_A_MARCH,
        f"Maintenance of 01KG123ABC, {Y}-03–{Y}-03: 26000.00 KGS (parts 1500.00, work 500.00, "
        "tyres 24000.00, batteries 0.00, inspections 0.00).",
    ),
    (
        "ru",
        f"затраты на обслуживание 01KG123ABC за март {Y}",
        "a",
        f"{Y}-03",
        f"{Y}-03",
        COSTS_A_MARCH,
        f"Обслуживание по 01KG123ABC, {Y}-03–{Y}-03: 26000.00 KGS (запчасти 1500.00, "
        "работы 500.00, шины 24000.00, аккумуляторы 0.00, техосмотры 0.00).",
    ),
    (
        "en",
        f"maintenance costs of the fleet from {Y}-01 to {Y}-03",
        None,
        f"{Y}-01",
        f"{Y}-03",
        COSTS_FLEET_Q1,
        f"Maintenance {Y}-01–{Y}-03: 35700.00 KGS (parts 2300.00, work 800.00, "
        "tyres 24000.00, batteries 7500.00, inspections 1100.00).",
    ),
    (
        "ru",
        f"затраты на ремонт автопарка с {Y}-01 по {Y}-03",
        None,
        f"{Y}-01",
        f"{Y}-03",
        COSTS_FLEET_Q1,
        f"Обслуживание {Y}-01–{Y}-03: 35700.00 KGS (запчасти 2300.00, работы 800.00, "
        "шины 24000.00, аккумуляторы 7500.00, техосмотры 1100.00).",
    ),
]


@pytest.mark.parametrize(
    ("language", "message", "car", "first", "last", "totals", "reply"),
    COST_QUESTIONS,
    ids=[f"{q[0]}-{q[1]}" for q in COST_QUESTIONS],
)
def test_cost_questions_answer_the_maintenance_report(
    guest, fleet, language, message, car, first, last, totals, reply
):
    body = chat(guest, message, language=language)

    car_id = getattr(fleet, car).pk if car else None
    params = {"from": first, "to": last, **({"car": car_id} if car_id else {})}
    report = get_json(guest, COSTS_REPORT, **params)
    assert report["totals"] == totals
    assert body == {
        "reply": reply,
        "actions": [],
        "data": {"kind": "maintenance_costs", **costs_data(report), "chart": COSTS_CHART},
    }
    word = {"en": "parts", "ru": "запчасти"}[language]
    assert word in body["reply"]
    assert_no_personal_data(body)


DOCUMENTS_REPLY = {
    "en": "2 documents expire within 30 days, 2 have expired. Soonest: {items}.",
    "ru": "Истекают в ближайшие 30 дн.: 2, просрочены: 2. Ближайшие: {items}.",
}


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "What expires soon?"),
        ("ru", "Что скоро истекает?"),
        ("en", "Which documents have expired?"),
        ("ru", "Какие документы просрочены?"),
    ],
)
def test_documents_question_answers_the_document_report(guest, fleet, language, message):
    body = chat(guest, message, language=language)

    report = get_json(guest, DOCUMENTS_REPORT)
    assert report["counts"] == {"upcoming": 0, "active": 3, "expiring": 2, "expired": 2}
    expected_items = [
        ("inspection", PLATE_C, "inspection", days(-40), "expired", -40),
        ("insurance", PLATE_B, "osago", days(-5), "expired", -5),
        ("insurance", PLATE_A, "osago", days(10), "expiring", 10),
        ("inspection", PLATE_B, "inspection", days(20), "expiring", 20),
        ("insurance", PLATE_A, "casco", days(100), "active", 100),
        ("insurance", PLATE_C, "osago", days(200), "active", 200),
        ("inspection", PLATE_A, "inspection", days(400), "active", 400),
    ]
    items = [
        {"kind": k, "numplate": n, "type": t, "end": e.isoformat(), "status": s, "days_left": d}
        for k, n, t, e, s, d in expected_items
    ]
    assert [
        {k: i[k] for k in ("kind", "numplate", "type", "end", "status", "days_left")}
        for i in report["items"]
    ] == items
    soonest = f"02KG789GHI inspection {days(-40)}, 01KG456DEF osago {days(-5)}"
    if "expired" not in message and "просрочены" not in message:  # expiring ones too
        soonest += f", 01KG123ABC osago {days(10)}, 01KG456DEF inspection {days(20)}"
    assert body == {
        "reply": DOCUMENTS_REPLY[language].format(items=soonest),
        "actions": [],
        "data": {
            "kind": "documents",
            "today": report["today"],
            "days": report["days"],
            "status": None,
            "counts": report["counts"],
            "items": items,
            "items_total": 7,
        },
    }
    assert report["today"] == TODAY.isoformat()


TOP_QUESTIONS = [
    (
        "en",
        f"top 3 cars by maintenance cost from {Y}-01 to {Y}-03",
        "cost",
        [("a", "27100.00"), ("c", "7500.00"), ("b", "1100.00")],
        f"Top cars by maintenance cost, {Y}-01–{Y}-03: "
        "01KG123ABC (27100.00), 02KG789GHI (7500.00), 01KG456DEF (1100.00).",
    ),
    (
        "ru",
        f"топ 3 машин по затратам с {Y}-01 по {Y}-03",
        "cost",
        [("a", "27100.00"), ("c", "7500.00"), ("b", "1100.00")],
        f"Топ машин по показателю «затраты на обслуживание», {Y}-01–{Y}-03: "
        "01KG123ABC (27100.00), 02KG789GHI (7500.00), 01KG456DEF (1100.00).",
    ),
    (
        "en",
        f"top 2 cars by cost from {Y}-01 to {Y}-03",
        "cost",
        [("a", "27100.00"), ("c", "7500.00")],
        f"Top cars by maintenance cost, {Y}-01–{Y}-03: 01KG123ABC (27100.00), "
        "02KG789GHI (7500.00).",
    ),
    (
        "en",
        f"top cars by fuel consumption from {Y}-01 to {Y}-03",
        "consumption",
        [("a", "11.40"), ("b", "6.00")],
        f"Top cars by l/100 km, {Y}-01–{Y}-03: 01KG123ABC (11.40), 01KG456DEF (6.00).",
    ),
    (
        "ru",
        f"топ машин по расходу топлива с {Y}-01 по {Y}-03",
        "consumption",
        [("a", "11.40"), ("b", "6.00")],
        f"Топ машин по показателю «л/100 км», {Y}-01–{Y}-03: 01KG123ABC (11.40), "
        "01KG456DEF (6.00).",
    ),
]


@pytest.mark.parametrize(
    ("language", "message", "metric", "ranking", "reply"),
    TOP_QUESTIONS,
    ids=[f"{q[0]}-{q[1]}" for q in TOP_QUESTIONS],
)
def test_top_cars_rank_the_reports_rows(guest, fleet, language, message, metric, ranking, reply):
    body = chat(guest, message, language=language)

    period = {"from": f"{Y}-01", "to": f"{Y}-03", "group_by": "car"}
    if metric == "cost":
        by_car = {r["car"]: r["total"] for r in get_json(guest, COSTS_REPORT, **period)["rows"]}
    else:
        rows = get_json(guest, FUEL_REPORT, **period)["rows"]
        by_car = {r["car"]: r["avg_consumption_l_per_100km"] for r in rows}
    rows = [
        {"car": getattr(fleet, key).pk, "numplate": getattr(fleet, key).numplate, "value": value}
        for key, value in ranking
    ]
    assert all(by_car[r["car"]] == r["value"] for r in rows)
    assert body == {
        "reply": reply,
        "actions": [],
        "data": {
            "kind": "top_cars",
            "metric": metric,
            "from": f"{Y}-01",
            "to": f"{Y}-03",
            "rows": rows,
            "chart": TOP_CHART,
        },
    }


def test_top_cars_without_data_keep_the_same_kind(guest, fleet):
    """With no rows, `data` keeps the kind and the chart of the answer with rows."""
    body = chat(guest, "top 3 cars by cost from 2001-01 to 2001-03", language="en")

    assert body == {
        "reply": "No data for 2001-01–2001-03.",
        "actions": [],
        "data": {
            "kind": "top_cars",
            "metric": "cost",
            "from": "2001-01",
            "to": "2001-03",
            "rows": [],
            "chart": TOP_CHART,
        },
    }


# The fleet summary reads this year up to the current month, so its data set is dated in January
# (part of that on every day of the year) and in last December (never part of it). Documents as
# in `fleet`, relative to today; A's inspection was made on 1 January.
# Fuel Y-01: A 40.00 l / 2800.00 / 400 km, B 30.00 / 2100.00 / 500, C 20.00 / 1400.00 / 0 km
#   → 90.00 l, 6300.00, 900 km, of which C's 20.00 l without km → 70.00 / 900 = 7.78.
# Maintenance Y-01-01: A's repair 1500.00 + 500.00, C's battery 7500.00, A's inspection 1100.00
#   → 10600.00. Last December's fuel (A 60.00 l) and repair (B 1100.00) are not this year's.
SUMMARY_FUEL = fuel_totals("90.00", "6300.00", 900, "7.78", without_km="20.00")
SUMMARY_REPLY = {
    "en": (
        f"3 cars (2 active, 1 in repair). In {Y}: 90.00 l of fuel for 6300.00 KGS, 900 km, "
        "7.78 l/100 km on average; maintenance 10600.00 KGS. Documents: 2 expiring, 2 expired."
    ),
    "ru": (
        f"Машин: 3 (в работе 2, в ремонте 1). За {Y}: топливо 90.00 л на 6300.00 KGS, "
        "пробег 900 км, средний расход 7.78 л/100 км; обслуживание 10600.00 KGS. "
        "Документы: истекают 2, просрочены 2."
    ),
}


@pytest.fixture
def january(in_acme) -> SimpleNamespace:
    a = CarFactory(numplate=PLATE_A, driver_name=DRIVER_NAME, driver_phone=DRIVER_PHONE, vin=VIN)
    b = CarFactory(numplate=PLATE_B)
    c = CarFactory(numplate=PLATE_C, status="repair")
    for car, year, month, liters, cost, km in [
        (a, LY, 12, "60.00", "4200.00", 500),
        (a, Y, 1, "40.00", "2800.00", 400),
        (b, Y, 1, "30.00", "2100.00", 500),
        (c, Y, 1, "20.00", "1400.00", 0),
    ]:
        FuelRecordFactory(car=car, year=year, month=month, liters=Decimal(liters),
                          total_cost=Decimal(cost), mileage_km=km)  # fmt: skip
    new_year = dt.date(Y, 1, 1)
    SpareFactory(car=a, part_price=Decimal("1500.00"), work_price=Decimal("500.00"),
                 installed_at=new_year)  # fmt: skip
    SpareFactory(car=b, part_price=Decimal("800.00"), work_price=Decimal("300.00"),
                 installed_at=dt.date(LY, 12, 31))  # fmt: skip
    AccumulatorFactory(car=c, price=Decimal("7500.00"), installed_at=new_year)
    InspectionFactory(car=a, inspected_at=new_year, valid_until=days(400),
                      cost=Decimal("1100.00"))  # fmt: skip
    InspectionFactory(car=b, inspected_at=dt.date(2020, 6, 1), valid_until=days(20),
                      cost=Decimal("900.00"))  # fmt: skip
    InspectionFactory(car=c, inspected_at=dt.date(2020, 5, 1), valid_until=days(-40),
                      cost=Decimal("900.00"))  # fmt: skip
    InsuranceFactory(car=a, insurance_type="osago", start_date=days(-355), end_date=days(10))
    InsuranceFactory(car=a, insurance_type="casco", start_date=days(-265), end_date=days(100))
    InsuranceFactory(car=b, insurance_type="osago", start_date=days(-370), end_date=days(-5))
    InsuranceFactory(car=c, insurance_type="osago", start_date=days(-165), end_date=days(200))
    return SimpleNamespace(a=a, b=b, c=c)


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "fleet summary"), ("ru", "сводка по автопарку"), ("en", "How many cars do we have?")],
)
def test_fleet_summary_is_this_years_reports(guest, january, language, message):
    body = chat(guest, message, language=language)

    this_year = {"from": f"{Y}-01", "to": THIS_MONTH, "group_by": "year"}
    fuel = get_json(guest, FUEL_REPORT, **this_year)["totals"]
    costs = get_json(guest, COSTS_REPORT, **this_year)["totals"]
    counts = get_json(guest, DOCUMENTS_REPORT)["counts"]
    assert (fuel, costs["total"]) == (SUMMARY_FUEL, "10600.00")
    assert counts == {"upcoming": 0, "active": 3, "expiring": 2, "expired": 2}
    assert body == {
        "reply": SUMMARY_REPLY[language],
        "actions": [],
        "data": {
            "kind": "fleet_summary",
            "cars": 3,
            "cars_by_status": {"active": 2, "repair": 1},
            "cars_by_type": {"car": 3},
            "year": Y,
            "fuel_liters": "90.00",
            "fuel_cost": "6300.00",
            "mileage_km": 900,
            "avg_consumption_l_per_100km": "7.78",
            "maintenance_cost": "10600.00",
            "documents": counts,
        },
    }
    assert_no_personal_data(body)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_may_ask(acme_as, fleet, role):
    body = chat(acme_as(role), f"fuel consumption of 01KG123ABC in March {Y}")

    assert body["data"]["totals"] == {"period": None, "numplate": None, **FUEL_A_MARCH}


def test_the_question_is_answered_in_its_own_language(acme_as, fleet):
    """A Russian-speaking user's English question gets an English answer (test_chat_language
    has the rule)."""
    client = acme_as(Role.GUEST, language="ru")

    body = chat(client, f"fuel consumption of 01KG123ABC in March {Y}")

    assert body["reply"].startswith("Fuel of 01KG123ABC")
    assert chat(client, "asdf", language="en")["reply"] == HELP["en"]
    assert chat(client, "asdf", language="ky")["reply"] == HELP["ky"]


# --- Chat: the context fills in what the message does not say ------------------------------------


@pytest.mark.parametrize(
    ("language", "message", "reply"),
    [
        (
            "en",
            "fuel consumption",
            f"Fuel of 01KG123ABC, {Y}-01–{Y}-03: 85.50 l, 5985.00 KGS, 750 km, "
            "average 11.40 l/100 km.",
        ),
        (
            "ru",
            "расход топлива",
            f"Топливо по 01KG123ABC, {Y}-01–{Y}-03: 85.50 л, 5985.00 KGS, 750 км, "
            "средний расход 11.40 л/100 км.",
        ),
    ],
)
def test_context_gives_car_and_period(guest, fleet, language, message, reply):
    context = {"car": fleet.a.pk, "from": f"{Y}-01", "to": f"{Y}-03"}

    body = chat(guest, message, language=language, context=context)

    report = get_json(guest, FUEL_REPORT, car=fleet.a.pk, **{"from": f"{Y}-01", "to": f"{Y}-03"})
    assert report["totals"] == fuel_totals("85.50", "5985.00", 750, "11.40")
    assert body["reply"] == reply
    assert body["data"] == {"kind": "fuel_consumption", **fuel_data(report), "chart": FUEL_CHART}


def test_the_message_overrides_the_context(guest, fleet):
    context = {"car": fleet.a.pk, "from": f"{Y}-01", "to": f"{Y}-03"}

    named_car = chat(guest, "fuel consumption of 01KG456DEF", context=context)
    named_month = chat(guest, f"fuel consumption in January {Y}", context=context)
    costs = chat(guest, "maintenance costs", context=context)

    assert (named_car["data"]["car"], named_car["data"]["from"], named_car["data"]["to"]) == (
        fleet.b.pk,
        f"{Y}-01",
        f"{Y}-03",
    )
    assert named_car["data"]["totals"]["liters"] == "30.00"
    assert (named_month["data"]["car"], named_month["data"]["from"]) == (fleet.a.pk, f"{Y}-01")
    assert named_month["data"]["to"] == f"{Y}-01"
    assert named_month["data"]["totals"]["liters"] == "40.00"
    assert costs["data"]["car"] == fleet.a.pk
    assert costs["data"]["totals"]["total"] == "27100.00"


def test_context_of_another_company_is_refused(guest, fleet, globex):
    connection.set_tenant(globex)
    other = CarFactory(numplate="09KG999OTH", pk=fleet.a.pk + 1000)

    response = guest.post(CHAT, {"message": "fuel", "context": {"car": other.pk}}, format="json")

    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [
        ("context.car", "does_not_exist")
    ]


@pytest.mark.parametrize(
    ("language", "message", "reply"),
    [
        ("en", "fuel consumption of 01KG999ZZZ", "I could not find the car 01KG999ZZZ."),
        ("ru", "расход топлива 01KG999ZZZ", "Не нашёл машину 01KG999ZZZ."),
        (
            "en",
            f"add fuel for 01KG999ZZZ: 50 l, 3000 som, 420 km, March {Y}",
            "I could not find the car 01KG999ZZZ.",
        ),
        (
            "ru",
            f"добавь топливо для 01KG999ZZZ: 50 л, 3000 сом, 420 км, март {Y}",
            "Не нашёл машину 01KG999ZZZ.",
        ),
        ("ru", "переведи 01KG999ZZZ в ремонт", "Не нашёл машину 01KG999ZZZ."),
    ],
)
def test_an_unknown_plate_is_said_so(dispatcher, fleet, language, message, reply):
    body = chat(dispatcher, message, language=language)

    assert body == {"reply": reply, "actions": [], "data": None}


def test_an_unknown_plate_is_said_so_even_with_a_context_car(guest, fleet):
    """A plate named in the message but not found is said so; the context's car is not used."""
    body = chat(guest, "fuel consumption of 01KG999ZZZ", context={"car": fleet.a.pk})

    assert body == {"reply": "I could not find the car 01KG999ZZZ.", "actions": [], "data": None}


# --- Chat: phrasings that were once misunderstood ----------------------------------------------


@pytest.mark.parametrize(
    ("language", "message", "car", "totals"),
    [
        ("en", f"fuel cost of 01KG123ABC in March {Y}", "a", FUEL_A_MARCH),
        ("en", f"How much did we spend on fuel in {LY}?", None, FUEL_FLEET_LY),
        ("ru", f"затраты на топливо за {LY} год", None, FUEL_FLEET_LY),
    ],
)
def test_fuel_costs_are_a_fuel_question(guest, fleet, language, message, car, totals):
    """\"cost\"/\"spend\"/\"затраты\" about fuel are fuel questions, not maintenance ones."""
    body = chat(guest, message, language=language)

    assert body["data"]["kind"] == "fuel_consumption"
    assert body["data"]["car"] == (getattr(fleet, car).pk if car else None)
    assert body["data"]["totals"] == {"period": None, "numplate": None, **totals}


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", f"fuel consumption of the fleet from January to March {Y}"),
        ("ru", f"расход топлива с января по март {Y}"),
    ],
)
def test_a_period_of_month_names(guest, fleet, language, message):
    """A range of month names (January to March) is the whole range, not its last month."""
    body = chat(guest, message, language=language)

    assert (body["data"]["from"], body["data"]["to"]) == (f"{Y}-01", f"{Y}-03")
    assert body["data"]["totals"] == {"period": None, "numplate": None, **FUEL_FLEET_Q1}


# --- Chat: requests that become proposed actions --------------------------------------------------


def fuel_action(car, *, record=None, year=None, language="en") -> dict:
    """The proposal for "50 l, 3000 som, 420 km" in March: a new record, or a fill-up added to
    the month's record (before → after)."""
    month = f"{year}-03"
    if record is None:
        data = {"car": car.pk, "year": year, "month": 3, "liters": "50.00",
                "total_cost": "3000.00", "mileage_km": 420}  # fmt: skip
        if language == "en":
            summary = f"Add fuel for 01KG123ABC, {month}: 50.00 l, 3000.00 KGS, 420 km"
        else:
            summary = f"Добавить топливо для 01KG123ABC, {month}: 50.00 л, 3000.00 KGS, 420 км"
    else:
        after = (record.liters + 50, record.total_cost + 3000, record.mileage_km + 420)
        data = {"liters": f"{after[0]:.2f}", "total_cost": f"{after[1]:.2f}",
                "mileage_km": after[2]}  # fmt: skip
        changes = (
            f"liters {record.liters:.2f} → {after[0]:.2f}, "
            f"total_cost {record.total_cost:.2f} → {after[1]:.2f}, "
            f"mileage_km {record.mileage_km} → {after[2]}"
        )
        if language == "en":
            summary = f"Add a fill-up to 01KG123ABC, {month}: {changes}"
        else:
            summary = f"Добавить заправку 01KG123ABC, {month}: {changes}"
    return {
        "action": "update" if record else "create",
        "entity": "fuel_record",
        "id": record.pk if record else None,
        "data": data,
        "summary": summary,
    }


REVIEW = {"en": "Please review and confirm: {}.", "ru": "Проверьте и подтвердите: {}."}


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "add fuel for 01KG123ABC: 50 l, 3000 som, 420 km, March {year}"),
        ("ru", "добавь топливо для 01KG123ABC: 50 л, 3000 сом, 420 км, март {year}"),
        ("en", "Refuelled 01KG123ABC with 50 liters for 3000 som, 420 km in March {year}"),
        ("ru", "заправка 01KG123ABC 50 литров, 3000 сом, 420 км, март {year}"),
    ],
)
def test_add_fuel_becomes_a_create_or_an_update(dispatcher, fleet, language, message):
    created = chat(dispatcher, message.format(year=LY), language=language)
    updated = chat(dispatcher, message.format(year=Y), language=language)

    create = fuel_action(fleet.a, year=LY, language=language)
    update = fuel_action(fleet.a, record=fleet.fuel[(PLATE_A, Y, 3)], year=Y, language=language)
    assert created == {
        "reply": REVIEW[language].format(create["summary"]),
        "actions": [create],
        "data": None,
    }
    assert updated == {
        "reply": REVIEW[language].format(update["summary"]),
        "actions": [update],
        "data": None,
    }


def test_an_amount_with_a_thousands_separator(dispatcher, fleet):
    """Thousands separated by a space ("3 000 сом") are one amount."""
    body = chat(dispatcher, f"добавь топливо для 01KG123ABC: 50 л, 3 000 сом, 420 км, март {LY}")

    assert body["actions"][0]["data"]["total_cost"] == "3000.00"


@pytest.mark.parametrize(
    ("language", "message", "summary"),
    [
        (
            "en",
            "record the mileage of 01KG123ABC: 1500 km, March {year}",
            "{verb} the mileage of 01KG123ABC, {year}-03: 1500 km",
        ),
        (
            "ru",
            "запиши пробег 01KG123ABC: 1500 км, март {year}",
            "{verb} пробег 01KG123ABC, {year}-03: 1500 км",
        ),
    ],
)
def test_mileage_becomes_an_action(dispatcher, fleet, language, message, summary):
    existing = MonthlyMileageFactory(car=fleet.a, month=dt.date(Y, 3, 1), mileage_km=900)

    created = chat(dispatcher, message.format(year=LY), language=language)
    updated = chat(dispatcher, message.format(year=Y), language=language)

    add, change = {"en": ("Add", "Change"), "ru": ("Добавить", "Изменить")}[language]
    create_summary = summary.format(verb=add, year=LY)
    # An update shows the value it replaces.
    update_summary = summary.format(verb=change, year=Y).replace(": 1500", ": 900 → 1500")
    assert created["actions"] == [
        {
            "action": "create",
            "entity": "monthly_mileage",
            "id": None,
            "data": {"car": fleet.a.pk, "month": f"{LY}-03", "mileage_km": 1500},
            "summary": create_summary,
        }
    ]
    assert created["reply"] == REVIEW[language].format(create_summary)
    assert updated["actions"] == [
        {
            "action": "update",
            "entity": "monthly_mileage",
            "id": existing.pk,
            "data": {"mileage_km": 1500},
            "summary": update_summary,
        }
    ]


INSURANCE_DETAILS = (
    f"insurance_type=osago, number=AB-123456, start_date={Y}-04-01, "
    f"end_date={Y + 1}-03-31, cost=3200.00"
)


@pytest.mark.parametrize(
    ("language", "message", "summary"),
    [
        (
            "en",
            f"add OSAGO for 01KG123ABC number AB-123456 from {Y}-04-01 to {Y + 1}-03-31, 3200 som",
            f"Add OSAGO for 01KG123ABC: {INSURANCE_DETAILS}",
        ),
        (
            "ru",
            f"добавь ОСАГО для 01KG123ABC: номер AB-123456, с 01.04.{Y} по 31.03.{Y + 1}, 3200 сом",
            f"Добавить OSAGO для 01KG123ABC: {INSURANCE_DETAILS}",
        ),
        (
            "ru",
            f"добавь ОСАГО для 01KG123ABC номер AB-123456 с 01.04.{Y} по 31.03.{Y + 1}, 3200 сом",
            f"Добавить OSAGO для 01KG123ABC: {INSURANCE_DETAILS}",
        ),
    ],
    ids=["en", "ru", "ru-without-comma"],
)
def test_insurance_becomes_an_action(dispatcher, fleet, language, message, summary):
    body = chat(dispatcher, message, language=language)

    assert body == {
        "reply": REVIEW[language].format(summary),
        "actions": [
            {
                "action": "create",
                "entity": "insurance",
                "id": None,
                "data": {
                    "car": fleet.a.pk,
                    "insurance_type": "osago",
                    "number": "AB-123456",
                    "start_date": f"{Y}-04-01",
                    "end_date": f"{Y + 1}-03-31",
                    "cost": "3200.00",
                },
                "summary": summary,
            }
        ],
        "data": None,
    }


@pytest.mark.parametrize(
    ("language", "message", "status", "summary"),
    [
        (
            "ru",
            "переведи 01KG123ABC в ремонт",
            "repair",
            "Перевести 01KG123ABC в статус «В ремонте»",
        ),
        (
            "en",
            "set 01KG123ABC status to reserve",
            "reserve",
            "Set the status of 01KG123ABC to In reserve",
        ),
        (
            "en",
            "change the status of 01KG123ABC to repair",
            "repair",
            "Set the status of 01KG123ABC to In repair",
        ),
        (
            "ru",
            "поставь 01KG123ABC в резерв",
            "reserve",
            "Перевести 01KG123ABC в статус «В резерве»",
        ),
    ],
)
def test_car_status_becomes_an_action(dispatcher, fleet, language, message, status, summary):
    body = chat(dispatcher, message, language=language)

    assert body == {
        "reply": REVIEW[language].format(summary),
        "actions": [
            {
                "action": "update",
                "entity": "car",
                "id": fleet.a.pk,
                "data": {"status": status},
                "summary": summary,
            }
        ],
        "data": None,
    }
    assert Car.objects.get(pk=fleet.a.pk).status == "active"


def test_a_guest_is_told_who_may_and_proposed_nothing(guest, fleet):
    """A proposal the role could never confirm is not made; executing one anyway is refused."""
    body = chat(guest, f"add fuel for 01KG123ABC: 50 l, 3000 som, 420 km, March {LY}")

    assert body == {
        "reply": "Your role (Guest) cannot change fuel records; ask Company admin, Dispatcher, "
        "Accountant.",
        "actions": [],
        "data": None,
    }
    results = run(guest, [fuel_action(fleet.a, year=LY)], dry_run=False)
    assert results[0]["errors"] == [PERMISSION_DENIED]
    assert not FuelRecord.objects.filter(car=fleet.a, year=LY, month=3).exists()


# --- Chat: nonsense and size limits ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "asdf qwerty"),
        ("ru", "asdf qwerty"),
        ("en", "🙂"),
        ("ru", "абв гдеёж"),
        ("en", ("asdf qwerty " * 400)[:4000]),
        ("ru", "  asdf  "),
    ],
    ids=["en", "ru", "emoji", "ru-letters", "4000-chars", "padded"],
)
def test_nonsense_gets_the_help_text(guest, fleet, language, message):
    body = chat(guest, message, language=language)

    assert body == {"reply": HELP[language], "actions": [], "data": None}


@pytest.mark.parametrize(
    ("body", "code", "detail"),
    [
        ({"message": "x" * 4001}, "max_length",
         "Ensure this field has no more than 4000 characters."),
        ({"message": ""}, "blank", "This field may not be blank."),
        ({"message": "   "}, "blank", "This field may not be blank."),
        ({}, "required", "This field is required."),
        ({"message": None}, "null", "This field may not be null."),
    ],
    ids=["4001-chars", "empty", "spaces", "missing", "null"],
)  # fmt: skip
def test_a_bad_message_is_400(guest, fleet, body, code, detail):
    response = guest.post(CHAT, body, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [{"code": code, "detail": detail, "attr": "message"}],
    }
    assert not AIAuditEntry.objects.exists()


def test_a_bad_language_or_context_is_400(guest, fleet):
    bad_language = guest.post(CHAT, {"message": "fuel", "language": "de"}, format="json")
    bad_month = guest.post(CHAT, {"message": "fuel", "context": {"from": "2026-13"}}, format="json")

    assert bad_language.status_code == bad_month.status_code == 400
    assert [(e["attr"], e["code"]) for e in bad_language.json()["errors"]] == [
        ("language", "invalid_choice")
    ]
    assert [(e["attr"], e["code"]) for e in bad_month.json()["errors"]] == [
        ("context.from", "invalid")
    ]


# --- Actions: dry run and real run ----------------------------------------------------------------


@pytest.fixture
def spare_car(fleet) -> Car:
    """A car without history, which may be deleted."""
    return CarFactory(numplate="03KG000NEW")


def mixed_actions(fleet, spare_car) -> list[dict]:
    return [
        fuel_action(fleet.a, year=LY),
        {
            "action": "update",
            "entity": "fuel_record",
            "id": fleet.fuel[(PLATE_A, Y, 3)].pk,
            "data": {"liters": "46.00"},
            "summary": "",
        },
        {"action": "update", "entity": "car", "id": fleet.b.pk, "data": {"status": "repair"}},
        {"action": "delete", "entity": "fuel_record", "id": fleet.fuel[(PLATE_C, Y, 2)].pk},
        {
            "action": "create",
            "entity": "spare",
            "data": {
                "car": fleet.c.pk,
                "name": "Oil filter",
                "category": "filters",
                "part_price": "450.00",
                "work_price": "150.00",
                "installed_at": f"{Y}-04-02",
            },
        },
        {"action": "delete", "entity": "car", "id": spare_car.pk},
    ]


def rest_record(client, path: str) -> dict:
    return get_json(client, f"{API}/{path}")


def test_dry_run_writes_nothing_and_reports_the_changes(dispatcher, fleet, spare_car):
    march = fleet.fuel[(PLATE_A, Y, 3)]
    fuel_before = rest_record(dispatcher, f"fuel-records/{march.pk}/")
    car_before = rest_record(dispatcher, f"cars/{fleet.b.pk}/")
    deleted_before = rest_record(dispatcher, f"fuel-records/{fleet.fuel[(PLATE_C, Y, 2)].pk}/")
    spare_car_before = rest_record(dispatcher, f"cars/{spare_car.pk}/")
    snapshot = fleet_snapshot()

    results = run(dispatcher, mixed_actions(fleet, spare_car), dry_run=True)

    assert fleet_snapshot() == snapshot
    assert [(r["index"], r["status"], r["entity"], r["errors"]) for r in results] == [
        (0, "ok", "fuel_record", []),
        (1, "ok", "fuel_record", []),
        (2, "ok", "car", []),
        (3, "ok", "fuel_record", []),
        (4, "ok", "spare", []),
        (5, "ok", "car", []),
    ]
    # A dry-run create has no id; deletes: see test_a_delete_result_names_the_deleted_record.
    assert [results[i]["id"] for i in (0, 1, 2, 4)] == [None, march.pk, fleet.b.pk, None]
    assert (results[0]["before"], no_times(results[0]["after"])) == (
        None,
        {
            "id": None,
            "car": fleet.a.pk,
            "car_numplate": PLATE_A,
            "year": LY,
            "month": 3,
            "month_name": "March",
            "liters": "50.00",
            "total_cost": "3000.00",
            "mileage_km": 420,
            "consumption_l_per_100km": "11.90",
        },
    )
    assert results[1]["before"] == fuel_before
    assert no_times(results[1]["after"]) == {
        **no_times(fuel_before),
        "liters": "46.00",
        "consumption_l_per_100km": "13.14",
    }
    assert results[2]["before"] == {k: car_before[k] for k in results[2]["before"]}
    assert no_times(results[2]["after"]) == {**no_times(results[2]["before"]), "status": "repair"}
    assert (results[3]["before"], results[3]["after"]) == (deleted_before, None)
    assert results[4]["before"] is None
    assert no_times(results[4]["after"]) == {
        "id": None,
        "car": fleet.c.pk,
        "car_numplate": PLATE_C,
        "name": "Oil filter",
        "category": "filters",
        "description": "",
        "part_price": "450.00",
        "work_description": "",
        "work_price": "150.00",
        "total_price": "600.00",
        "installed_at": f"{Y}-04-02",
    }
    assert results[5]["before"] == {k: spare_car_before[k] for k in results[5]["before"]}
    assert results[5]["after"] is None


def test_real_run_stores_what_the_rest_api_stores(dispatcher, fleet, spare_car):
    march = fleet.fuel[(PLATE_A, Y, 3)]
    deleted = fleet.fuel[(PLATE_C, Y, 2)]

    results = run(dispatcher, mixed_actions(fleet, spare_car), dry_run=False)

    assert [r["status"] for r in results] == ["ok"] * 6
    created_fuel, created_spare = results[0]["id"], results[4]["id"]
    assert created_fuel is not None
    assert created_spare is not None
    assert rest_record(dispatcher, f"fuel-records/{created_fuel}/") == results[0]["after"]
    assert rest_record(dispatcher, f"fuel-records/{march.pk}/") == results[1]["after"]
    car_b = rest_record(dispatcher, f"cars/{fleet.b.pk}/")
    assert {k: car_b[k] for k in results[2]["after"]} == results[2]["after"]
    assert car_b["status"] == "repair"
    assert rest_record(dispatcher, f"spares/{created_spare}/") == results[4]["after"]
    assert dispatcher.get(f"{API}/fuel-records/{deleted.pk}/").status_code == 404
    assert not Car.objects.filter(pk=spare_car.pk).exists()
    stored = FuelRecord.objects.get(pk=created_fuel)
    assert (stored.liters, stored.total_cost, stored.mileage_km) == (
        Decimal("50.00"),
        Decimal("3000.00"),
        420,
    )
    assert FuelRecord.objects.get(pk=march.pk).liters == Decimal("46.00")

    # The same create through the REST API (for car B) stores the same record.
    rest = dispatcher.post(
        f"{API}/fuel-records/",
        {**results[0]["after"], "car": fleet.b.pk, "id": None},
        format="json",
    )
    assert rest.status_code == 201, rest.json()
    skip = ("id", "car", "car_numplate", "created_at", "updated_at")
    assert {k: v for k, v in rest.json().items() if k not in skip} == {
        k: v for k, v in results[0]["after"].items() if k not in skip
    }


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry", "real"])
def test_a_delete_result_names_the_deleted_record(dispatcher, fleet, spare_car, dry_run):
    """A delete's result names the deleted record's id."""
    record = fleet.fuel[(PLATE_C, Y, 2)]
    actions = [
        {"action": "delete", "entity": "fuel_record", "id": record.pk},
        {"action": "delete", "entity": "car", "id": spare_car.pk},
    ]

    results = run(dispatcher, actions, dry_run=dry_run)

    assert [(r["status"], r["id"]) for r in results] == [("ok", record.pk), ("ok", spare_car.pk)]
    assert results[0]["before"]["id"] == record.pk
    assert results[1]["before"]["id"] == spare_car.pk


def test_a_dry_run_predicts_the_real_run(dispatcher, fleet):
    """A dry run runs every action in one transaction, as the real run does, so the second
    create of the same month is refused in both."""
    twice = [fuel_action(fleet.a, year=LY), fuel_action(fleet.a, year=LY)]

    dry = run(dispatcher, twice, dry_run=True)
    real = run(dispatcher, twice, dry_run=False)

    assert [r["status"] for r in real] == ["ok", "error"]
    assert [r["status"] for r in dry] == ["ok", "error"]


# --- Actions: roles, one request with mixed results -----------------------------------------------


def role_actions(fleet) -> list[dict]:
    a = fleet.a.pk
    return [
        {
            "action": "create",
            "entity": "fuel_record",
            "data": {
                "car": a,
                "year": LY,
                "month": 4,
                "liters": "10.00",
                "total_cost": "700.00",
                "mileage_km": 100,
            },
        },
        {
            "action": "create",
            "entity": "spare",
            "data": {
                "car": a,
                "name": "Wiper",
                "part_price": "300.00",
                "installed_at": f"{Y}-04-01",
            },
        },
        {"action": "update", "entity": "car", "id": fleet.b.pk, "data": {"status": "reserve"}},
        {
            "action": "create",
            "entity": "monthly_mileage",
            "data": {"car": a, "month": f"{LY}-04", "mileage_km": 1500},
        },
        {
            "action": "create",
            "entity": "inspection",
            "data": {
                "car": a,
                "number": "TO-NEW",
                "inspected_at": f"{Y}-04-01",
                "valid_until": f"{Y + 1}-03-31",
                "cost": "1000.00",
            },
        },
        {
            "action": "create",
            "entity": "insurance",
            "data": {
                "car": a,
                "insurance_type": "casco",
                "number": "CASCO-NEW",
                "start_date": f"{Y}-04-01",
                "end_date": f"{Y + 1}-03-31",
                "cost": "9000.00",
            },
        },
        {"action": "delete", "entity": "fuel_record", "id": fleet.fuel[(PLATE_C, Y, 2)].pk},
    ]


# Which of role_actions() each role may do (CONTRACT §6).
FINANCE = (0, 3, 5, 6)
MAINTENANCE = (1, 4)
ALLOWED = {
    Role.COMPANY_ADMIN: set(range(7)),
    Role.DISPATCHER: set(range(7)),
    Role.ACCOUNTANT: set(FINANCE),
    Role.MECHANIC: set(MAINTENANCE),
    Role.DRIVER: set(),
    Role.GUEST: set(),
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("dry_run", [True, False], ids=["dry", "real"])
def test_each_action_is_checked_against_the_role(acme_as, fleet, role, dry_run):
    client = acme_as(role)
    actions = role_actions(fleet)
    snapshot = fleet_snapshot()

    results = run(client, actions, dry_run=dry_run)

    allowed = ALLOWED[role]
    assert [r["status"] for r in results] == [
        "ok" if i in allowed else "error" for i in range(len(actions))
    ]
    assert [r["entity"] for r in results] == [a["entity"] for a in actions]
    for i, result in enumerate(results):
        if i not in allowed:
            assert result == {
                "index": i,
                "status": "error",
                "entity": actions[i]["entity"],
                "id": actions[i].get("id"),
                "before": None,
                "after": None,
                "errors": [PERMISSION_DENIED],
            }
    after = fleet_snapshot()
    if dry_run or not allowed:
        assert after == snapshot
        return
    grown = {name: len(after[name]) - len(rows) for name, rows in snapshot.items()}
    expected = dict.fromkeys(snapshot, 0)
    for i, model in [(0, "FuelRecord"), (1, "Spare"), (3, "MonthlyMileage")]:
        expected[model] += i in allowed
    for i, model in [(4, "Inspection"), (5, "Insurance")]:
        expected[model] += i in allowed
    expected["FuelRecord"] -= 6 in allowed
    assert grown == expected
    assert Car.objects.get(pk=fleet.b.pk).status == ("reserve" if 2 in allowed else "active")


def test_mixed_results_keep_their_order(acme_as, fleet):
    client = acme_as(Role.ACCOUNTANT)
    fuel = role_actions(fleet)[0]
    actions = [
        {"action": "update", "entity": "car", "id": fleet.a.pk, "data": {"status": "repair"}},
        fuel,
        {**fuel, "data": {**fuel["data"], "month": 13}},
        {"action": "create", "entity": "spare", "data": {"car": fleet.a.pk, "name": "Bulb"}},
        {"action": "update", "entity": "fuel_record", "id": 10**9, "data": {"liters": "1"}},
        fuel,
    ]

    results = run(client, actions, dry_run=False)

    assert [(r["index"], r["status"], r["entity"]) for r in results] == [
        (0, "error", "car"),
        (1, "ok", "fuel_record"),
        (2, "error", "fuel_record"),
        (3, "error", "spare"),
        (4, "error", "fuel_record"),
        (5, "error", "fuel_record"),
    ]
    assert [[(e["code"], e["attr"]) for e in r["errors"]] for r in results] == [
        [("permission_denied", None)],
        [],
        [("max_value", "month")],
        [("permission_denied", None)],
        [("not_found", "id")],
        [("unique", "month")],
    ]
    assert FuelRecord.objects.filter(car=fleet.a, year=LY, month=4).count() == 1


# --- Actions: other companies, invalid data, history ----------------------------------------------


def test_an_id_of_another_company_is_not_found(dispatcher, fleet, acme, globex):
    top_car = Car.objects.order_by("-pk").first().pk
    top_fuel = FuelRecord.objects.order_by("-pk").first().pk
    connection.set_tenant(globex)
    their_car = CarFactory(numplate="09KG111GLX", pk=top_car + 1000)
    their_fuel = FuelRecordFactory(car=their_car, year=Y, month=3, pk=top_fuel + 1000)
    connection.set_tenant(acme)
    assert not Car.objects.filter(pk=their_car.pk).exists()
    assert not FuelRecord.objects.filter(pk=their_fuel.pk).exists()
    actions = [
        {"action": "update", "entity": "fuel_record", "id": their_fuel.pk, "data": {"liters": "1"}},
        {"action": "delete", "entity": "fuel_record", "id": their_fuel.pk},
        {"action": "update", "entity": "car", "id": their_car.pk, "data": {"status": "repair"}},
        {"action": "delete", "entity": "car", "id": their_car.pk},
        {**fuel_action(fleet.a, year=LY), "data": {**fuel_action(fleet.a, year=LY)["data"]}},
    ]
    actions[4]["data"]["car"] = their_car.pk
    snapshot = fleet_snapshot()

    results = run(dispatcher, actions, dry_run=False)

    assert [r["errors"] for r in results[:4]] == [[NOT_FOUND]] * 4
    rest = dispatcher.post(f"{API}/fuel-records/", actions[4]["data"], format="json")
    assert rest.status_code == 400
    assert results[4]["errors"] == rest.json()["errors"]
    assert [(e["attr"], e["code"]) for e in results[4]["errors"]] == [("car", "does_not_exist")]
    assert fleet_snapshot() == snapshot
    connection.set_tenant(globex)
    assert FuelRecord.objects.get(pk=their_fuel.pk).liters == Decimal("42.50")
    assert Car.objects.get(pk=their_car.pk).status == "active"


def _fuel(fleet, **changes) -> dict:
    data = {
        "car": fleet.a.pk,
        "year": LY,
        "month": 5,
        "liters": "10.00",
        "total_cost": "700.00",
        "mileage_km": 100,
    }
    return {**data, **changes}


# (name, action, entity, REST path, id, data, (attr, code))
INVALID = [
    ("month-13", "create", "fuel_record", "fuel-records", None,
     lambda f: _fuel(f, month=13), ("month", "max_value")),
    ("duplicate-month", "create", "fuel_record", "fuel-records", None,
     lambda f: _fuel(f, year=Y, month=3), ("month", "unique")),
    ("negative-liters", "create", "fuel_record", "fuel-records", None,
     lambda f: _fuel(f, liters="-1.00"), ("liters", "min_value")),
    ("liters-text", "update", "fuel_record", "fuel-records", lambda f: f.fuel[(PLATE_A, Y, 3)].pk,
     lambda f: {"liters": "lots"}, ("liters", "invalid")),
    ("duplicate-month-update", "update", "fuel_record", "fuel-records",
     lambda f: f.fuel[(PLATE_A, Y, 3)].pk, lambda f: {"month": 1}, ("month", "unique")),
    ("insurance-ends-before-start", "create", "insurance", "insurances", None,
     lambda f: {"car": f.a.pk, "insurance_type": "osago", "number": "X-1",
                "start_date": f"{Y}-04-01", "end_date": f"{Y}-03-01", "cost": "1.00"},
     ("end_date", "invalid")),
    ("duplicate-numplate", "create", "car", "cars", None,
     lambda f: {"region": "bishkek", "brand": "toyota", "title": "Corolla",
                "numplate": "01 kg 456 def", "year": 2020, "fuel_type": "petrol",
                "vehicle_type": "car"},
     ("numplate", "unique")),
    ("unknown-status", "update", "car", "cars", lambda f: f.a.pk,
     lambda f: {"status": "flying"}, ("status", "invalid_choice")),
    ("mileage-month", "create", "monthly_mileage", "monthly-mileages", None,
     lambda f: {"car": f.a.pk, "month": f"{Y}-13", "mileage_km": 10}, ("month", "invalid")),
    ("spare-without-name", "create", "spare", "spares", None,
     lambda f: {"car": f.a.pk, "part_price": "1.00", "installed_at": f"{Y}-04-01"},
     ("name", "required")),
]  # fmt: skip


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry", "real"])
@pytest.mark.parametrize(
    ("action", "entity", "path", "record", "data", "error"),
    [case[1:] for case in INVALID],
    ids=[case[0] for case in INVALID],
)
def test_invalid_data_gets_the_rest_apis_errors(
    dispatcher, fleet, action, entity, path, record, data, error, dry_run
):
    record_id = record(fleet) if record else None
    payload = data(fleet)
    snapshot = fleet_snapshot()

    results = run(
        dispatcher,
        [{"action": action, "entity": entity, "id": record_id, "data": payload}],
        dry_run=dry_run,
    )

    assert fleet_snapshot() == snapshot
    if record_id is None:
        rest = dispatcher.post(f"{API}/{path}/", payload, format="json")
    else:
        rest = dispatcher.patch(f"{API}/{path}/{record_id}/", payload, format="json")
    assert rest.status_code == 400, rest.json()
    assert results == [
        {
            "index": 0,
            "status": "error",
            "entity": entity,
            "id": record_id,
            "before": None,
            "after": None,
            "errors": rest.json()["errors"],
        }
    ]
    assert [(e["attr"], e["code"]) for e in results[0]["errors"]] == [error]


def test_a_car_with_history_cannot_be_deleted(dispatcher, fleet, spare_car):
    actions = [
        {"action": "delete", "entity": "car", "id": fleet.a.pk},
        {"action": "delete", "entity": "car", "id": spare_car.pk},
    ]

    dry = run(dispatcher, actions, dry_run=True)
    assert Car.objects.filter(pk=spare_car.pk).exists()
    real = run(dispatcher, actions, dry_run=False)

    rest = dispatcher.delete(f"{API}/cars/{fleet.a.pk}/")
    assert rest.status_code == 409
    for results in (dry, real):
        assert [r["status"] for r in results] == ["error", "ok"]
        assert results[0]["errors"] == rest.json()["errors"]
        assert [e["code"] for e in results[0]["errors"]] == ["car_has_history"]
    assert Car.objects.filter(pk=fleet.a.pk).exists()
    assert not Car.objects.filter(pk=spare_car.pk).exists()


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"actions": []}, [("actions.non_field_errors", "empty")]),
        ({}, [("actions", "required")]),
        (
            {"actions": [{"action": "update", "entity": "fuel_record", "data": {}}]},
            [("actions.0.id", "required")],
        ),
        (
            {"actions": [{"action": "frob", "entity": "tank"}]},
            [("actions.0.action", "invalid_choice"), ("actions.0.entity", "invalid_choice")],
        ),
        ({"actions": [{"action": "delete", "entity": "car", "id": 1}] * 51},
         [("actions.non_field_errors", "max_length")]),
    ],
    ids=["empty", "missing", "no-id", "unknown", "too-many"],
)  # fmt: skip
def test_bad_actions_body_is_400_and_runs_nothing(dispatcher, fleet, body, errors):
    snapshot = fleet_snapshot()

    response = dispatcher.post(ACTIONS, body, format="json")

    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == errors
    assert fleet_snapshot() == snapshot
    assert not AIAuditEntry.objects.exists()


# --- Audit ----------------------------------------------------------------------------------------


def test_a_chat_is_audited(acme_as, fleet):
    client = acme_as(Role.DISPATCHER)
    message = f"add fuel for 01KG123ABC: 50 l, 3000 som, 420 km, March {LY}" + " " * 10 + "x" * 3000

    body = chat(client, message)

    entry = AIAuditEntry.objects.get()
    assert (entry.user_id, entry.kind, entry.provider, entry.dry_run) == (
        client.user.pk,
        "chat",
        "local",
        False,
    )
    assert entry.request == message[:2000]
    assert len(entry.request) == 2000
    assert entry.reply == body["reply"]
    assert entry.proposed_actions == body["actions"] == [fuel_action(fleet.a, year=LY)]
    assert entry.executed_actions == []


def test_an_actions_call_is_audited(dispatcher, fleet):
    actions = [
        {**fuel_action(fleet.a, year=LY)},
        {"action": "delete", "entity": "car", "id": fleet.a.pk, "data": {}, "summary": "Delete"},
    ]

    for dry_run in (True, False):
        response = dispatcher.post(ACTIONS, {"actions": actions, "dry_run": dry_run}, format="json")
        assert response.status_code == 200
        entry = AIAuditEntry.objects.get()
        assert (entry.user_id, entry.kind, entry.provider, entry.dry_run, entry.reply) == (
            dispatcher.user.pk,
            "actions",
            "",
            dry_run,
            "",
        )
        assert entry.proposed_actions == actions
        assert json.loads(entry.request) == actions
        assert entry.executed_actions == response.json()["results"]
        assert [r["status"] for r in entry.executed_actions] == ["ok", "error"]
        entry.delete()


def test_the_audit_log_is_for_the_company_admin(acme_as, fleet, globex, make_user, client_for):
    other = client_for(globex, make_user(globex, Role.DISPATCHER))
    assert other.post(CHAT, {"message": "fleet summary"}, format="json").status_code == 200
    guest, dispatcher = acme_as(Role.GUEST), acme_as(Role.DISPATCHER)
    accountant, admin = acme_as(Role.ACCOUNTANT), acme_as(Role.COMPANY_ADMIN)
    chat(guest, "fleet summary")
    run(dispatcher, [fuel_action(fleet.a, year=LY)], dry_run=True)
    chat(accountant, "asdf qwerty")

    first = get_json(admin, AUDIT, page_size=2)
    second = get_json(admin, AUDIT, page_size=2, page=2)

    assert (first["count"], first["previous"], second["next"]) == (3, None, None)
    assert first["next"].endswith(f"{AUDIT}?page=2&page_size=2")
    entries = first["results"] + second["results"]
    assert [(e["username"], e["user"], e["kind"], e["dry_run"]) for e in entries] == [
        (accountant.user.username, accountant.user.pk, "chat", False),
        (dispatcher.user.username, dispatcher.user.pk, "actions", True),
        (guest.user.username, guest.user.pk, "chat", False),
    ]
    assert entries[0] == {
        "id": entries[0]["id"],
        "created_at": entries[0]["created_at"],
        "user": accountant.user.pk,
        "username": accountant.user.username,
        "kind": "chat",
        "provider": "local",
        "request": "asdf qwerty",
        "reply": HELP["en"],
        "proposed_actions": [],
        "executed_actions": [],
        "dry_run": False,
    }
    assert entries[0]["created_at"] > entries[1]["created_at"] > entries[2]["created_at"]
    assert entries[1]["executed_actions"][0]["status"] == "ok"
    for role in (Role.DISPATCHER, Role.MECHANIC, Role.DRIVER, Role.ACCOUNTANT, Role.GUEST):
        response = acme_as(role).get(AUDIT)
        assert response.status_code == 403
        assert response.json()["errors"] == [PERMISSION_DENIED]


def test_the_audit_log_filters_by_this_company_users_only(acme_as, fleet, globex, make_user):
    """Users live in the public schema: another company's user id is refused exactly like an id
    that does not exist, so the answer does not tell whether it exists."""
    admin, dispatcher = acme_as(Role.COMPANY_ADMIN), acme_as(Role.DISPATCHER)
    chat(dispatcher, "fleet summary")
    chat(admin, "fleet summary")
    outsider = make_user(globex, Role.DISPATCHER)
    missing_id = outsider.pk + 1000

    mine = get_json(admin, AUDIT, user=dispatcher.user.pk)
    answers = [admin.get(AUDIT, {"user": user_id}) for user_id in (outsider.pk, missing_id)]

    assert [e["user"] for e in mine["results"]] == [dispatcher.user.pk]
    for user_id, response in zip((outsider.pk, missing_id), answers, strict=True):
        assert response.status_code == 400, user_id
        assert response.json() == {
            "type": "validation_error",
            "errors": [
                {
                    "code": "invalid_choice",
                    "detail": "Select a valid choice. That choice is not one of the available "
                    "choices.",
                    "attr": "user",
                }
            ],
        }


# --- The switch and anonymous access --------------------------------------------------------------


def endpoint_calls(fleet):
    return [
        ("post", CHAT, {"message": "fleet summary"}),
        ("post", ACTIONS, {"actions": [fuel_action(fleet.a, year=LY)], "dry_run": False}),
        ("get", AUDIT, None),
    ]


@pytest.mark.parametrize("endpoint", [0, 1, 2], ids=["chat", "actions", "audit-log"])
def test_ai_disabled_is_403_on_every_endpoint(acme, acme_as, fleet, endpoint):
    admin = acme_as(Role.COMPANY_ADMIN)
    method, url, body = endpoint_calls(fleet)[endpoint]
    Company.objects.filter(pk=acme.pk).update(ai_enabled=False)
    snapshot = fleet_snapshot()

    off = getattr(admin, method)(url, body, format="json")

    assert off.status_code == 403
    assert off.json() == AI_DISABLED
    assert fleet_snapshot() == snapshot
    assert not AIAuditEntry.objects.exists()

    Company.objects.filter(pk=acme.pk).update(ai_enabled=True)
    on = getattr(admin, method)(url, body, format="json")
    assert on.status_code == 200, on.json()


@pytest.mark.parametrize("endpoint", [0, 1, 2], ids=["chat", "actions", "audit-log"])
def test_anonymous_is_401(acme, client_for, fleet, endpoint):
    method, url, body = endpoint_calls(fleet)[endpoint]

    response = getattr(client_for(acme), method)(url, body, format="json")

    assert response.status_code == 401
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "not_authenticated",
                "detail": "Authentication credentials were not provided.",
                "attr": None,
            }
        ],
    }
    assert not AIAuditEntry.objects.exists()
