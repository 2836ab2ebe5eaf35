"""Company schemas are copies of a migrated template schema, made by replaying its DDL; a copy
must be exactly what running every migration gives, and the template must follow new
migrations by itself."""

import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_exists

from shared_apps.companies import provisioning, replay
from shared_apps.companies.services import company_create
from tests.factories import PASSWORD
from tests.threads import committed, in_background, run_in_parallel


def catalog(schema: str) -> dict[str, list[tuple]]:
    """What a schema is made of, with its own name taken out of the definitions."""
    queries = {
        "columns": """
            SELECT table_name, column_name, data_type, is_nullable,
                   replace(coalesce(column_default, ''), %(schema)s || '.', ''),
                   is_identity, coalesce(identity_generation, ''),
                   coalesce(generation_expression, ''),
                   -- the column's place among the table's columns: a migrated table keeps the
                   -- numbers of dropped columns, a replayed one does not
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
        # each sequence's value and the column that owns it ('i': an identity column's)
        "sequence_values": """
            SELECT s.relname, pg_sequence_last_value(s.oid), t.relname, a.attname, d.deptype
            FROM pg_class s
            LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid
                 AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
            LEFT JOIN pg_class t ON t.oid = d.refobjid
            LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
            WHERE s.relnamespace = %(schema)s::regnamespace AND s.relkind = 'S' ORDER BY 1""",
    }
    with connection.cursor() as cursor:
        result = {}
        for name, sql in queries.items():
            cursor.execute(sql, {"schema": schema})
            result[name] = cursor.fetchall()
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations ORDER BY 1, 2')  # noqa: S608
        result["migrations"] = cursor.fetchall()
        cursor.execute(f'SELECT * FROM "{schema}".django_migrations ORDER BY id')  # noqa: S608
        result["migration_rows"] = cursor.fetchall()
    return result


PARTS = ("columns", "constraints", "indexes", "sequences", "sequence_values", "migrations")


def provision(slug: str) -> None:
    company_create(
        slug=slug, name=slug.title(), admin_username=f"{slug}-boss", admin_password=PASSWORD
    )
    connection.set_schema_to_public()


def test_a_replayed_company_is_exactly_a_migrated_one(db, settings):
    provision("replayed")
    settings.TENANT_CREATION_FAKES_MIGRATIONS = False
    provision("migrated")

    replayed, migrated = catalog("replayed"), catalog("migrated")

    assert len(replayed["columns"]) > 100
    assert len(replayed["indexes"]) == 87
    assert len(replayed["migrations"]) == len(provisioning.migrations_on_disk())
    assert ("django_migrations_id_seq", len(replayed["migrations"])) in {
        row[:2] for row in replayed["sequence_values"]
    }
    assert ("fleet_car_id_seq", None, "fleet_car", "id", "i") in replayed["sequence_values"]
    for part in PARTS:
        assert replayed[part] == migrated[part], part
    # the template's rows themselves, ids and times included
    assert replayed["migration_rows"] == catalog("template")["migration_rows"]


def test_a_replayed_company_starts_empty_with_fresh_ids(db, client_for, make_user):
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


def test_a_template_behind_the_code_is_migrated_before_a_replay(db):
    # A deploy added a migration: here, the template forgets the newest one it has applied,
    # and its table, as if that migration had never run.
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM template.django_migrations_id_seq")
        [last_id] = cursor.fetchone()
        cursor.execute('DROP TABLE "template".ai_aiauditentry')
        cursor.execute("""DELETE FROM "template".django_migrations WHERE app = 'ai'""")
    assert not provisioning.template_is_current()

    try:
        provision("after-deploy")
    finally:
        # A sequence does not roll back: the template would keep the ids the migration
        # recorded here used, and its copies in later tests would differ from a migrated schema.
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval('template.django_migrations_id_seq', %s)", [last_id])

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


def test_replaying_costs_the_same_queries_however_many_schemas_there_are(db):
    def queries(make):
        with CaptureQueriesContext(connection) as captured:
            make()
        return [query["sql"] for query in captured.captured_queries]

    provisioning.template_migrations()  # the connection's search_path is set
    provisioning._template_ddl.cache_clear()
    writing = queries(provisioning.template_ddl)
    first = queries(lambda: provisioning.schema_create_from_template("first_replay"))
    for i in range(3):
        provisioning.template_replay(f"other_{i}")
    provisioning._template_ddl.cache_clear()
    writing_again = queries(provisioning.template_ddl)
    later = queries(lambda: provisioning.schema_create_from_template("later_replay"))

    # The DDL is written by a fixed number of queries (the template's migrations: 2; in a
    # savepoint: 2; search_path in and out: 2; relations, what cannot be copied, columns,
    # sequences, constraints, indexes, which tables have rows: 7), then kept. A company costs
    # the search_path, the template's check (2), the spare pool (3 with its savepoint) and the
    # replay (10: savepoint, the template's lock taken shared, its migrations read again under
    # it (2), savepoint, search_path, the DDL in one statement, search_path back, 2 releases).
    assert len(writing) == len(writing_again) == 13
    assert len(first) == len(later) == 16

    def replay_sql(queries, schema):
        return [sql.replace(schema, "new") for sql in queries if schema in sql]

    assert replay_sql(first, "first_replay") == replay_sql(later, "later_replay")
    assert not [sql for sql in writing + first if "information_schema" in sql]


def test_a_replay_copies_defaults_as_they_are_and_a_serial_reads_its_own_sequence(db):
    with connection.cursor() as cursor:
        cursor.execute("""
            ALTER TABLE "template".fleet_kit
                ADD COLUMN label text NOT NULL DEFAULT 'template.fleet_kit',
                ADD COLUMN ticket serial""")
        cursor.execute("SELECT setval('template.fleet_kit_ticket_seq', 41)")

    replay.schema_replay("serial_copy", replay.template_ddl("template"))

    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT column_name, column_default FROM information_schema.columns
            WHERE table_schema = 'serial_copy' AND table_name = 'fleet_kit'
              AND column_name IN ('label', 'ticket') ORDER BY 1""")
        assert cursor.fetchall() == [
            ("label", "'template.fleet_kit'::text"),
            ("ticket", "nextval('serial_copy.fleet_kit_ticket_seq'::regclass)"),
        ]
        cursor.execute("SELECT pg_get_serial_sequence('serial_copy.fleet_kit', 'ticket')")
        assert cursor.fetchone() == ("serial_copy.fleet_kit_ticket_seq",)
        cursor.execute("SELECT nextval('serial_copy.fleet_kit_ticket_seq')")
        assert cursor.fetchone() == (42,)


