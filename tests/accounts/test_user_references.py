"""Company schemas name users by id, without a foreign key into `public.accounts_user`: deleting
or re-keying a user must not make PostgreSQL check (and lock) a table in every company schema,
which at 1,000 companies exhausted the lock table. The ORM's relations still work."""

from importlib import import_module

from django.db import connection, transaction

from shared_apps.accounts.roles import Role
from tests.factories import CarFactory


def foreign_keys_to_users() -> list[str]:
    """The company tables with a foreign key into `public.accounts_user`."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT n.nspname || '.' || c.relname
            FROM pg_constraint k
            JOIN pg_class c ON c.oid = k.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE k.contype = 'f' AND k.confrelid = 'public.accounts_user'::regclass
              AND n.nspname <> 'public'
            """
        )
        return [name for (name,) in cursor.fetchall()]


def test_no_company_table_has_a_foreign_key_to_the_users(db):
    assert foreign_keys_to_users() == []


def test_a_schema_migrated_before_loses_its_foreign_keys(in_acme):
    """What the migration does to a schema whose initial migration still made them."""
    migration = import_module(
        "tenant_apps.fleet.migrations.0008_users_referenced_without_a_foreign_key"
    ).Migration
    with connection.cursor() as cursor:
        for table, column in (("fleet_car", "driver_id"), ("fleet_carphoto", "uploaded_by_id")):
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT old_{column} FOREIGN KEY ({column}) "
                "REFERENCES public.accounts_user (id) DEFERRABLE INITIALLY DEFERRED"
            )
        assert foreign_keys_to_users() == ["acme.fleet_car", "acme.fleet_carphoto"]

        cursor.execute(migration.operations[0].sql)

    assert foreign_keys_to_users() == []


def company_tables_locked(cursor) -> set[tuple[str, str]]:
    """The company tables this connection holds a lock on, and in which mode."""
    cursor.execute(
        """
        SELECT n.nspname || '.' || c.relname, l.mode
        FROM pg_locks l
        JOIN pg_class c ON c.oid = l.relation
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation'
          AND n.nspname NOT IN ('public', 'pg_catalog')
        """
    )
    return set(cursor.fetchall())


def test_deleting_a_user_locks_no_company_table(in_acme, make_user):
    driver = make_user(in_acme, Role.DRIVER)
    CarFactory(driver=driver)

    with transaction.atomic(), connection.cursor() as cursor:
        # The test's own writes hold some already (a car's insert: RowExclusiveLock); a foreign
        # key's check would add RowShareLock on each referencing table.
        before = company_tables_locked(cursor)
        # Django's foreign keys are checked at commit (deferred): check them now, to see them.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("DELETE FROM public.accounts_user WHERE id = %s", [driver.pk])
        locked = company_tables_locked(cursor) - before
        transaction.set_rollback(True)

    assert locked == set()


def test_a_car_still_reaches_its_driver(in_acme, make_user):
    from tenant_apps.fleet.models import Car

    driver = make_user(in_acme, Role.DRIVER)
    car = CarFactory(driver=driver)

    assert Car.objects.select_related("driver").get(pk=car.pk).driver == driver
