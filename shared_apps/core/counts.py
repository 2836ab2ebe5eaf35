"""Exact list counts without counting a big table on every page.

A list answers `count`, and `SELECT COUNT(*)` over a company's 1.2M fuel records takes longer than
the page itself (~100 ms against ~10 ms). The counts of tracked models are therefore cached in
Redis under the company's *data version*, a token that changes whenever one of those models is
saved or deleted, both when the write happens and again when its transaction commits. A write
makes every cached count of its company stale at once (lists join other tables, so per-table
versions would not be enough), and after a write returns, every later read counts afresh: the
counts stay exact for the ORM's writes (services, admin, the AI's actions). Rows written with
raw SQL must call `data_changed()` themselves.

A request reads the company's data version in the same round trip as its user
(`accounts.user_cache`), and a count this process has read under that version is served from
memory (`_local_counts`): a list then pays no round trip of its own for its count. The version
is the one the request read when it began (a write made during the request forgets it).

The cache keys carry the schema (`django_tenants.cache.make_key`). When Redis is unavailable the
count is simply run in PostgreSQL."""

import contextvars
import hashlib
import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections, transaction
from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save

from .memo import Recent

logger = logging.getLogger(__name__)

VERSION_KEY = "data-version"
COUNT_TTL_SECONDS = 15 * 60
_tracked: set[type[Model]] = set()


def data_version() -> str:
    return cache.get_or_set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


_changes_held = contextvars.ContextVar("counts_changes_held", default=False)

# The current company's data version as this request read it along with its user
# (`accounts.user_cache`): (schema, version), forgotten when the request ends or writes.
_version_read: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar(
    "counts_version_read", default=None
)
# Counts this process has read, by (schema, key): (version, count, when). A count is served from
# here only under the version the request read (so it is what Redis would answer) and for no
# longer than Redis keeps it (what a lost version change can leave stale).
LOCAL_COUNTS = 4096
_local_counts = Recent(LOCAL_COUNTS)


def version_read(version) -> None:
    """Remember the data version the request read (with its user) for its counts."""
    if isinstance(version, str):
        _version_read.set((connection.schema_name, version))


def forget_version_read(**_signal_arguments) -> None:
    """`request_started` and `request_finished`: each request reads its own version."""
    _version_read.set(None)


@contextmanager
def one_change() -> Iterator[None]:
    """The writes inside make the counts stale once, at the end, instead of once each: an
    import of 100,000 rows changes the version once, not 200,000 times."""
    token = _changes_held.set(True)
    try:
        yield
    finally:
        _changes_held.reset(token)
        data_changed()


def data_changed(**_signal_arguments) -> None:
    """Make the current company's cached counts stale, now and when the transaction commits."""
    _version_read.set(None)  # this request's version is no longer current
    if _changes_held.get():
        return

    def bump() -> None:
        try:
            cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        except Exception:  # Redis down: nothing is being cached either
            logger.warning("count cache: could not change the data version", exc_info=True)

    bump()
    transaction.on_commit(bump)


def track(*models: type[Model]) -> None:
    """Cache the counts of these models' lists; their saves and deletes change the version."""
    for model in models:
        _tracked.add(model)
        post_save.connect(data_changed, sender=model, dispatch_uid=f"counts-{model._meta.label}")
        post_delete.connect(data_changed, sender=model, dispatch_uid=f"counts-{model._meta.label}")


def _counted_rows(queryset: QuerySet) -> QuerySet:
    """What the count's cache key is made of: the rows the queryset counts without their order
    (one count for every ordering) and, unless they are grouped or distinct (where the columns
    decide which rows are one), without their columns: only the joins and filters decide how
    many a plain query has, and compiling a page's columns and annotations costs more."""
    rows = queryset.order_by()
    query = rows.query
    if query.distinct or query.group_by is not None or query.combinator:
        return rows
    return rows.values_list("pk")


def count_key(queryset: QuerySet) -> str | None:
    """The cache key of the queryset's count, or None for a filter nothing can match (`?year=-1`:
    Django counts 0 unasked). The same for every ordering and column set of the same rows."""
    try:
        sql, params = _counted_rows(queryset).query.sql_with_params()
    except EmptyResultSet:
        return None
    return "count:" + hashlib.sha256(f"{sql}\0{params!r}".encode()).hexdigest()


def count(queryset: QuerySet, *, key: str | None = None) -> int:
    """`queryset.count()`, from the cache when its model is tracked. `key`, when given, is the
    queryset's `count_key` (a list that compiled it once)."""
    if queryset.model not in _tracked:
        return queryset.count()
    key = key or count_key(queryset)
    if key is None:
        return 0
    local_key = (connections[queryset.db].schema_name, key)
    read = _version_read.get()
    if read is not None and read[0] == local_key[0]:
        counted_under, value, when = _local_counts.get(local_key, (None, None, 0.0))
        if counted_under == read[1] and time.monotonic() - when < COUNT_TTL_SECONDS:
            return value
    try:
        # One round trip: the data version and this count, stored with the version it was
        # counted under.
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY) or data_version()
    except Exception:
        logger.warning("count cache unavailable; counting in PostgreSQL", exc_info=True)
        return queryset.count()
    counted_under, value = found.get(key, (None, None))
    if counted_under != version:
        value = queryset.count()
        try:
            cache.set(key, (version, value), timeout=COUNT_TTL_SECONDS)
        except Exception:
            logger.warning("count cache: could not store a count", exc_info=True)
    _local_counts.remember(local_key, (version, value, time.monotonic()))
    return value