def test_what_the_replay_cannot_copy_is_refused_by_name(db):
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE VIEW "template".car_titles AS SELECT title FROM "template".fleet_car'
        )
        cursor.execute("COMMENT ON TABLE \"template\".fleet_car IS 'cars'")

    with pytest.raises(replay.UnsupportedTemplateError) as refused:
        replay.template_ddl("template")

    assert str(refused.value) == (
        "the template schema holds what the replay would leave out of new company schemas: "
        "comment on table fleet_car; view car_titles"
    )


# --- Spare schemas ------------------------------------------------------------------------------


def test_a_company_made_from_a_spare_is_exactly_a_migrated_one(db, settings):
    assert provisioning.spares_refill(size=1) == 1
    [spare] = provisioning.spare_schemas()
    provision("spared")
    settings.TENANT_CREATION_FAKES_MIGRATIONS = False
    provision("migrated")

    assert provisioning.spare_schemas() == []  # renamed: the company's schema is the spare
    spared, migrated = catalog("spared"), catalog("migrated")
    for part in PARTS:
        assert spared[part] == migrated[part], part
    assert spare.startswith(f"_spare_{provisioning.migrations_fingerprint()}_")


def test_spares_of_older_migrations_are_never_handed_out_and_refill_drops_them(db):
    stale = "_spare_000000000000_0badc0de"
    provisioning.template_replay(stale)

    provision("not-stale")  # replayed: the stale spare is not current

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


def test_a_copy_waits_while_the_template_is_being_migrated(db):
    """A deploy migrating the template holds its lock: a copy started meanwhile waits for it
    (here, until its lock timeout) instead of copying a template half way through, and could
    otherwise record migrations whose tables it lacks."""
    provisioning.template_ddl()  # the DDL as the template is now, kept
    holder = threading.Event()
    release = threading.Event()

    def migrating_the_template():
        with provisioning.template_locked():
            holder.set()
            release.wait(timeout=30)

    done = in_background(migrating_the_template)
    assert holder.wait(timeout=30)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '300ms'")
            with pytest.raises(OperationalError, match="lock timeout"):
                provisioning.template_replay("while_migrating")
    finally:
        release.set()
        done()
    assert not schema_exists("while_migrating")
    provisioning.template_replay("after_migrating")  # the lock is free again
    assert schema_exists("after_migrating")
