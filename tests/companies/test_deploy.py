"""`manage.py deploy_migrations`: only the schemas with pending migrations are migrated."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared_apps.companies import provisioning
from shared_apps.companies.management.commands.deploy_migrations import pending_schemas
from shared_apps.companies.models import Company


def forget_the_ai_migration(schema: str, *, fingerprint: str = "before") -> None:
    """Make `schema` look like a deploy added the AI app's migration: no table, no record, and
    its company's fingerprint another than the code's (that of the migrations before)."""
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE "{schema}".ai_aiauditentry')
        cursor.execute(f"""DELETE FROM "{schema}".django_migrations WHERE app = 'ai'""")  # noqa: S608
    Company.objects.filter(schema_name=schema).update(migrations_fingerprint=fingerprint)


def fingerprints() -> dict[str, str]:
    return dict(
        Company.objects.exclude(schema_name="public").values_list(
            "schema_name", "migrations_fingerprint"
        )
    )


def schema_reads(queries) -> int:
    """The statements that read schemas' `django_migrations` (200 schemas each at most)."""
    return sum(".django_migrations m WHERE m.app = w.app" in q["sql"] for q in queries)


def has_table(schema: str, table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"{schema}.{table}"])
        return cursor.fetchone()[0]


def recorded(schema: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{schema}".django_migrations')  # noqa: S608
        return cursor.fetchone()[0]


def test_a_company_is_made_with_the_codes_fingerprint(db):
    current = provisioning.migrations_fingerprint()

    assert fingerprints() == {"acme": current, "globex": current}


def test_nothing_pending_reads_no_schema(db):
    """Every company's fingerprint is the code's: one query on companies, no schema read."""
    with CaptureQueriesContext(connection) as queries:
        assert pending_schemas() == []

    assert schema_reads(queries) == 0


def test_nothing_pending_migrates_nothing(db, capsys):
    assert pending_schemas() == []

    call_command("deploy_migrations", processes=1, verbosity=0)

    out = capsys.readouterr().out
    assert "0 of 2 company schemas have pending migrations." in out


def test_only_the_schema_with_a_pending_migration_is_migrated(db, capsys):
    forget_the_ai_migration("globex")
    acme_before = recorded("acme")
    assert pending_schemas() == ["globex"]

    call_command("deploy_migrations", processes=1, verbosity=1)

    out = capsys.readouterr().out
    assert "1 of 2 company schemas have pending migrations." in out
    assert "[1/1 (100%) sql] globex" in out  # the AI app's migration is SQL only
    assert "acme" not in out
    assert has_table("globex", "ai_aiauditentry")
    assert pending_schemas() == []
    assert recorded("acme") == acme_before == recorded("globex")
    current = provisioning.migrations_fingerprint()
    assert fingerprints() == {"acme": current, "globex": current}  # migrated: recorded


def test_a_schema_complete_under_an_old_fingerprint_is_recorded_not_migrated(db, capsys):
    """A company whose fingerprint is another (e.g. made before fingerprints were recorded)
    but whose schema holds every migration is read once, found complete and recorded."""
    Company.objects.filter(schema_name="acme").update(migrations_fingerprint="")

    assert pending_schemas() == []
    assert fingerprints()["acme"] == provisioning.migrations_fingerprint()
    with CaptureQueriesContext(connection) as queries:
        assert pending_schemas() == []
    assert schema_reads(queries) == 0


def test_a_schema_migrated_back_by_hand_is_found_by_verify(db, capsys):
    """The fingerprint says current, the schema lacks a migration (restored by hand): only
    `--verify` reads it, and the deploy then migrates it."""
    forget_the_ai_migration("globex", fingerprint=provisioning.migrations_fingerprint())

    assert pending_schemas() == []
    assert pending_schemas(verify=True) == ["globex"]
    call_command("deploy_migrations", processes=1, verbosity=0, verify=True)

    assert has_table("globex", "ai_aiauditentry")
    assert pending_schemas(verify=True) == []


def test_pending_schemas_are_read_a_chunk_at_a_time(db):
    """One statement per `per_query` schemas (a statement locks each schema's table it reads:
    one for thousands of companies ran out of lock slots); the chunks find the same schemas."""
    forget_the_ai_migration("acme")
    forget_the_ai_migration("globex")

    with CaptureQueriesContext(connection) as one_each:
        assert pending_schemas(per_query=1) == ["acme", "globex"]
    with CaptureQueriesContext(connection) as together:
        assert pending_schemas() == ["acme", "globex"]

    assert [schema_reads(one_each), schema_reads(together)] == [2, 1]


def test_check_lists_pending_schemas_and_fails(db, capsys):
    forget_the_ai_migration("acme")

    with pytest.raises(SystemExit) as exit_info:
        call_command("deploy_migrations", check=True)

    assert exit_info.value.code == 1
    assert capsys.readouterr().out.splitlines() == [
        "1 of 2 company schemas have pending migrations.",
        "  acme",
    ]
    assert not has_table("acme", "ai_aiauditentry")  # --check changes nothing
