"""The `openai` AI provider (CONTRACT §10) against a fake OpenAI-compatible chat-completions
server: a real HTTP server on 127.0.0.1 in a background thread that records every request and
answers from a per-test script.

Covered: the request sent out (path, model, tools, key, messages), tool calls executed through
the facade with the same numbers as the report endpoints, the answer mapped to `{reply, actions,
data}`, `propose_actions` filtered and never written, minimisation of everything sent out
(phones, VINs, driver names), and every way the provider can fail → 503 `ai_unavailable`, with
the right number of attempts and an audit entry; bad tool calls from the model are answered with
an error object and the chat goes on."""

import datetime as dt
import json
import socket
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection

from shared_apps.accounts.roles import Role
from tenant_apps.ai.models import AIAuditEntry
from tenant_apps.fleet.models import Car, FuelRecord, Insurance, MonthlyMileage
from tenant_apps.fleet.selectors import company_today
from tests.ai.test_assistant import COSTS_CHART, FUEL_CHART
from tests.factories import (
    CarFactory,
    FuelRecordFactory,
    InsuranceFactory,
    SpareFactory,
    TiresFactory,
)

CHAT = "/api/v1/ai/chat/"
FUEL_REPORT = "/api/v1/reports/fuel-consumption/"
COSTS_REPORT = "/api/v1/reports/maintenance-costs/"
TOOL_NAMES = [
    "fleet_summary",
    "find_car",
    "fuel_consumption",
    "maintenance_costs",
    "documents_status",
    "compliance",
    "cars",
    "insurance_premiums",
    "cost_of_ownership",
    "top_cars",
    "propose_actions",
]
MESSAGE = "How much fuel did we use in the first quarter?"


# --- The fake provider ----------------------------------------------------------------------------


class FakeModel:
    """What the fake server answers and what it was asked. `script` is a list of `(status, body,
    delay)`: body is a dict (sent as JSON), bytes (sent as they are) or a callable taking the
    parsed request body and returning either. A request beyond the script gets a 599."""

    def __init__(self):
        self.script: list[tuple] = []
        self.requests: list[dict] = []  # {"method", "path", "headers", "body"}
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.release = threading.Event()  # ends every pending delay at teardown
        self.port = 0

    @property
    def bodies(self) -> list[dict]:
        return [r["body"] for r in self.requests]

    def take(self, record: dict) -> tuple:
        with self.lock:
            self.requests.append(record)
            index = len(self.requests) - 1
        if index < len(self.script):
            return self.script[index]
        return 599, {"error": "the fake's script is exhausted"}, 0


class FakeHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        fake: FakeModel = self.server.fake
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw.decode(errors="replace")
            fake.errors.append(f"request body is not JSON: {body[:200]}")
        record = {
            "method": "POST",
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body,
        }
        status, answer, delay = fake.take(record)
        if delay:
            fake.release.wait(delay)
        try:
            if callable(answer):
                answer = answer(body)
            payload = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        except Exception as exc:  # reported by the fixture's teardown
            fake.errors.append(f"script callable failed: {exc!r}")
            status, payload = 598, b"{}"
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client gave up (timeout) and closed the connection

    def log_message(self, *args):
        pass


@pytest.fixture
def fake(monkeypatch) -> FakeModel:
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    model = FakeModel()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeHandler)
    server.daemon_threads = True
    server.fake = model
    model.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield model
    model.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)
    assert model.errors == []


@pytest.fixture
def openai(settings, fake) -> FakeModel:
    """The app talks to the fake server."""
    settings.AI_PROVIDER = "openai"
    settings.AI_BASE_URL = f"http://127.0.0.1:{fake.port}/v1"
    settings.AI_API_KEY = "test-key"
    settings.AI_MODEL = "fleet-test"
    settings.AI_TIMEOUT_SECONDS = 5.0
    settings.AI_RETRIES = 1
    return fake


@pytest.fixture
def user(acme, make_user):
    return make_user(acme, Role.GUEST)


@pytest.fixture
def client(acme, user, client_for):
    client = client_for(acme, user)
    client.raise_request_exception = False  # a bug must show as a 500, not stop the test
    return client


def completion(message: dict, status: int = 200, delay: float = 0) -> tuple:
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "fleet-test",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
    }
    return status, body, delay


def answer(content: str) -> tuple:
    return completion({"role": "assistant", "content": content})


def call(call_id: str, name: str, arguments) -> dict:
    if not isinstance(arguments, str | bytes):
        arguments = json.dumps(arguments)
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def tool_calls(*calls: dict) -> tuple:
    return completion({"role": "assistant", "content": None, "tool_calls": list(calls)})


def tool_results(body: dict) -> dict:
    """The tool messages of a request, by call id, their content parsed."""
    return {
        m["tool_call_id"]: json.loads(m["content"]) for m in body["messages"] if m["role"] == "tool"
    }


