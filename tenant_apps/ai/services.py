"""The assistant's two operations, each written to the audit log."""

import json

from django.conf import settings
from django.db import connection, transaction

from shared_apps.core.exceptions import ServiceUnavailable

from .actions import actions_execute
from .models import REQUEST_KEPT_CHARS, AIAuditEntry, AuditKind
from .providers import ChatReply, ChatRequest, get_provider


def chat_answer(*, user, request: ChatRequest) -> ChatReply:
    """Answer a message with the configured provider. A failing provider is a 503, audited."""
    try:
        provider = get_provider()
        reply = provider.answer(request)
    except ServiceUnavailable as exc:
        _audit(user, AuditKind.CHAT, settings.AI_PROVIDER, request.message, f"[{exc.detail}]")
        raise
    _audit(user, AuditKind.CHAT, provider.name, request.message, reply.reply, reply.actions)
    return reply


@transaction.atomic  # the changes and their audit row are kept together, or neither
def actions_run(*, user, actions: list[dict], dry_run: bool, context: dict) -> list[dict]:
    results = actions_execute(actions=actions, user=user, dry_run=dry_run, context=context)
    AIAuditEntry.objects.create(
        user=user,
        kind=AuditKind.ACTIONS,
        request=json.dumps(actions, default=str, ensure_ascii=False)[:REQUEST_KEPT_CHARS],
        proposed_actions=json.loads(json.dumps(actions, default=str)),
        executed_actions=json.loads(json.dumps(results, default=str)),
        dry_run=dry_run,
    )
    return results


def _audit(user, kind, provider: str, request: str, reply: str, proposed=()) -> None:
    AIAuditEntry.objects.create(
        user=user,
        kind=kind,
        provider=provider,
        request=request[:REQUEST_KEPT_CHARS],
        reply=reply,
        proposed_actions=json.loads(json.dumps(list(proposed), default=str)),
    )


def ai_enabled() -> bool:
    return bool(getattr(connection.tenant, "ai_enabled", False))
