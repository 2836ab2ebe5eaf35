"""`manage.py deploy_migrations`: the migration step of a deploy, sized for many companies.

Stock `migrate_schemas` visits every schema, even when nothing is pending there (each visit
builds Django's migration plan: tens of milliseconds times a thousand companies). This command
migrates the public schema, brings the template schema up to date, then finds (one query per
200 schemas) the company schemas whose `django_migrations` lack a migration on disk, and
migrates only those, in
parallel processes, printing each one's progress. Then it asks a worker to make spare schemas
of the new migrations (see `provisioning`)."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.migration_executors.base import run_migrations
from django_tenants.migration_executors.multiproc import MultiprocessingExecutor
from django_tenants.utils import get_public_schema_name

from shared_apps.companies import provisioning
from shared_apps.companies.models import Company

# Schemas read per statement. Each statement locks the `django_migrations` table of every schema
# it reads until it ends: one statement for all of them ran out of PostgreSQL's lock slots
# (`max_locks_per_transaction`) at some thousands of companies, and no deploy could run.
SCHEMAS_PER_QUERY = 200


def pending_schemas(*, per_query: int = SCHEMAS_PER_QUERY) -> list[str]:
    """Company schemas that have not recorded every leaf migration: one query per
    `per_query` schemas, each its own transaction (outside an atomic block), so that no
    statement holds more than `per_query` tables' locks."""
    leaves = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
    schemas = list(
        Company.objects.exclude(schema_name=get_public_schema_name())
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )
    wanted = ", ".join(["(%s, %s)"] * len(leaves))
    pending = []
    for start in range(0, len(schemas), per_query):
        chunk = schemas[start : start + per_query]
        parts = [
            f"SELECT %s AS schema, count(*) AS applied FROM {connection.ops.quote_name(schema)}"  # noqa: S608 - schema names are checked slugs
            f".django_migrations WHERE (app, name) IN ({wanted})"
            for schema in chunk
        ]
        params = [p for schema in chunk for p in (schema, *[x for leaf in leaves for x in leaf])]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            pending += [schema for schema, applied in cursor.fetchall() if applied < len(leaves)]
    return sorted(pending)


class Command(BaseCommand):
    help = (
        "Migrate the public schema, the template schema and only the company schemas that have "
        "pending migrations (found one query per 200 schemas), in parallel."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--processes", type=int, default=2, help="Schemas migrated at once (default 2)."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only list the schemas with pending migrations; exit 1 if there are any.",
        )

    def handle(self, *args, processes: int, check: bool, verbosity: int, **options):
        started = time.perf_counter()
        if not check:
            call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
            if not provisioning.template_is_current():
                self.stdout.write("Migrating the template schema...")
                provisioning.template_migrate(verbosity=verbosity)
        pending = pending_schemas()
        total = Company.objects.exclude(schema_name=get_public_schema_name()).count()
        self.stdout.write(f"{len(pending)} of {total} company schemas have pending migrations.")
        if check:
            for schema in pending:
                self.stdout.write(f"  {schema}")
            if pending:
                raise SystemExit(1)
            return
        if pending:
            self._migrate(pending, processes=processes, verbosity=verbosity)
        # Spare schemas of the old migrations are never handed out; a worker makes new ones.
        provisioning.spares_refill_later()
        self.stdout.write(
            self.style.SUCCESS(f"Deploy migrations done in {time.perf_counter() - started:.2f} s.")
        )

    def _migrate(self, schemas: list[str], *, processes: int, verbosity: int) -> None:
        options = vars(MigrateCommand().create_parser("manage.py", "migrate").parse_args([]))
        options.update(verbosity=verbosity, interactive=False, skip_checks=True)
        if processes <= 1 or len(schemas) == 1:
            for index, schema in enumerate(schemas):
                run_migrations([], options, "deploy", schema, idx=index, count=len(schemas))
            return
        from django.conf import settings

        settings.TENANT_MULTIPROCESSING_MAX_PROCESSES = processes
        MultiprocessingExecutor([], options).run_migrations(tenants=list(schemas))