def unavailable(reason: str) -> dict:
    detail = f"The AI provider is unavailable ({reason}); try again later."
    return {
        "type": "server_error",
        "errors": [{"code": "ai_unavailable", "detail": detail, "attr": None}],
    }


def assert_failure_audited(acme, user, reason: str, message: str = MESSAGE) -> None:
    connection.set_tenant(acme)
    entry = AIAuditEntry.objects.get()
    detail = f"The AI provider is unavailable ({reason}); try again later."
    assert (
        entry.user_id,
        entry.kind,
        entry.provider,
        entry.request,
        entry.reply,
        entry.proposed_actions,
    ) == (user.pk, "chat", "openai", message, f"[{detail}]", [])


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- Data -----------------------------------------------------------------------------------------
#
# Fuel, 2026-01..2026-03 (liters, cost, km):
#   A 2026-01  40.00  2800.00  500  →  8.00
#   B 2026-02  60.00  4200.00  400  → 15.00
#   A 2026-03  25.50  1785.00  300  →  8.50
#   B 2025-12  99.00  9900.00  999  (before the period)
# Totals: 125.50 L, 8785.00, 1200 km → 12550 / 1200 = 10.458 → 10.46.
# Upkeep: a repair on A 2026-02-10 (parts 1500.00, work 500.00), tyres on B 2026-03-01 (24000.00).


@pytest.fixture
def fleet(in_acme) -> dict:
    a = CarFactory(numplate="01KG101AAA", driver_name="Асанов Бакыт уулу")
    b = CarFactory(numplate="01KG202BBB", driver_name="Петрова Айгуль")
    FuelRecordFactory(car=a, year=2026, month=1, liters=Decimal("40.00"),
                      total_cost=Decimal("2800.00"), mileage_km=500)  # fmt: skip
    FuelRecordFactory(car=b, year=2026, month=2, liters=Decimal("60.00"),
                      total_cost=Decimal("4200.00"), mileage_km=400)  # fmt: skip
    FuelRecordFactory(car=a, year=2026, month=3, liters=Decimal("25.50"),
                      total_cost=Decimal("1785.00"), mileage_km=300)  # fmt: skip
    FuelRecordFactory(car=b, year=2025, month=12, liters=Decimal("99.00"),
                      total_cost=Decimal("9900.00"), mileage_km=999)  # fmt: skip
    SpareFactory(car=a, part_price=Decimal("1500.00"), work_price=Decimal("500.00"),
                 installed_at=dt.date(2026, 2, 10))  # fmt: skip
    TiresFactory(car=b, price=Decimal("24000.00"), installed_at=dt.date(2026, 3, 1))
    return {"a": a, "b": b}


FUEL_RESULT = {
    "from": "2026-01",
    "to": "2026-03",
    "group_by": "month",
    "car": None,
    "totals": {
        "period": None,
        "numplate": None,
        "liters": "125.50",
        "cost": "8785.00",
        "mileage_km": 1200,
        "liters_without_mileage": "0.00",
        "avg_consumption_l_per_100km": "10.46",
    },
    "rows": [
        {"period": "2026-01", "numplate": None, "liters": "40.00", "cost": "2800.00",
         "mileage_km": 500, "liters_without_mileage": "0.00",
         "avg_consumption_l_per_100km": "8.00"},
        {"period": "2026-02", "numplate": None, "liters": "60.00", "cost": "4200.00",
         "mileage_km": 400, "liters_without_mileage": "0.00",
         "avg_consumption_l_per_100km": "15.00"},
        {"period": "2026-03", "numplate": None, "liters": "25.50", "cost": "1785.00",
         "mileage_km": 300, "liters_without_mileage": "0.00",
         "avg_consumption_l_per_100km": "8.50"},
    ],
    "rows_total": 3,
}  # fmt: skip


def cost_row(period, parts="0.00", work="0.00", tires="0.00", total="0.00") -> dict:
    return {"period": period, "numplate": None, "parts": parts, "work": work, "tires": tires,
            "accumulators": "0.00", "inspections": "0.00", "total": total}  # fmt: skip


COSTS_RESULT = {
    "from": "2026-01",
    "to": "2026-03",
    "group_by": "month",
    "car": None,
    "totals": cost_row(None, "1500.00", "500.00", "24000.00", "26000.00"),
    "rows": [
        cost_row("2026-01"),
        cost_row("2026-02", parts="1500.00", work="500.00", total="2000.00"),
        cost_row("2026-03", tires="24000.00", total="24000.00"),
    ],
    "rows_total": 3,
}
PERIOD = {"date_from": "2026-01", "date_to": "2026-03"}
# The answer's `data`: the last read tool's result, with its kind and chart as the local
# provider gives them.
FUEL_DATA = {"kind": "fuel_consumption", **FUEL_RESULT, "chart": FUEL_CHART}
COSTS_DATA = {"kind": "maintenance_costs", **COSTS_RESULT, "chart": COSTS_CHART}


