"""New company schemas are cloned from a migrated template schema instead of running every
migration again (django-tenants' `TENANT_BASE_SCHEMA`): the cost of creating a company no longer
grows with the number of migrations.

The template is kept current automatically: before a clone, one query compares the migrations
recorded in the template with the ones on disk, and a template that lags behind (a deploy added
a migration) is migrated first, under a lock so that two provisionings cannot both do it. The
clone copies the template's `django_migrations` rows with its tables, so the new schema records
exactly what a migrated one would; `tests/companies/test_provisioning.py` compares both."""

from functools import cache

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.clone import CloneSchema
from django_tenants.postgresql_backend.base import _check_schema_name
from django_tenants.utils import schema_exists

TEMPLATE_LOCK_ID = 0x7E3B1A7E  # pg_advisory_xact_lock key for migrating the template


def template_schema() -> str:
    return settings.TENANT_BASE_SCHEMA


@cache
def migrations_on_disk() -> frozenset[tuple[str, str]]:
    """Every migration a migrated company schema records (django-tenants records the shared
    apps' too)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return frozenset(loader.disk_migrations)


def template_is_current() -> bool:
    if not schema_exists(template_schema()):
        return False
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{template_schema()}".django_migrations')  # noqa: S608 - a setting, checked by _check_schema_name
        recorded = set(cursor.fetchall())
    return migrations_on_disk() <= recorded


def template_migrate(*, verbosity: int = 0) -> None:
    """Create the template schema if needed and apply what is pending to it."""
    _check_schema_name(template_schema())
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


def schema_create_from_template(schema_name: str, *, verbosity: int = 0) -> None:
    """Create `schema_name` as a copy of the (current) template, migrations recorded."""
    connection.set_schema_to_public()
    if not template_is_current():
        with connection.cursor() as cursor:
            # Serialise template migrations; the lock ends with the transaction.
            cursor.execute("SELECT pg_advisory_lock(%s)", [TEMPLATE_LOCK_ID])
        try:
            if not template_is_current():
                template_migrate(verbosity=verbosity)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [TEMPLATE_LOCK_ID])
    CloneSchema().clone_schema(template_schema(), schema_name, "DATA")
    _restore_constraint_names(template_schema(), schema_name)
    connection.set_schema_to_public()


CONSTRAINTS_SQL = """
    SELECT cl.relname, co.contype, pg_get_constraintdef(co.oid), co.conname
    FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid
    WHERE co.connamespace = %s::regnamespace
"""


def _restore_constraint_names(template: str, schema_name: str) -> None:
    """The clone function recreates UNIQUE constraints under PostgreSQL's default names; give
    them back the template's (the API maps a violated constraint to its field by name)."""
    with connection.cursor() as cursor:
        cursor.execute(CONSTRAINTS_SQL, [template])
        wanted = {row[:3]: row[3] for row in cursor.fetchall()}
        cursor.execute(CONSTRAINTS_SQL, [schema_name])
        for table, kind, definition, name in cursor.fetchall():
            original = wanted.get(
                (table, kind, definition.replace(f"{schema_name}.", f"{template}."))
            )
            if original and original != name:
                rename = f'RENAME CONSTRAINT "{name}" TO "{original}"'
                cursor.execute(f'ALTER TABLE "{schema_name}"."{table}" {rename}')
