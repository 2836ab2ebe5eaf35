"""Rows of the public schema that every request reads (the host's company, the token's user),
kept in Redis so that a request does not query them.

A row is stored as its field values under a key that names the model's field layout (a deploy
that changes the model never reads an older layout) and is loaded back with `Model.from_db`;
fields that must not sit in Redis (a password hash) or that are written behind the ORM's back
are left out (`deferred`) and read from the database if something asks for them.

Forgetting a row writes a tombstone for FORGET_SECONDS rather than deleting the entry, both
when the write happens and again when its transaction commits, and entries are only ever added
where there is none (`cache.add`). So a request that read the old row just before the commit
cannot put it back afterwards, and the request after a write always reads the database. The
TTL bounds what a write that bypasses the ORM (raw SQL, psql) or a forget lost to a Redis
outage can leave stale. Without Redis, rows are read from the database.

The cache keys carry the `public` schema whatever schema the request is in (`make_key`): a
user saved in a company's schema must forget the entry a request cached before it chose one."""

import hashlib
import logging
from collections.abc import Callable, Iterable
from functools import cached_property

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Model
from django_tenants.cache import make_key as tenant_make_key
from django_tenants.utils import get_public_schema_name

logger = logging.getLogger(__name__)

KEY_PREFIX = "public-row:"
FORGOTTEN = "forgotten"
# Longer than a request takes from reading a row to storing it.
FORGET_SECONDS = 5


def make_key(key: str, key_prefix: str, version: int) -> str:
    """The cache's key function: django-tenants' (the current schema first, so that one
    company's values never reach another), except for this module's rows of the public schema,
    which every schema reads and forgets under the same key."""
    if key.startswith(KEY_PREFIX):
        return f"{get_public_schema_name()}:{key_prefix}:{version}:{key}"
    return tenant_make_key(key, key_prefix, version)


class RowCache:
    """One model's rows in the cache, each under a key of the caller's (a host, an id), for
    the number of seconds in the setting `timeout_setting` (0: not cached)."""

    def __init__(self, model: type[Model], *, name: str, timeout_setting: str, deferred=()):
        self.model = model
        self.name = name
        self.timeout_setting = timeout_setting
        self.deferred = frozenset(deferred)

    @cached_property
    def fields(self) -> tuple[str, ...]:
        concrete = self.model._meta.concrete_fields
        return tuple(f.attname for f in concrete if f.name not in self.deferred)

    @cached_property
    def _prefix(self) -> str:
        layout = hashlib.sha256(",".join(self.fields).encode()).hexdigest()[:12]
        return f"{KEY_PREFIX}{self.name}:{layout}:"

    def key(self, key) -> str:
        return f"{self._prefix}{key}"

    def get_or_load(
        self,
        key,
        load: Callable[[], Model | None],
        *,
        along: tuple[str, Callable[[object], None]] | None = None,
    ) -> Model | None:
        """The row cached under `key`, else `load()`'s (then cached, unless just forgotten).
        `along`: another cache key read in the same round trip, and who takes its value
        (called only when that key is in the cache, whether or not the row is)."""
        timeout = getattr(settings, self.timeout_setting)
        if not timeout:
            return load()
        cache_key = self.key(key)
        try:
            if along is None:
                found = cache.get(cache_key)
            else:
                values = cache.get_many([cache_key, along[0]])
                found = values.get(cache_key)
                if along[0] in values:
                    along[1](values[along[0]])
        except redis.RedisError:
            logger.warning("%s cache unavailable; reading the database", self.name)
            return load()
        if found is not None and found != FORGOTTEN:
            return self.model.from_db(DEFAULT_DB_ALIAS, self.fields, found)
        row = load()
        if row is not None and found is None:
            try:
                cache.add(cache_key, tuple(getattr(row, f) for f in self.fields), timeout)
            except redis.RedisError:
                logger.warning("%s cache: could not store a row", self.name)
        return row

    def forget(self, keys: Iterable) -> None:
        """Forget the rows under `keys` now and again when the transaction commits."""
        tombstones = dict.fromkeys((self.key(key) for key in keys), FORGOTTEN)
        if not tombstones:
            return

        def write() -> None:
            try:
                cache.set_many(tombstones, timeout=FORGET_SECONDS)
            except redis.RedisError:
                # The entries expire with their TTL; until then they may be stale.
                logger.error("%s cache: could not forget %s", self.name, sorted(tombstones))

        write()
        transaction.on_commit(write)
