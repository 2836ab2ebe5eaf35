"""`deploy_migrations` applies a schema-only migration to company schemas as SQL rendered once
(`schema_deploy`): the schemas must come out exactly as `migrate_schemas` makes them, and what
cannot be proven SQL only must go through Django's executor.

The migrations are those of a test-only company app (tests/companies/deploy_app): installing it
makes every company schema, and the template, lack them, as a deploy does. The template is
migrated by `migrate_schemas` (the deploy's first step): it is the migrated schema each company's
is compared with."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

from shared_apps.companies import provisioning, schema_deploy
from shared_apps.companies.management.commands.deploy_migrations import pending_schemas
from tests.companies.test_deploy import fingerprints
from tests.companies.test_provisioning import catalog
from tests.threads import committed

APP = "tests.companies.deploy_app"
NOTE = ("deploy_app", "0001_initial")
CODE_NOT_UNIQUE = ("deploy_app", "0002_code_not_unique")


@pytest.fixture
def deploy_app(settings):
    """Install the test app with one of its migration packages (the code of a new deploy)."""

    def install(migrations: str) -> None:
        if APP not in settings.INSTALLED_APPS:
            settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, APP]
            settings.TENANT_APPS = [*settings.TENANT_APPS, APP]
        settings.MIGRATION_MODULES = {"deploy_app": f"{APP}.{migrations}.migrations"}
        provisioning.migrations_on_disk.cache_clear()
        provisioning.migrations_fingerprint.cache_clear()

    yield install
    provisioning.migrations_on_disk.cache_clear()
    provisioning.migrations_fingerprint.cache_clear()


def deploy(capsys) -> str:
    call_command("deploy_migrations", processes=1, verbosity=1)
    return capsys.readouterr().out


def assert_migrated_like_the_template(*schemas: str) -> None:
    migrated = catalog("template")
    for schema in schemas:
        company = catalog(schema)
        for part in ("columns", "constraints", "indexes", "sequences", "migrations"):
            assert company[part] == migrated[part], (schema, part)


def columns(schema: str, table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s ORDER BY column_name",
            [schema, table],
        )
        return [row[0] for row in cursor.fetchall()]


def test_a_schema_only_migration_is_applied_as_sql_exactly_as_migrate_does(db, deploy_app, capsys):
    deploy_app("schema_only")

    out = deploy(capsys)

    assert "2 of 2 company schemas have pending migrations." in out
    assert "[2/2 (100%) sql] acme..globex" in out
    assert "2 schemas by SQL, 0 by the executor." in out
    assert "deploy:acme" not in out  # no executor ran in a company schema
    assert_migrated_like_the_template("acme", "globex")
    assert NOTE in catalog("acme")["migrations"]
    assert "deploy_flag" in columns("acme", "fleet_car")  # the RunSQL, in acme's own table
    current = provisioning.migrations_fingerprint()
    assert fingerprints() == {"acme": current, "globex": current}
    assert pending_schemas() == []


def test_a_deploy_by_sql_reads_the_schemas_migrations_once(db, deploy_app, capsys):
    """At 10,000 companies a read of every schema's migrations takes seconds: the pending
    schemas are read once, and what they lack groups them; what went by SQL committed its
    rows with its tables and is not read back."""
    deploy_app("schema_only")

    with CaptureQueriesContext(connection) as queries:
        deploy(capsys)

    reads = [q["sql"] for q in queries if ".django_migrations m WHERE m.app = w.app" in q["sql"]]
    assert len(reads) == 1
    assert all(schema in reads[0] for schema in ('"acme"', '"globex"'))
    assert pending_schemas() == []


def test_the_sql_reads_constraint_names_in_a_schema_as_migrate_would(db, deploy_app, capsys):
    """0002 drops a UNIQUE whose name the schema editor reads from the schema; with 0001
    applied everywhere, the schema it renders in holds what every other one holds."""
    deploy_app("schema_only")
    deploy(capsys)
    deploy_app("altered")

    out = deploy(capsys)

    assert "2 schemas by SQL, 0 by the executor." in out
    assert_migrated_like_the_template("acme", "globex")
    assert CODE_NOT_UNIQUE in catalog("globex")["migrations"]
    kinds = [c[2] for c in catalog("globex")["constraints"] if c[0] == "deploy_app_note"]
    assert sorted(kinds) == ["c", "f", "p"]  # the UNIQUE ("u") on code is gone


def test_a_plan_that_reads_a_schema_it_has_changed_goes_through_the_executor(
    db, deploy_app, capsys
):
    """With 0001 and 0002 both pending, 0002 would read the constraint 0001 makes: rendered
    without running 0001, the SQL would miss it."""
    deploy_app("altered")

    out = deploy(capsys)

    assert "0 schemas by SQL, 2 by the executor (reads the schema after changing it: " in out
    assert "deploy:acme" in out
    assert_migrated_like_the_template("acme", "globex")
    assert CODE_NOT_UNIQUE in catalog("acme")["migrations"]


def test_a_migration_with_python_code_goes_through_the_executor(db, deploy_app, capsys):
    deploy_app("with_python")

    out = deploy(capsys)

    expected = "0 schemas by SQL, 2 by the executor (deploy_app.0001_initial runs Python code)."
    assert expected in out
    assert "deploy:acme" in out
    assert "deploy:globex" in out
    with connection.cursor() as cursor:
        for schema in ("acme", "globex"):
            cursor.execute(f'SELECT text FROM "{schema}".deploy_app_note')  # noqa: S608
            assert cursor.fetchall() == [("made by RunPython",)]
    assert_migrated_like_the_template("acme", "globex")


def test_a_shared_apps_runpython_is_skipped_in_company_schemas_so_it_is_sql_only(db):
    """companies.0002 runs Python in public only: the router skips it in a company schema, as
    Django does."""
    migration = MigrationLoader(None).graph.nodes[("companies", "0002_public_tenant")]

    connection.set_schema("acme")
    schema_deploy.migration_sql_only_check(migration)  # no error
    connection.set_schema_to_public()
    with pytest.raises(schema_deploy.NotSqlOnlyError) as refused:
        schema_deploy.migration_sql_only_check(migration)
    assert str(refused.value) == "companies.0002_public_tenant runs Python code"


def test_a_schema_whose_sql_fails_stays_pending_and_the_others_are_done(db, deploy_app, capsys):
    """globex shares acme's transaction: its failure rolls acme back too, then each is tried
    alone."""
    before = fingerprints()["globex"]
    deploy_app("schema_only")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE globex.deploy_app_note (id integer)")

    with pytest.raises(CommandError) as failure:
        call_command("deploy_migrations", processes=1, verbosity=1)

    assert str(failure.value) == (
        "1 company schemas failed and stay pending (the others are migrated; run the deploy "
        "again once fixed, or with --executor, which migrates each schema with Django's "
        'executor, planned in that schema):\n  globex: relation "deploy_app_note" already exists'
    )
    assert 'globex FAILED: relation "deploy_app_note" already exists' in capsys.readouterr().out
    assert_migrated_like_the_template("acme")
    assert NOTE not in catalog("globex")["migrations"]
    assert "deploy_flag" not in columns("globex", "fleet_car")  # all of globex's SQL undone
    assert fingerprints() == {"acme": provisioning.migrations_fingerprint(), "globex": before}
    assert before != provisioning.migrations_fingerprint()
    assert pending_schemas() == ["globex"]


def test_each_schema_costs_one_statement_and_the_plan_is_made_once(db, deploy_app):
    deploy_app("schema_only")

    def statements(schemas: list[str]) -> list[str]:
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            assert schema_deploy.schemas_deploy(schemas).done == schemas
            transaction.set_rollback(True)
        return [query["sql"] for query in queries]

    one, two = statements(["acme"]), statements(["acme", "globex"])

    assert len(two) == len(one) + 1
    # Once: the missing migrations read (1); the plan made in acme: its search path, its
    # django_migrations listed and read for the plan and again for the history check (5), the
    # render's savepoint (2); back to public (1); the batch's savepoint (2). Each schema: 1.
    assert len(one) == 11 + 1
    assert [sql.split("\n")[0] for sql in two if sql.startswith("SET LOCAL")] == [
        'SET LOCAL search_path = "acme", "public";',
        'SET LOCAL search_path = "globex", "public";',
    ]


def test_batches_over_two_connections_commit_apart(db):
    """Committed, in scratch schemas: two connections, a transaction per schema, one schema
    failing alone."""
    schemas = [f"deploy_scratch_{n}" for n in range(4)]
    plan = schema_deploy.SqlPlan(
        migrations=(("scratch", "0001_initial"),), sql="CREATE TABLE made (id integer);"
    )

    def make():
        with connection.cursor() as cursor:
            for schema in schemas:
                cursor.execute(f"CREATE SCHEMA {schema}")
                cursor.execute(
                    f"CREATE TABLE {schema}.django_migrations (id serial PRIMARY KEY, "
                    "app varchar(255), name varchar(255), applied timestamptz)"
                )
            cursor.execute(f"CREATE TABLE {schemas[2]}.made (id integer)")

    def read():
        with connection.cursor() as cursor:
            found = []
            for schema in schemas:
                cursor.execute(f"SELECT app, name FROM {schema}.django_migrations")  # noqa: S608
                found.append(cursor.fetchall())
            return found

    def drop():
        with connection.cursor() as cursor:
            for schema in schemas:
                cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")

    try:
        committed(make)
        failed = committed(
            lambda: schema_deploy.schemas_apply_sql(
                schemas, plan, connections_count=2, per_transaction=1
            )
        )
        assert failed == {schemas[2]: 'relation "made" already exists'}
        row = [("scratch", "0001_initial")]
        assert committed(read) == [row, row, [], row]
    finally:
        committed(drop)