# --- 1. Tool calls are executed and the answer mapped ---------------------------------------------


def test_tool_calls_are_executed_and_the_answer_is_mapped(acme, fleet, openai, client):
    openai.script = [
        tool_calls(
            call("call_fuel", "fuel_consumption", PERIOD),
            call("call_costs", "maintenance_costs", PERIOD),
        ),
        answer("You used 125.50 l for 8785.00 KGS; upkeep cost 26000.00 KGS."),
    ]
    response = client.post(
        CHAT,
        {"message": MESSAGE, "context": {"from": "2026-01", "to": "2026-03"}},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json() == {
        "reply": "You used 125.50 l for 8785.00 KGS; upkeep cost 26000.00 KGS.",
        "actions": [],
        "data": COSTS_DATA,  # the last read tool's result
    }
    assert len(openai.requests) == 2
    for request in openai.requests:
        assert request["path"] == "/v1/chat/completions"
        assert request["headers"]["authorization"] == "Bearer test-key"
        assert request["headers"]["content-type"] == "application/json"
        assert request["body"]["model"] == "fleet-test"
        assert [t["function"]["name"] for t in request["body"]["tools"]] == TOOL_NAMES
        assert all(t["type"] == "function" for t in request["body"]["tools"])

    first, second = openai.bodies
    today = company_today(acme)
    assert first["messages"] == [
        {
            "role": "system",
            "content": "You are the fleet assistant of a company's vehicle fleet. Answer in the "
            f"language 'en'. Today is {today.isoformat()}; amounts are in KGS. Use the tools for "
            "every number; never invent data. For changes, call propose_actions: the user "
            "confirms them; you cannot write. The user's role is GUEST; it may change nothing: "
            "propose nothing else.",
        },
        {
            "role": "user",
            "content": f'{MESSAGE}\n\nContext: {{"from": "2026-01", "to": "2026-03"}}',
        },
    ]
    assert second["messages"][:2] == first["messages"]
    assert second["messages"][2] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            call("call_fuel", "fuel_consumption", PERIOD),
            call("call_costs", "maintenance_costs", PERIOD),
        ],
    }
    assert [(m["role"], m["tool_call_id"]) for m in second["messages"][3:]] == [
        ("tool", "call_fuel"),
        ("tool", "call_costs"),
    ]
    sent = tool_results(second)
    assert sent == {"call_fuel": FUEL_RESULT, "call_costs": COSTS_RESULT}

    # The same numbers as the report endpoints for the same period.
    fuel_report = client.get(FUEL_REPORT, {"from": "2026-01", "to": "2026-03"}).json()
    assert {k: v for k, v in sent["call_fuel"]["totals"].items() if v is not None} == {
        k: v for k, v in fuel_report["totals"].items() if v is not None
    }
    assert [
        (r["period"], r["liters"], r["cost"], r["mileage_km"], r["avg_consumption_l_per_100km"])
        for r in sent["call_fuel"]["rows"]
    ] == [
        (r["period"], r["liters"], r["cost"], r["mileage_km"], r["avg_consumption_l_per_100km"])
        for r in fuel_report["rows"]
    ]
    costs_report = client.get(COSTS_REPORT, {"from": "2026-01", "to": "2026-03"}).json()
    assert {k: v for k, v in sent["call_costs"]["totals"].items() if v is not None} == (
        costs_report["totals"]
    )

    connection.set_tenant(acme)
    entry = AIAuditEntry.objects.get()
    assert (entry.kind, entry.provider, entry.request, entry.reply, entry.proposed_actions) == (
        "chat",
        "openai",
        MESSAGE,
        "You used 125.50 l for 8785.00 KGS; upkeep cost 26000.00 KGS.",
        [],
    )


