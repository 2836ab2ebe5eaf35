"""New company schemas are copies of a migrated template schema instead of running every
migration again (django-tenants' `TENANT_BASE_SCHEMA`): the cost of creating a company does not
grow with the number of migrations.

The template is kept current automatically: before a copy, one query compares the migrations
recorded in the template with the ones on disk, and a template that lags behind (a deploy added
a migration) is migrated first, under a lock (`template_locked`) that two provisionings or a
deploy cannot hold at once, and that a copy takes shared while it copies (`template_replay`). A
copy is made by replaying the template's DDL (`replay`: written from the template's own catalog
once per process and set of migrations the template records, in a few indexed queries), which
copies the template's `django_migrations` rows with its tables, so the new schema records
exactly what a migrated one would; `tests/companies/test_provisioning.py` compares both. Its
cost does not grow with the number of schemas (django-tenants' clone function, used before,
scanned catalog views of the whole database for every table: 6 s with 5,000 companies).

Renaming a schema is faster still, so a few copies are made ahead of time as *spare* schemas
(`_spare_<migrations>_<random>`, a name no company slug can take), and a new company renames
one (`ALTER SCHEMA ... RENAME`, instant and undone if its transaction fails). The spare's name
carries a fingerprint of the migrations on disk, so a spare made before a deploy is never
handed out; a Celery task refills the pool after each claim (and `deploy_migrations` after each
deploy). With no spare ready, the company's schema is replayed there and then."""

import hashlib
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, lru_cache

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django_tenants.postgresql_backend.base import _check_schema_name
from django_tenants.utils import schema_exists

from . import replay

TEMPLATE_LOCK_ID = 0x7E3B1A7E  # pg_advisory_lock key for migrating the template
SPARE_PREFIX = "_spare_"
logger = logging.getLogger(__name__)


def template_schema() -> str:
    return settings.TENANT_BASE_SCHEMA


@cache
def migrations_on_disk() -> frozenset[tuple[str, str]]:
    """Every migration a migrated company schema records (django-tenants records the shared
    apps' too)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return frozenset(loader.disk_migrations)


def template_migrations() -> frozenset[tuple[str, str]] | None:
    """The migrations the template records (None: there is no template)."""
    if not schema_exists(template_schema()):
        return None
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{template_schema()}".django_migrations')  # noqa: S608 - a setting, checked by _check_schema_name
        return frozenset(cursor.fetchall())


def template_is_current() -> bool:
    recorded = template_migrations()
    return recorded is not None and migrations_on_disk() <= recorded


@contextmanager
def template_locked() -> Iterator[None]:
    """The template to oneself while migrating it: no other migration of it, and no copy of it
    half way through one (a copy takes the lock shared: `template_replay`). Re-entrant."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [TEMPLATE_LOCK_ID])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [TEMPLATE_LOCK_ID])


def template_migrate(*, verbosity: int = 0) -> None:
    """Create the template schema if needed and apply what is pending to it."""
    _check_schema_name(template_schema())
    with template_locked():
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{template_schema()}"')
        call_command(
            "migrate_schemas",
            tenant=True,
            schema_name=template_schema(),
            interactive=False,
            verbosity=verbosity,
        )
    connection.set_schema_to_public()


def template_ensure_current(*, verbosity: int = 0) -> None:
    """Migrate the template if a deploy added migrations (one provisioning at a time does)."""
    connection.set_schema_to_public()
    if template_is_current():
        return
    with template_locked():
        if not template_is_current():
            template_migrate(verbosity=verbosity)


def schema_create_from_template(schema_name: str, *, verbosity: int = 0) -> None:
    """Create `schema_name` as a copy of the (current) template, migrations recorded: a spare
    schema when one is ready, else one made now by replaying the template's DDL."""
    template_ensure_current(verbosity=verbosity)
    if not spare_claim(schema_name):
        template_replay(schema_name)
    transaction.on_commit(spares_refill_later)
    connection.set_schema_to_public()


