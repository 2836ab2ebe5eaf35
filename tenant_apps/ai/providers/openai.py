"""Any OpenAI-compatible chat-completions endpoint with tool calling (`AI_BASE_URL`,
`AI_API_KEY`, `AI_MODEL`). The model answers by calling the facade's read functions as tools
and `propose_actions` for changes; it never writes. Everything sent out goes through the
minimiser. Timeouts and 5xx/429 answers are retried; a provider that still fails is a 503."""

import json
import logging
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils.translation import gettext as _

from shared_apps.core.exceptions import ServiceUnavailable
from tenant_apps.fleet.compliance import ComplianceStatus, Obligation
from tenant_apps.fleet.models import CarStatus, DocumentStatus
from tenant_apps.fleet.selectors import company_today

from .. import facade
from ..actions import ActionSerializer, writable_entities
from ..minimise import Minimiser
from . import ChatReply, ChatRequest, reply_data

logger = logging.getLogger(__name__)
MAX_ROUNDS = 6
MAX_TOOL_RESULT_CHARS = 8000

_PERIOD = {
    "date_from": {"type": "string", "description": "First month, YYYY-MM."},
    "date_to": {"type": "string", "description": "Last month, YYYY-MM."},
}
_CAR = {"car_id": {"type": "integer", "description": "Only this car (its id, see find_car)."}}
_GROUP = {"group_by": {"type": "string", "enum": ["month", "year", "car"]}}


def _tool(name: str, description: str, properties: dict, required=()) -> dict:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {"type": "object", "properties": properties, "required": list(required)},
        },
    }


TOOLS = [
    _tool("fleet_summary", "Cars by status and type; this year's fuel, upkeep and documents.", {}),
    _tool(
        "find_car",
        "Find a car by its number plate; returns its id.",
        {"numplate": {"type": "string"}},
        required=["numplate"],
    ),
    _tool(
        "fuel_consumption",
        "Fuel liters, cost, km and l/100 km over months.",
        {**_CAR, **_PERIOD, **_GROUP},
    ),
    _tool(
        "maintenance_costs",
        "Repair, tyre, battery and inspection costs over months.",
        {**_CAR, **_PERIOD, **_GROUP},
    ),
    _tool(
        "documents_status",
        "Insurances and inspections by status (upcoming: not started yet, active, expiring "
        "within `days`, expired).",
        {
            "status": {"type": "string", "enum": DocumentStatus.values},
            "days": {"type": "integer", "minimum": 0, "maximum": 3650},
        },
    ),
    _tool(
        "compliance",
        "May each car in service be on the road today: one row per car and obligation (osago, "
        "inspection, fire_extinguisher, first_aid_kit, casco, battery_warranty, service) with "
        "its status (missing, expired, expiring, active) and due date, worst first.",
        {
            "status": {"type": "string", "enum": ComplianceStatus.values},
            "obligation": {"type": "string", "enum": Obligation.values},
            **_CAR,
            "days": {"type": "integer", "minimum": 0, "maximum": 3650},
        },
    ),
    _tool(
        "cars",
        "The cars of a status, region and vehicle type (codes; each optional): how many of all "
        "the cars, and the first of them by number plate.",
        {
            "status": {"type": "string", "enum": CarStatus.values},
            "region": {"type": "string", "description": "A code of the regions dictionary."},
            "vehicle_type": {"type": "string", "description": "A code of the vehicle types."},
        },
    ),
    _tool(
        "insurance_premiums",
        "What was paid for insurance: the policies starting in the period, premiums in total, "
        "by type and the dearest policies.",
        {**_CAR, **_PERIOD},
    ),
    _tool(
        "cost_of_ownership",
        "All-in cost by car: fuel, upkeep, insurance premiums spread over the days covered, km "
        "and cost per km.",
        {**_CAR, **_PERIOD},
    ),
    _tool(
        "top_cars",
        "Cars ranked, highest first, by maintenance cost (cost), fuel cost (fuel), liters, "
        "l/100 km (consumption), km (mileage), cost of ownership (ownership), cost per km or "
        "insurance premiums (insurance).",
        {
            "metric": {"type": "string", "enum": list(facade.TOP_METRICS)},
            "limit": {"type": "integer", "minimum": 1, "maximum": facade.MAX_TOP},
            **_PERIOD,
        },
    ),
    _tool(
        "propose_actions",
        "Propose changes for the user to confirm (never applied by you). Entities: car (status),"
        " fuel_record {car, year, month, liters, total_cost, mileage_km}, monthly_mileage {car,"
        " month YYYY-MM, mileage_km}, insurance {car, insurance_type casco|osago, number,"
        " start_date, end_date, cost}, inspection, spare.",
        {
            "actions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "action": {"type": "string", "enum": ["create", "update", "delete"]},
                        "entity": {"type": "string"},
                        "id": {"type": ["integer", "null"]},
                        "data": {"type": "object"},
                        "summary": {"type": "string"},
                    },
                    "required": ["action", "entity"],
                },
            }
        },
        required=["actions"],
    ),
]
READERS = {
    "fleet_summary": facade.fleet_summary,
    "find_car": facade.find_car,
    "fuel_consumption": facade.fuel_consumption,
    "maintenance_costs": facade.maintenance_costs,
    "documents_status": facade.documents_status,
    "compliance": facade.compliance,
    "top_cars": facade.top_cars,
    "cars": facade.cars,
    "insurance_premiums": facade.insurance_premiums,
    "cost_of_ownership": facade.cost_of_ownership,
}
# The `kind` of `ChatReply.data` that each reader's result is (the local provider's names).
DATA_KINDS = {
    **{name: name for name in READERS},
    "find_car": "car",
    "documents_status": "documents",
    "compliance": "compliance_rows",
}