def test_without_an_api_key_no_authorization_header_is_sent(fleet, openai, settings, client):
    settings.AI_API_KEY = ""
    openai.script = [answer("Hello.")]
    response = client.post(CHAT, {"message": "Hi"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"reply": "Hello.", "actions": [], "data": None}
    assert "authorization" not in openai.requests[0]["headers"]


def test_tool_results_keep_their_dates(acme, fleet, openai, client):
    """The minimiser must not take dates for phone numbers: the model has to see when a policy
    ends to say what expires."""
    connection.set_tenant(acme)
    today = company_today(acme)
    end = today + dt.timedelta(days=200)
    InsuranceFactory(car=fleet["a"], start_date=today - dt.timedelta(days=100), end_date=end)
    openai.script = [
        tool_calls(call("call_docs", "documents_status", {})),
        answer("One policy is active."),
    ]
    response = client.post(CHAT, {"message": "What expires soon?"}, format="json")

    assert response.status_code == 200, response.content
    expected = {
        "today": today.isoformat(),
        "days": acme.expiry_warning_days,
        "status": None,
        "counts": {"upcoming": 0, "active": 1, "expiring": 0, "expired": 0},
        "items": [
            {
                "kind": "insurance",
                "numplate": "01KG101AAA",
                "type": "osago",
                "end": end.isoformat(),
                "status": "active",
                "days_left": 200,
            }
        ],
        "items_total": 1,
    }
    assert response.json()["data"] == {"kind": "documents", **expected}
    assert tool_results(openai.bodies[1]) == {"call_docs": expected}


def test_a_found_car_is_data_of_kind_car(fleet, openai, client):
    """Every `data` has a `kind`, as the local provider's: the API schema types it by kind."""
    car = fleet["a"]
    openai.script = [
        tool_calls(call("call_find", "find_car", {"numplate": "01 kg 101 aaa"})),
        answer("01KG101AAA is a Camry."),
    ]
    response = client.post(CHAT, {"message": "Which car is 01KG101AAA?"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["data"] == {
        "kind": "car",
        "id": car.pk,
        "numplate": "01KG101AAA",
        "title": car.title,
        "brand": car.brand,
        "status": "active",
    }


# Thirty cars, each with a repair in 2026-01 (parts n × 100.00) and a policy ending in n days, and
# fuel in the first and the last of 36 months (2023-07..2026-06): more rows than MAX_ROWS (24).
CAPPED_PLATES = [f"01KG{n:03d}CAP" for n in range(1, 31)]
# The latest 24 of those months: 2024-07..2026-06.
LAST_24_MONTHS = [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)][6:30]


@pytest.fixture
def thirty_cars(in_acme) -> list:
    today = company_today(in_acme)
    cars = [CarFactory(numplate=numplate) for numplate in CAPPED_PLATES]
    for n, car in enumerate(cars, start=1):
        SpareFactory(car=car, part_price=Decimal(n * 100), work_price=Decimal(0),
                     installed_at=dt.date(2026, 1, 10))  # fmt: skip
        InsuranceFactory(car=car, start_date=today - dt.timedelta(days=100),
                         end_date=today + dt.timedelta(days=n))  # fmt: skip
    FuelRecordFactory(car=cars[0], year=2023, month=7, liters=Decimal("10.00"),
                      total_cost=Decimal("700.00"), mileage_km=100)  # fmt: skip
    FuelRecordFactory(car=cars[0], year=2026, month=6, liters=Decimal("20.00"),
                      total_cost=Decimal("1400.00"), mileage_km=200)  # fmt: skip
    return cars


def test_at_most_24_rows_of_an_answer_are_sent_out(thirty_cars, openai, client):
    """The provider gets the latest 24 rows (by car, the 24 with the most; the soonest 24
    documents), the number of rows there were, and totals over all of them."""
    openai.script = [
        tool_calls(
            call("call_fuel", "fuel_consumption", {"date_from": "2023-07", "date_to": "2026-06"}),
            call("call_costs", "maintenance_costs",
                 {"date_from": "2026-01", "date_to": "2026-01", "group_by": "car"}),
            call("call_docs", "documents_status", {}),
        ),
        answer("Done."),
    ]  # fmt: skip
    response = client.post(CHAT, {"message": MESSAGE}, format="json")

    assert response.status_code == 200, response.content
    sent = tool_results(openai.bodies[1])
    fuel, costs, documents = sent["call_fuel"], sent["call_costs"], sent["call_docs"]
    assert [r["period"] for r in fuel["rows"]] == LAST_24_MONTHS
    assert [r["liters"] for r in fuel["rows"]] == ["0.00"] * 23 + ["20.00"]
    assert (fuel["rows_total"], fuel["totals"]["liters"]) == (36, "30.00")
    # By car, the 24 costliest cars, costliest first (not the last plates of the alphabet).
    assert [(r["numplate"], r["total"]) for r in costs["rows"]] == [
        (numplate, f"{n * 100}.00") for n, numplate in enumerate(CAPPED_PLATES, start=1)
    ][::-1][:24]
    assert (costs["rows_total"], costs["totals"]["total"]) == (30, "46500.00")
    assert [(i["numplate"], i["days_left"]) for i in documents["items"]] == [
        (numplate, n) for n, numplate in enumerate(CAPPED_PLATES[:24], start=1)
    ]
    assert documents["items_total"] == 30
    # All 30 end within the company's 30-day window.
    assert documents["counts"] == {"upcoming": 0, "active": 0, "expiring": 30, "expired": 0}
    assert response.json()["data"] == {"kind": "documents", **documents}


# --- 2. propose_actions ---------------------------------------------------------------------------


def test_propose_actions_keeps_the_valid_ones_and_writes_nothing(
    acme, fleet, openai, client_for, make_user
):
    client = client_for(acme, make_user(acme, Role.ACCOUNTANT, language="en"))
    car = fleet["a"]
    valid = {
        "action": "create",
        "entity": "fuel_record",
        "data": {"car": car.pk, "year": 2026, "month": 4, "liters": "50.00",
                 "total_cost": "3000.00", "mileage_km": 420},
        "summary": "Add fuel for 01KG101AAA: 50 l, 3000 KGS, 420 km, April 2026",
    }  # fmt: skip
    invalid = [
        {"action": "update", "entity": "fuel_record", "data": {"liters": "1.00"}},  # no id
        {"action": "explode", "entity": "car", "id": car.pk},
        {"action": "delete", "entity": "passport", "id": 1},
        "delete everything",
    ]
    openai.script = [
        tool_calls(
            call("call_p", "propose_actions", {"actions": [invalid[0], valid, *invalid[1:]]})
        ),
        answer("Please confirm the fuel record."),
    ]
    counts = [m.objects.count() for m in (Car, FuelRecord, Insurance, MonthlyMileage)]

    response = client.post(CHAT, {"message": "Add 50 l for 01KG101AAA in April"}, format="json")

    assert response.status_code == 200, response.content
    proposed = {**valid, "id": None}
    assert response.json() == {
        "reply": "Please confirm the fuel record.",
        "actions": [proposed],
        "data": None,
    }
    # The rejected ones are told back with their errors, so that the model can correct them.
    assert tool_results(openai.bodies[1]) == {
        "call_p": {
            "proposed": 1,
            "rejected": [
                {"index": 0, "errors": {"id": ["Give the id of the record to change."]}},
                {"index": 2, "errors": {"action": ['"explode" is not a valid choice.']}},
                {"index": 3, "errors": {"entity": ['"passport" is not a valid choice.']}},
                {
                    "index": 4,
                    "errors": {
                        "non_field_errors": ["Invalid data. Expected a dictionary, but got str."]
                    },
                },
            ],
        }
    }
    connection.set_tenant(acme)
    assert [m.objects.count() for m in (Car, FuelRecord, Insurance, MonthlyMileage)] == counts
    assert not FuelRecord.objects.filter(car=car, year=2026, month=4).exists()
    assert AIAuditEntry.objects.get().proposed_actions == [proposed]


# --- 3. Minimisation ------------------------------------------------------------------------------

PHONES = ["+996 555 123 456", "0(700)987-654"]
VINS = ["JTDBR32E720123456", "XW8ZZZ61ZHG012345"]
NAMES = ["Асанов Бакыт уулу", "Асанов", "Петрова Айгуль", "Петрова"]


@pytest.fixture
def drivers(in_acme) -> dict:
    a = CarFactory(numplate="01KG777AAA", driver_name="Асанов Бакыт уулу",
                   driver_phone=PHONES[0], vin=VINS[0])  # fmt: skip
    b = CarFactory(numplate="01KG888BBB", driver_name="Петрова Айгуль",
                   driver_phone=PHONES[1], vin=VINS[1])  # fmt: skip
    FuelRecordFactory(car=a, year=2026, month=2, liters=Decimal("30.00"),
                      total_cost=Decimal("2100.00"), mileage_km=250)  # fmt: skip
    return {"a": a, "b": b}


def sent_text(fake: FakeModel) -> str:
    return json.dumps([r["body"] for r in fake.requests], ensure_ascii=False) + json.dumps(
        [r["headers"] for r in fake.requests], ensure_ascii=False
    )


def assert_nothing_personal(text: str) -> None:
    lowered = text.lower()
    squeezed = "".join(c for c in text if c not in " ()-")
    for phone in PHONES:
        assert phone not in text
        assert "".join(c for c in phone if c.isdigit()) not in squeezed
    for vin in VINS:
        assert vin.lower() not in lowered
    for name in NAMES:
        assert name.lower() not in lowered


def test_nothing_personal_is_sent_out(acme, drivers, openai, client):
    car = drivers["a"]

    def fuel_for_the_found_car(body: dict) -> dict:
        found = tool_results(body)["call_find"]
        return tool_calls(call("call_fuel", "fuel_consumption", {"car_id": found["id"], **PERIOD}))[
            1
        ]

    openai.script = [
        tool_calls(call("call_find", "find_car", {"numplate": "01 kg 777 aaa"})),
        (200, fuel_for_the_found_car, 0),
        answer("30.00 l in February."),
    ]
    message = (
        f"Driver Асанов Бакыт уулу (phone {PHONES[0]}, also {PHONES[1]}), VIN {VINS[0]}, "
        f"car 01KG777AAA: how much fuel in Q1? Ask асанов and ПЕТРОВА, vin {VINS[1].lower()}."
    )
    response = client.post(CHAT, {"message": message, "context": {"car": car.pk}}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["reply"] == "30.00 l in February."
    assert response.json()["data"]["totals"]["liters"] == "30.00"
    assert len(openai.requests) == 3
    assert_nothing_personal(sent_text(openai))
    assert openai.bodies[0]["messages"][1]["content"] == (
        "Driver [driver] (phone [phone], also [phone]), VIN [vin], car 01KG777AAA: how much fuel "
        f'in Q1? Ask [driver] and [driver], vin [vin].\n\nContext: {{"car_id": {car.pk}}}'
    )
    assert tool_results(openai.bodies[1]) == {
        "call_find": {
            "id": car.pk,
            "numplate": "01KG777AAA",
            "title": "Camry",
            "brand": "toyota",
            "status": "active",
        }
    }
    assert tool_results(openai.bodies[2])["call_fuel"]["totals"]["liters"] == "30.00"


# Declined forms of the drivers' surnames (Асанов, Петрова): Russian cases, then Kyrgyz ones.
DECLINED = ["Асанова", "Асанову", "Асановым", "Асанове", "Петровой", "Петрову", "Петровою",
            "Асановго", "Асановдун", "Асановду", "Асановдо", "Асановдон",
            "Петровага", "Петрованы", "Петровада", "Петрованын", "Петровадан",
            "Асановдун", "Асановдон"]  # fmt: skip
# Phone numbers of 9, 10, 12 and 15 digits, written as people write them.
PHONE_FORMS = ["555 123 456", "0555 123 456", "+996 (555) 12-34-56", "+882 1234 5678 9012"]
# Dates, months, amounts and a number plate that look like phone numbers but are not.
KEPT = ["2026-03-15", "15.03.2026", "2026-01", "12 500.00", "123456789.50", "1 234 567 890.00",
        "01KG777AAA"]  # fmt: skip


def test_declined_surnames_and_phones_are_scrubbed_and_dates_kept(drivers, openai, client):
    """Russian and Kyrgyz decline surnames ("Петровой", "Асановго" name the same drivers), and
    phones have 9 to 15 digits; what only looks like a phone (a date, an amount) reaches the
    model as it was written."""
    openai.script = [answer("I cannot call drivers.")]
    message = (
        f"Позвони {', '.join(DECLINED)}; номера {'; '.join(PHONE_FORMS)}; "
        f"даты и суммы {'; '.join(KEPT)}."
    )
    response = client.post(CHAT, {"message": message}, format="json")

    assert response.status_code == 200, response.content
    assert openai.bodies[0]["messages"][1]["content"] == (
        f"Позвони {', '.join(['[driver]'] * len(DECLINED))}; "
        f"номера {'; '.join(['[phone]'] * len(PHONE_FORMS))}; даты и суммы {'; '.join(KEPT)}."
    )
    assert_nothing_personal(sent_text(openai))


# --- 4. Failures → 503 ai_unavailable -------------------------------------------------------------


def test_a_timeout_is_retried_then_503_in_bounded_time(acme, user, fleet, openai, settings, client):
    settings.AI_TIMEOUT_SECONDS = 0.5
    settings.AI_RETRIES = 1
    openai.script = [(*answer("too late")[:2], 60)] * 5  # each answer held for a minute

    started = time.monotonic()
    response = client.post(CHAT, {"message": MESSAGE}, format="json")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json() == unavailable("TimeoutError")
    assert len(openai.requests) == settings.AI_RETRIES + 1
    # Two attempts that each waited out their 0.5 s timeout, and a back-off of 0.5 s between
    # them: at least 1.5 s, however fast the machine. The upper bound only has to tell the
    # timeouts from waiting for the fake's minute, so it leaves room for a busy machine.
    assert 1.5 <= elapsed < 30
    assert_failure_audited(acme, user, "TimeoutError")


def test_a_500_every_time_is_503_after_every_retry(acme, user, fleet, openai, settings, client):
    settings.AI_RETRIES = 2
    openai.script = [(500, {"error": {"message": "boom"}}, 0)] * 3
    response = client.post(CHAT, {"message": MESSAGE}, format="json")

    assert response.status_code == 503
    assert response.json() == unavailable("HTTP 500")
    assert len(openai.requests) == settings.AI_RETRIES + 1 == 3
    assert openai.bodies[0] == openai.bodies[1] == openai.bodies[2]
    assert_failure_audited(acme, user, "HTTP 500")


@pytest.mark.parametrize("status", [500, 502, 429])
def test_a_failed_attempt_is_retried(acme, fleet, openai, client, status):
    openai.script = [(status, {"error": {"message": "busy"}}, 0), answer("Fine now.")]
    response = client.post(CHAT, {"message": MESSAGE}, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {"reply": "Fine now.", "actions": [], "data": None}
    assert len(openai.requests) == 2
    connection.set_tenant(acme)
    assert AIAuditEntry.objects.get().reply == "Fine now."


@pytest.mark.parametrize("status", [400, 401, 404])
def test_a_client_error_is_not_retried(acme, user, fleet, openai, client, status):
    openai.script = [(status, {"error": {"message": "no"}}, 0), answer("never asked")]
    response = client.post(CHAT, {"message": MESSAGE}, format="json")

    assert response.status_code == 503
    assert response.json() == unavailable(f"HTTP {status}")
    assert len(openai.requests) == 1
    assert_failure_audited(acme, user, f"HTTP {status}")


@pytest.mark.parametrize(
    "body",
    [
        b"this is not JSON",
        b"",
        b"[]",
        b"{}",
        {"choices": []},
        {"choices": [{"message": None}]},
        {"choices": [{"message": "Hello"}]},
        {"choices": [{"message": {"role": "assistant", "tool_calls": "fuel_consumption"}}]},
        {"choices": [{"message": {"role": "assistant", "tool_calls": [None]}}]},
    ],
    ids=[
        "not-json",
        "empty",
        "list",
        "no-choices",
        "empty-choices",
        "null-message",
        "string-message",
        "string-tool-calls",
        "null-tool-call",
    ],
)
def test_an_unreadable_answer_is_503(acme, user, fleet, openai, client, body):
    openai.script = [(200, body, 0), answer("never asked")]
    response = client.post(CHAT, {"message": MESSAGE}, format="json")

    assert response.status_code == 503, response.content
    assert response.json() == unavailable("an unreadable answer")
    assert len(openai.requests) == 1
    assert_failure_audited(acme, user, "an unreadable answer")


def test_a_refused_connection_is_503(acme, user, fleet, openai, settings, client):
    settings.AI_BASE_URL = f"http://127.0.0.1:{closed_port()}/v1"
    settings.AI_RETRIES = 0
    response = client.post(CHAT, {"message": MESSAGE}, format="json")

    assert response.status_code == 503
    assert response.json() == unavailable("URLError")
    assert openai.requests == []
    assert_failure_audited(acme, user, "URLError")


@pytest.mark.parametrize(
    ("base_url", "model", "reason"),
    [
        ("", "fleet-test", "AI_BASE_URL and AI_MODEL are not configured"),
        ("http://127.0.0.1:1/v1", "", "AI_BASE_URL and AI_MODEL are not configured"),
        ("ftp://127.0.0.1/v1", "fleet-test", "AI_BASE_URL must be an http(s) URL"),
    ],
    ids=["no-url", "no-model", "not-http"],
)
def test_a_provider_not_configured_is_503_without_a_request(
    acme, user, fleet, openai, settings, client, base_url, model, reason
):
    settings.AI_BASE_URL = base_url
    settings.AI_MODEL = model
    response = client.post(CHAT, {"message": MESSAGE}, format="json")

    assert response.status_code == 503
    assert response.json() == unavailable(reason)
    assert openai.requests == []
    assert_failure_audited(acme, user, reason)


def test_a_model_that_never_stops_calling_tools_is_503(acme, user, fleet, openai, client):
    openai.script = [tool_calls(call(f"call_{i}", "fleet_summary", {})) for i in range(10)]
    response = client.post(CHAT, {"message": MESSAGE}, format="json")

    assert response.status_code == 503
    assert response.json() == unavailable("it did not finish its answer")
    assert len(openai.requests) == 6  # MAX_ROUNDS
    # Each round sent the previous rounds' calls and results back.
    assert [len(body["messages"]) for body in openai.bodies] == [2, 4, 6, 8, 10, 12]
    assert_failure_audited(acme, user, "it did not finish its answer")


# --- 5. Bad tool calls from the model -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "arguments", "error"),
    [
        ("drop_tables", "{}", "Unknown tool 'drop_tables'."),
        (None, "{}", "Unknown tool None."),
        ("fuel_consumption", "{not json", "The arguments are not valid JSON."),
        ("fuel_consumption", "[1, 2]", "The arguments must be an object."),
        ("fuel_consumption", "null", "The arguments must be an object."),
        (
            "fuel_consumption",
            '{"date_from": "2026-13"}',
            "Bad arguments: month must be in 1..12",
        ),
        (
            "fuel_consumption",
            '{"colour": "red"}',
            "Bad arguments: fuel_consumption() got an unexpected keyword argument 'colour'",
        ),
        (
            "find_car",
            "{}",
            "Bad arguments: find_car() missing 1 required keyword-only argument: 'numplate'",
        ),
        (
            "fuel_consumption",
            '{"car_id": "abc"}',
            "Bad arguments: Field 'id' expected a number but got 'abc'.",
        ),
    ],
    ids=[
        "unknown-tool",
        "no-name",
        "not-json",
        "list",
        "null",
        "bad-month",
        "unknown-argument",
        "missing-argument",
        "car-not-a-number",
    ],
)
def test_a_bad_tool_call_gets_an_error_and_the_chat_completes(
    acme, fleet, openai, client, name, arguments, error
):
    openai.script = [
        tool_calls(
            {
                "id": "call_bad",
                "type": "function",
                "function": {"name": name, "arguments": arguments},
            }
        ),
        answer("Sorry, I could not read that."),
    ]
    response = client.post(CHAT, {"message": MESSAGE}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["reply"] == "Sorry, I could not read that."
    assert response.json()["actions"] == []
    assert tool_results(openai.bodies[1]) == {"call_bad": {"error": error}}


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        ("documents_status", {"status": "bogus"}),
        ("top_cars", {"metric": "speed"}),
        ("fuel_consumption", {"group_by": "week"}),
        ("propose_actions", {"actions": 5}),
        ("fuel_consumption", {"date_from": 202601}),
    ],
    ids=[
        "unknown-status",
        "unknown-metric",
        "unknown-grouping",
        "actions-not-a-list",
        "month-not-a-string",
    ],
)
def test_arguments_out_of_the_schema_get_an_error_object(
    acme, fleet, openai, client, name, arguments
):
    """Arguments the tool schema forbids (a model does not always follow it) are answered with
    an error object, never a 500."""
    openai.script = [
        tool_calls(call("call_bad", name, arguments)),
        answer("Sorry."),
    ]
    response = client.post(CHAT, {"message": MESSAGE}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["reply"] == "Sorry."
    assert response.json()["actions"] == []
    sent = tool_results(openai.bodies[1])["call_bad"]
    assert list(sent) == ["error"], sent


def test_out_of_range_numbers_are_clamped(acme, fleet, openai, client):
    """`days` and `limit` outside the schema's range are brought into it, not refused."""
    openai.script = [
        tool_calls(
            call("call_d", "documents_status", {"days": 100_000_000}),
            call("call_t", "top_cars", {"limit": "500"}),
        ),
        answer("Done."),
    ]
    response = client.post(CHAT, {"message": MESSAGE}, format="json")

    assert response.status_code == 200, response.content
    sent = tool_results(openai.bodies[1])
    assert sent["call_d"]["days"] == 3650
    assert sent["call_t"]["metric"] == "cost"
    assert len(sent["call_t"]["rows"]) <= 10


def test_arguments_sent_as_an_object_are_read_or_refused(acme, fleet, openai, client):
    """Some OpenAI-compatible servers send `arguments` as a JSON object, not a string."""
    openai.script = [
        tool_calls(
            {"id": "call_obj", "type": "function",
             "function": {"name": "fuel_consumption", "arguments": PERIOD}}
        ),
        answer("Done."),
    ]  # fmt: skip
    response = client.post(CHAT, {"message": MESSAGE}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["reply"] == "Done."
    sent = tool_results(openai.bodies[1])["call_obj"]
    assert sent in (FUEL_RESULT, {"error": "The arguments are not valid JSON."})


def test_a_failed_read_does_not_replace_the_data_of_a_good_one(acme, fleet, openai, client):
    openai.script = [
        tool_calls(call("call_fuel", "fuel_consumption", PERIOD)),
        tool_calls(call("call_bad", "maintenance_costs", {"date_from": "2026-13"})),
        answer("125.50 l."),
    ]
    response = client.post(CHAT, {"message": MESSAGE}, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {"reply": "125.50 l.", "actions": [], "data": FUEL_DATA}
    assert tool_results(openai.bodies[2]) == {
        "call_fuel": FUEL_RESULT,
        "call_bad": {"error": "Bad arguments: month must be in 1..12"},
    }


def test_a_failed_read_is_not_data(acme, fleet, openai, client):
    """`data` is "the numbers behind the reply, ready for a chart": an error object is not."""
    openai.script = [
        tool_calls(call("call_bad", "fuel_consumption", {"date_from": "2026-13"})),
        answer("Sorry."),
    ]
    response = client.post(CHAT, {"message": MESSAGE}, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {"reply": "Sorry.", "actions": [], "data": None}


def test_a_proposal_the_users_role_may_not_make_is_told_back(acme, fleet, openai, client):
    """The guest's model is told the role may change nothing, and a proposal it makes anyway is
    rejected with the reason, not shown to the user."""
    car = fleet["a"]
    proposal = {
        "action": "update",
        "entity": "car",
        "id": car.pk,
        "data": {"status": "repair"},
        "summary": "Put 01KG101AAA in repair",
    }
    openai.script = [
        tool_calls(call("call_p", "propose_actions", {"actions": [proposal]})),
        answer("Your role cannot change cars."),
    ]

    response = client.post(CHAT, {"message": "put 01KG101AAA in repair"}, format="json")

    assert response.json()["actions"] == []
    assert tool_results(openai.bodies[1]) == {
        "call_p": {
            "proposed": 0,
            "rejected": [
                {"index": 0, "errors": {"entity": ["The user's role may not change this."]}}
            ],
        }
    }
    assert (
        "The user's role is GUEST; it may change nothing"
        in openai.bodies[0]["messages"][0]["content"]
    )
