"""The assistant's brains, behind one interface: `local` (built in, offline) and `openai` (any
OpenAI-compatible chat-completions endpoint with tool calling). `AI_PROVIDER` picks one."""

from dataclasses import dataclass, field

from django.conf import settings


@dataclass(frozen=True)
class ChatRequest:
    message: str
    language: str  # ru | en | ky
    car_id: int | None = None
    date_from: str | None = None  # YYYY-MM
    date_to: str | None = None
    role: str | None = None  # the asking user's: only writes it may make are proposed


@dataclass
class ChatReply:
    reply: str
    actions: list[dict] = field(default_factory=list)
    data: dict | None = None  # see `reply_data`


# What the UI draws for a kind of `ChatReply.data` that is a series.
CHARTS = {
    "fuel_consumption": {
        "type": "bar",
        "x": "period",
        "y": ["liters", "avg_consumption_l_per_100km"],
    },
    "maintenance_costs": {
        "type": "stacked_bar",
        "x": "period",
        "y": ["parts", "work", "tires", "accumulators", "inspections"],
    },
    "top_cars": {"type": "bar", "x": "numplate", "y": ["value"]},
}


def reply_data(kind: str, result: dict) -> dict:
    """`ChatReply.data` of either provider: the result of a `facade` reader with its `kind`
    (the API schema has one shape per kind: `serializers.ChatDataField`) and, for a series, the
    chart to draw it as."""
    data = {"kind": kind, **result}
    if kind in CHARTS:
        data["chart"] = CHARTS[kind]
    return data


def get_provider():
    if settings.AI_PROVIDER == "openai":
        from .openai import OpenAIProvider

        return OpenAIProvider()
    from .local import LocalProvider

    return LocalProvider()
