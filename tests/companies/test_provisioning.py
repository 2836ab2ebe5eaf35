"""Companies are cloned from a migrated template schema; a clone must be exactly what running
every migration gives, and the template must follow new migrations by itself."""

import threading

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_exists

from shared_apps.companies import provisioning
from shared_apps.companies.services import company_create
from tests.factories import PASSWORD
from tests.threads import committed, run_in_parallel


def catalog(schema: str) -> dict[str, list[tuple]]:
    """What a schema is made of, with its own name taken out of the definitions."""
    queries = {
        "columns": """
            SELECT table_name, column_name, data_type, is_nullable,
                   replace(coalesce(column_default, ''), %(schema)s || '.', ''),
                   is_identity, coalesce(identity_generation, ''),
                   coalesce(generation_expression, ''),
                   -- the column's place among the table's columns: a migrated table keeps the
                   -- numbers of dropped columns, a cloned one does not
                   rank() OVER (PARTITION BY table_name ORDER BY ordinal_position)
            FROM information_schema.columns WHERE table_schema = %(schema)s ORDER BY 1, 2""",
        "constraints": """
            SELECT cl.relname, co.conname, co.contype,
                   replace(pg_get_constraintdef(co.oid), %(schema)s || '.', '')
            FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid
            WHERE co.connamespace = %(schema)s::regnamespace ORDER BY 1, 2""",
        "indexes": """
            SELECT tablename, indexname, replace(indexdef, %(schema)s || '.', '')
            FROM pg_indexes WHERE schemaname = %(schema)s ORDER BY 1, 2""",
        "sequences": """
            SELECT sequence_name, data_type, start_value, increment
            FROM information_schema.sequences WHERE sequence_schema = %(schema)s ORDER BY 1""",
    }
    with connection.cursor() as cursor:
        result = {}
        for name, sql in queries.items():
            cursor.execute(sql, {"schema": schema})
            result[name] = cursor.fetchall()
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations ORDER BY 1, 2')  # noqa: S608
        result["migrations"] = cursor.fetchall()
    return result


def provision(slug: str) -> None:
    company_create(
        slug=slug, name=slug.title(), admin_username=f"{slug}-boss", admin_password=PASSWORD
    )
    connection.set_schema_to_public()


def test_a_cloned_company_is_exactly_a_migrated_one(db, settings):
    provision("cloned")
    settings.TENANT_CREATION_FAKES_MIGRATIONS = False
    provision("migrated")

    cloned, migrated = catalog("cloned"), catalog("migrated")

    assert len(cloned["columns"]) > 100
    assert len(cloned["migrations"]) == len(provisioning.migrations_on_disk())
    for part in ("columns", "constraints", "indexes", "sequences", "migrations"):
        assert cloned[part] == migrated[part], part


def test_a_clone_starts_empty_with_fresh_ids(db, client_for, make_user):
    from shared_apps.accounts.roles import Role
    from shared_apps.companies.models import Company

    provision("fresh")
    company = Company.objects.get(slug="fresh")
    client = client_for(company, make_user(company, Role.DISPATCHER))

    created = client.post(
        "/api/v1/cars/",
        {
            "region": "bishkek",
            "brand": "toyota",
            "fuel_type": "petrol",
            "vehicle_type": "car",
            "title": "Camry",
            "numplate": "01KG001AAA",
        },
        format="json",
    )

    assert created.status_code == 201
    assert created.json()["id"] == 1
    assert client.get("/api/v1/cars/").json()["count"] == 1


def test_a_missing_template_is_made_again(db):
    with connection.cursor() as cursor:
        cursor.execute('DROP SCHEMA "template" CASCADE')
    assert not provisioning.template_is_current()

    provision("after-drop")

    assert provisioning.template_is_current()
    assert catalog("after_drop")["migrations"] == catalog("template")["migrations"]


def test_a_template_behind_the_code_is_migrated_before_a_clone(db):
    # A deploy added a migration: here, the template forgets the newest one it has applied,
    # and its table, as if that migration had never run.
    with connection.cursor() as cursor:
        cursor.execute('DROP TABLE "template".ai_aiauditentry')
        cursor.execute("""DELETE FROM "template".django_migrations WHERE app = 'ai'""")
    assert not provisioning.template_is_current()

    provision("after-deploy")

    assert provisioning.template_is_current()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('after_deploy.ai_aiauditentry') IS NOT NULL")
        assert cursor.fetchone() == (True,)


def test_the_template_cannot_be_taken_as_a_company(db):
    from django.core.exceptions import ValidationError

    migrations_before = catalog("template")["migrations"]
    with pytest.raises(ValidationError) as refused:
        provision("template")

    assert refused.value.message_dict == {"slug": ["The slug 'template' is reserved."]}
    assert catalog("template")["migrations"] == migrations_before


# --- Spare schemas ------------------------------------------------------------------------------


def test_a_company_made_from_a_spare_is_exactly_a_migrated_one(db, settings):
    assert provisioning.spares_refill(size=1) == 1
    [spare] = provisioning.spare_schemas()
    provision("spared")
    settings.TENANT_CREATION_FAKES_MIGRATIONS = False
    provision("migrated")

    assert provisioning.spare_schemas() == []  # renamed: the company's schema is the spare
    spared, migrated = catalog("spared"), catalog("migrated")
    for part in ("columns", "constraints", "indexes", "sequences", "migrations"):
        assert spared[part] == migrated[part], part
    assert spare.startswith(f"_spare_{provisioning.migrations_fingerprint()}_")


def test_spares_of_older_migrations_are_never_handed_out_and_refill_drops_them(db):
    stale = "_spare_000000000000_0badc0de"
    provisioning._clone_template(stale)

    provision("not-stale")  # cloned: the stale spare is not current

    assert provisioning.spare_schemas(current=False) == [stale]
    assert provisioning.spares_refill(size=1) == 1
    [fresh] = provisioning.spare_schemas(current=False)
    assert fresh != stale
    assert provisioning.spare_schemas() == [fresh]


def test_a_failed_company_creation_gives_its_spare_back(db):
    provisioning.spares_refill(size=1)
    [spare] = provisioning.spare_schemas()

    def claim_then_fail():
        with transaction.atomic():
            assert provisioning.spare_claim("given_back")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        claim_then_fail()

    assert provisioning.spare_schemas() == [spare]
    assert not schema_exists("given_back")


def test_two_claims_at_once_never_take_the_same_spare(db):
    committed(lambda: provisioning.spares_refill(size=1))
    [spare] = committed(provisioning.spare_schemas)
    claimed, second_tried = threading.Event(), threading.Event()

    def first():
        with transaction.atomic():
            won = provisioning.spare_claim("first_claim")
            claimed.set()
            assert second_tried.wait(timeout=10)  # still uncommitted while the second tries
        return won

    def second():
        assert claimed.wait(timeout=10)
        try:
            with transaction.atomic():
                return provisioning.spare_claim("second_claim")
        finally:
            second_tried.set()

    try:
        assert run_in_parallel(first, second) == [True, False]
        assert committed(lambda: (schema_exists("first_claim"), schema_exists(spare))) == (
            True,
            False,
        )
    finally:

        def drop():
            with connection.cursor() as cursor:
                for schema in ("first_claim", "second_claim", spare):
                    cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

        committed(drop)
