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


@dataclass
class ChatReply:
    reply: str
    actions: list[dict] = field(default_factory=list)
    data: dict | None = None


def get_provider():
    if settings.AI_PROVIDER == "openai":
        from .openai import OpenAIProvider

        return OpenAIProvider()
    from .local import LocalProvider

    return LocalProvider()
