"""`manage.py deploy_migrations`: the migration step of a deploy, sized for many companies.

Stock `migrate_schemas` visits every schema, even when nothing is pending there (each visit
builds Django's migration plan: tens of milliseconds times a thousand companies). This command
migrates the public schema, brings the template schema up to date, then finds the company
schemas to migrate: each company records the fingerprint of the migrations its schema was made
or last migrated with, so one indexed query names the companies whose fingerprint is not the
code's, and only their schemas are read (200 per query) for what they lack (`--verify` reads
every schema). It migrates only those, then records their fingerprint once read back complete,
and asks a worker to make spare schemas of the new migrations (see `provisioning`).

How the pending schemas are migrated (the rule is `schema_deploy`'s docstring): schemas lacking
the same migrations form a group, planned and rendered as SQL once, in one of them. A group
whose plan is SQL only (Django's schema operations and RunSQL; no RunPython that runs, no other
operation class, nothing that reads the schema after changing it) gets that SQL and its
`django_migrations` rows, `schema_deploy.SCHEMAS_PER_TRANSACTION` schemas a transaction over
`--processes` connections: a few milliseconds a schema. A batch that fails is retried schema by
schema; a schema that still fails is left pending (its fingerprint is not recorded) and the
command ends with an error naming it, after the others are done. Any other group goes through
django-tenants' executor (Django's `migrate` per schema, in `--processes` processes), as does
every schema with `--executor`."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.management.commands.migrate import Command as MigrateCommand
from django_tenants.migration_executors.base import run_migrations
from django_tenants.migration_executors.multiproc import MultiprocessingExecutor
from django_tenants.utils import get_public_schema_name

from shared_apps.companies import provisioning, schema_deploy
from shared_apps.companies.models import Company


def schemas_lacking_migrations(
    schemas: list[str], *, per_query: int = schema_deploy.SCHEMAS_PER_QUERY
) -> list[str]:
    """Those of `schemas` whose `django_migrations` lack a migration on disk (read as
    `schema_deploy.migrations_missing` reads them: one query per `per_query` schemas)."""
    return sorted(schema_deploy.migrations_missing(schemas, per_query=per_query))


def pending_migrations(
    *, verify: bool = False, record: bool = True, per_query: int = schema_deploy.SCHEMAS_PER_QUERY
) -> dict[str, schema_deploy.Migrations]:
    """Company schemas with migrations to apply, and which. A company whose recorded
    fingerprint is the code's holds every migration (it was made or migrated with them): one
    indexed query finds the others, and only those schemas are read. `verify` reads every
    schema instead (after a schema was restored or migrated back by hand). A schema read and
    found complete gets the code's fingerprint recorded (`record`), so that it is not read
    again."""
    companies = Company.objects.exclude(schema_name=get_public_schema_name())
    if not verify:
        companies = companies.exclude(migrations_fingerprint=provisioning.migrations_fingerprint())
    schemas = list(companies.order_by("schema_name").values_list("schema_name", flat=True))
    missing = schema_deploy.migrations_missing(schemas, per_query=per_query)
    if record:
        provisioning.migrations_fingerprint_record(set(schemas) - set(missing))
    return missing


def pending_schemas(
    *, verify: bool = False, record: bool = True, per_query: int = schema_deploy.SCHEMAS_PER_QUERY
) -> list[str]:
    """The schemas of `pending_migrations`, in order."""
    return sorted(pending_migrations(verify=verify, record=record, per_query=per_query))


class Command(BaseCommand):
    help = (
        "Migrate the public schema, the template schema and only the company schemas that have "
        "pending migrations (found by their recorded migrations fingerprint), in parallel: as SQL "
        "rendered once when the migrations are SQL only, else with Django's executor."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--processes",
            type=int,
            default=2,
            help="Schemas migrated at once: connections applying SQL, processes running the "
            "executor (default 2).",
        )
        parser.add_argument(
            "--verify",
            action="store_true",
            help="Read every company schema's migrations, not only those of the companies whose "
            "recorded fingerprint is not the code's (after restoring a schema by hand).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only list the schemas with pending migrations; exit 1 if there are any.",
        )
        parser.add_argument(
            "--executor",
            action="store_true",
            help="Migrate every pending schema with Django's executor, none by rendered SQL.",
        )

    def handle(
        self,
        *args,
        processes: int,
        check: bool,
        verify: bool,
        executor: bool,
        verbosity: int,
        **options,
    ):
        started = time.perf_counter()
        if not check:
            call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
            if not provisioning.template_is_current():
                self.stdout.write("Migrating the template schema...")
                provisioning.template_migrate(verbosity=verbosity)
        missing = pending_migrations(verify=verify, record=not check)
        pending = sorted(missing)
        total = Company.objects.exclude(schema_name=get_public_schema_name()).count()
        self.stdout.write(f"{len(pending)} of {total} company schemas have pending migrations.")
        if check:
            for schema in pending:
                self.stdout.write(f"  {schema}")
            if pending:
                raise SystemExit(1)
            return
        failed = {}
        if pending:
            by_sql, failed = self._deploy(
                missing, processes=processes, executor=executor, verbosity=verbosity
            )
            # What went by SQL committed its migrations' rows with them; the rest is read back,
            # and only the schemas found complete are recorded: a failed one stays pending.
            others = sorted(set(pending) - set(by_sql) - set(failed))
            done = set(by_sql) | (set(others) - set(schemas_lacking_migrations(others)))
            provisioning.migrations_fingerprint_record(done)
        # Spare schemas of the old migrations are never handed out; a worker makes new ones.
        provisioning.spares_refill_later()
        if failed:
            lines = [f"  {schema}: {error}" for schema, error in sorted(failed.items())]
            raise CommandError(
                f"{len(failed)} company schemas failed and stay pending (the others are "
                "migrated; run the deploy again once fixed, or with --executor, which migrates "
                "each schema with Django's executor, planned in that schema):\n" + "\n".join(lines)
            )
        self.stdout.write(
            self.style.SUCCESS(f"Deploy migrations done in {time.perf_counter() - started:.2f} s.")
        )

    def _deploy(
        self,
        missing: dict[str, schema_deploy.Migrations],
        *,
        processes: int,
        executor: bool,
        verbosity: int,
    ) -> tuple[list[str], dict[str, str]]:
        """Migrate by SQL what can be, the rest with the executor; the schemas migrated by SQL,
        and those whose SQL failed."""
        if executor:
            self._migrate(sorted(missing), processes=processes, verbosity=verbosity)
            return [], {}
        result = schema_deploy.schemas_deploy(
            sorted(missing),
            missing=missing,
            connections_count=processes,
            progress=self.stdout.write if verbosity >= 1 else None,
        )
        reasons = sorted(set(result.executor.values()))
        self.stdout.write(
            f"{len(result.done) + len(result.failed)} schemas by SQL, "
            f"{len(result.executor)} by the executor"
            + (f" ({'; '.join(reasons)})" if reasons else "")
            + "."
        )
        if result.executor:
            self._migrate(sorted(result.executor), processes=processes, verbosity=verbosity)
        return result.done, result.failed

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