def template_replay(schema_name: str) -> None:
    """Make `schema_name` a copy of the template by replaying the template's DDL (see
    `replay`), in a transaction. The template's lock, taken shared until that transaction
    ends, keeps a deploy from migrating the template between the reading of its migrations
    (which DDL to replay) and the copy of its tables and `django_migrations` rows: a copy
    never records a migration whose tables it lacks."""
    _check_schema_name(schema_name)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [TEMPLATE_LOCK_ID])
        replay.schema_replay(schema_name, template_ddl())


def template_ddl() -> str:
    """The template's DDL (`replay.template_ddl`), written once per process for each set of
    migrations the template records: a template that another process migrated meanwhile (a
    deploy) has its DDL written again, so the copy's tables always match the migrations it
    copies from the template's `django_migrations`."""
    return _template_ddl(template_schema(), template_migrations())


@lru_cache(maxsize=2)
def _template_ddl(template: str, recorded: frozenset[tuple[str, str]]) -> str:
    return replay.template_ddl(template)


# --- Spare schemas --------------------------------------------------------------------------------


@cache
def migrations_fingerprint() -> str:
    recorded = "\n".join(f"{app}.{name}" for app, name in sorted(migrations_on_disk()))
    return hashlib.sha256(recorded.encode()).hexdigest()[:12]


def migrations_fingerprint_record(schemas) -> None:
    """Record that these company schemas hold every migration on disk (they were just made or
    migrated, or read and found complete)."""
    from .models import Company

    if schemas:
        Company.objects.filter(schema_name__in=list(schemas)).update(
            migrations_fingerprint=migrations_fingerprint()
        )


def _spare_pattern(*, current: bool) -> str:
    prefix = SPARE_PREFIX + (migrations_fingerprint() + "_" if current else "")
    return prefix.replace("_", "\\_") + "%"


def spare_schemas(*, current: bool = True) -> list[str]:
    """Spare schemas (only those of the migrations on disk, unless `current=False`)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s ORDER BY nspname",
            [_spare_pattern(current=current)],
        )
        return [row[0] for row in cursor.fetchall()]


def spare_claim(schema_name: str) -> bool:
    """Rename a ready spare schema to `schema_name`, in the current transaction; False when none
    is ready. Two claims never take the same spare: each locks its spare first (the lock lasts
    until its transaction ends), and a spare another transaction renamed is gone for this one."""
    _check_schema_name(schema_name)
    with transaction.atomic(), connection.cursor() as cursor:
        for spare in spare_schemas():
            cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [spare])
            if not cursor.fetchone()[0] or not schema_exists(spare):
                continue
            cursor.execute(f'ALTER SCHEMA "{spare}" RENAME TO "{schema_name}"')
            return True
    return False


def spares_refill(*, size: int | None = None) -> int:
    """Drop the spares of older migrations and clone the template until `size` (default
    TENANT_SPARE_SCHEMAS) current ones are ready; how many were made."""
    size = settings.TENANT_SPARE_SCHEMAS if size is None else size
    template_ensure_current()
    current = set(spare_schemas())
    with connection.cursor() as cursor:
        for stale in set(spare_schemas(current=False)) - current:
            cursor.execute(f'DROP SCHEMA "{stale}" CASCADE')
    made = 0
    for _ in range(size - len(current)):
        spare = f"{SPARE_PREFIX}{migrations_fingerprint()}_{uuid.uuid4().hex[:8]}"
        template_replay(spare)
        made += 1
    connection.set_schema_to_public()
    return made


def spares_refill_later() -> None:
    """Ask a worker to refill the pool; a broker that is down only delays the refill."""
    from .tasks import refill_spare_schemas

    try:
        refill_spare_schemas.delay()
    except Exception:
        logger.warning("could not queue refill_spare_schemas", exc_info=True)
