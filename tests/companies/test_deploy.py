"""`manage.py deploy_migrations`: only the schemas with pending migrations are migrated."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared_apps.companies.management.commands.deploy_migrations import pending_schemas


def forget_the_ai_migration(schema: str) -> None:
    """Make `schema` look like a deploy added the AI app's migration: no table, no record."""
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE "{schema}".ai_aiauditentry')
        cursor.execute(f"""DELETE FROM "{schema}".django_migrations WHERE app = 'ai'""")  # noqa: S608


def has_table(schema: str, table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"{schema}.{table}"])
        return cursor.fetchone()[0]


def recorded(schema: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{schema}".django_migrations')  # noqa: S608
        return cursor.fetchone()[0]


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
    assert "deploy:globex" in out
    assert "deploy:acme" not in out
    assert has_table("globex", "ai_aiauditentry")
    assert pending_schemas() == []
    assert recorded("acme") == acme_before == recorded("globex")


def test_pending_schemas_are_read_a_chunk_at_a_time(db):
    """One statement per `per_query` schemas (a statement locks each schema's table it reads:
    one for thousands of companies ran out of lock slots); the chunks find the same schemas."""
    forget_the_ai_migration("acme")
    forget_the_ai_migration("globex")

    with CaptureQueriesContext(connection) as one_each:
        assert pending_schemas(per_query=1) == ["acme", "globex"]
    with CaptureQueriesContext(connection) as together:
        assert pending_schemas() == ["acme", "globex"]

    def reads(queries):
        return [q for q in queries if "django_migrations" in q["sql"]]

    assert [len(reads(one_each)), len(reads(together))] == [2, 1]


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
