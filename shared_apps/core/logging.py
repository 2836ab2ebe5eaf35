"""Request context in every log line: the request's id, the company schema and the user.

`RequestIDMiddleware` opens a context per request and `request_finished` (after Django has logged
the answer's status) ends it; the authentication class adds the user once it knows them;
`RequestContextFilter` copies both, and the schema the connection is on, onto each log record
(`%(request_id)s %(schema)s %(user_id)s`, or fields of the JSON lines)."""

import contextvars
import logging

from django.db import connection

_context: contextvars.ContextVar[dict | None] = contextvars.ContextVar("log_context", default=None)


def log_context_open(**values) -> None:
    _context.set(dict(values))


def log_context_close(**_) -> None:
    """Also a `request_finished` receiver."""
    _context.set(None)


def log_context_bind(**values) -> None:
    """Add values to the current request's context (outside a request: nothing to add to)."""
    context = _context.get()
    if context is not None:
        context.update(values)


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get() or {}
        record.request_id = context.get("request_id", "-")
        record.user_id = context.get("user_id")
        record.schema = getattr(connection, "schema_name", None)
        return True