def _unavailable(reason: str) -> ServiceUnavailable:
    return ServiceUnavailable(
        _("The AI provider is unavailable (%(reason)s); try again later.") % {"reason": reason},
        code="ai_unavailable",
    )


class OpenAIProvider:
    name = "openai"

    def __init__(self):
        if not (settings.AI_BASE_URL and settings.AI_MODEL):
            raise _unavailable("AI_BASE_URL and AI_MODEL are not configured")
        if not settings.AI_BASE_URL.startswith(("http://", "https://")):
            raise _unavailable("AI_BASE_URL must be an http(s) URL")
        self.url = settings.AI_BASE_URL.rstrip("/") + "/chat/completions"

    def answer(self, request: ChatRequest) -> ChatReply:
        minimiser = Minimiser()
        company = connection.tenant
        system = (
            "You are the fleet assistant of a company's vehicle fleet. Answer in the language "
            f"'{request.language}'. Today is {company_today(company)}; amounts are in "
            f"{company.default_currency}. Use the tools for every number; never invent data. "
            "For changes, call propose_actions: the user confirms them; you cannot write."
        )
        if request.role is not None:
            writable = writable_entities(request.role)
            system += (
                f" The user's role is {request.role}; it may change "
                f"{', '.join(writable) if writable else 'nothing'}: propose nothing else."
            )
        self.role = request.role
        context = {k: v for k, v in (("car_id", request.car_id), ("from", request.date_from),
                                     ("to", request.date_to)) if v}  # fmt: skip
        user_text = minimiser.text(request.message)
        if context:
            user_text += f"\n\nContext: {json.dumps(context)}"
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user_text}]
        actions, data = [], None
        self.deadline = time.monotonic() + settings.AI_CHAT_DEADLINE_SECONDS
        for _round in range(MAX_ROUNDS):
            message = self._complete(messages)
            calls = message.get("tool_calls") or []
            if not calls:
                return ChatReply(str(message.get("content") or ""), actions=actions, data=data)
            messages.append(
                {"role": "assistant", "content": message.get("content"), "tool_calls": calls}
            )
            for call in calls:
                result = self._run_tool(call, actions)
                name = (call.get("function") or {}).get("name")
                if name in READERS and isinstance(result, dict) and "error" not in result:
                    data = reply_data(DATA_KINDS[name], result)
                content = json.dumps(minimiser.data(result), cls=DjangoJSONEncoder)
                if len(content) > MAX_TOOL_RESULT_CHARS:  # still JSON, and says so
                    content = json.dumps({"error": "The result is too large; narrow the question."})
                messages.append(
                    {
                        "role": "tool",
                        "tool_call_id": call.get("id", ""),
                        "content": content,
                    }
                )
        raise _unavailable("it did not finish its answer")

    def _run_tool(self, call: dict, actions: list) -> object:
        function = call.get("function") or {}
        name = function.get("name")
        arguments = function.get("arguments") or "{}"
        if not isinstance(arguments, dict):  # some compatible servers send an object
            try:
                arguments = json.loads(arguments)
            except (json.JSONDecodeError, TypeError):
                return {"error": "The arguments are not valid JSON."}
        if not isinstance(arguments, dict):
            return {"error": "The arguments must be an object."}
        if name == "propose_actions":
            proposals = arguments.get("actions") or []
            if not isinstance(proposals, list):
                return {"error": "`actions` must be a list."}
            accepted, rejected = [], []
            writable = writable_entities(self.role)
            for index, raw in enumerate(proposals):
                proposal = ActionSerializer(data=raw)
                if proposal.is_valid() and proposal.validated_data["entity"] not in writable:
                    # It would only be refused when confirmed: told back instead.
                    denied = {"entity": ["The user's role may not change this."]}
                    rejected.append({"index": index, "errors": denied})
                elif proposal.is_valid():
                    accepted.append(
                        {**proposal.validated_data, "id": proposal.validated_data.get("id")}
                    )
                else:  # told back, so that the model can correct it
                    rejected.append({"index": index, "errors": proposal.errors})
            actions.extend(accepted)
            return {"proposed": len(accepted), "rejected": rejected}
        reader = READERS.get(name)
        if reader is None:
            return {"error": f"Unknown tool {name!r}."}
        try:
            return reader(**arguments)
        except (TypeError, ValueError, KeyError, OverflowError) as exc:
            return {"error": f"Bad arguments: {exc}"}

    def _complete(self, messages: list[dict]) -> dict:
        body = json.dumps(
            {"model": settings.AI_MODEL, "messages": messages, "tools": TOOLS},
            cls=DjangoJSONEncoder,
        ).encode()
        headers = {"Content-Type": "application/json"}
        if settings.AI_API_KEY:
            headers["Authorization"] = f"Bearer {settings.AI_API_KEY}"
        last_error = "no answer"
        for attempt in range(settings.AI_RETRIES + 1):
            if attempt:
                time.sleep(min(2.0, 0.25 * 2**attempt))
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise _unavailable("it took too long")
            # The URL is the operator's http(s) setting (checked in __init__).
            request = urllib.request.Request(self.url, body, headers, method="POST")  # noqa: S310
            try:
                timeout = min(settings.AI_TIMEOUT_SECONDS, remaining)
                with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                    payload = json.loads(response.read())
                message = payload["choices"][0]["message"]
                calls = message.get("tool_calls") if isinstance(message, dict) else None
                if not isinstance(message, dict) or not (
                    calls is None
                    or (isinstance(calls, list) and all(isinstance(c, dict) for c in calls))
                ):
                    raise ValueError("not a chat message")
                return message
            except urllib.error.HTTPError as exc:
                last_error = f"HTTP {exc.code}"
                if exc.code < 500 and exc.code != 429:
                    break  # a 4xx will not get better by asking again
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                last_error = f"{type(exc).__name__}"
            except (ValueError, KeyError, IndexError, TypeError, AttributeError):
                last_error = "an unreadable answer"
                break
            logger.warning("AI provider attempt %d failed: %s", attempt + 1, last_error)
        raise _unavailable(last_error)
