"""The project's database backend lists a schema's tables by naming the schema (quick with
thousands of schemas); it must list exactly what django-tenants' introspection lists."""

import pytest
from django.db import connection
from django_tenants.postgresql_backend.introspection import DatabaseSchemaIntrospection

from shared_apps.companies.postgresql_backend.introspection import DatabaseIntrospection


@pytest.mark.parametrize("schema", ["public", "acme", "template"])
def test_table_list_is_django_tenants_own(db, schema):
    assert isinstance(connection.introspection, DatabaseIntrospection)
    connection.set_schema(schema)
    with connection.cursor() as cursor:
        ours = connection.introspection.get_table_list(cursor)
        theirs = DatabaseSchemaIntrospection(connection).get_table_list(cursor)

    assert sorted(ours) == sorted(theirs)
    assert len(ours) > 10
    assert "django_migrations" in {table.name for table in ours}


def test_a_table_of_another_schema_is_not_listed(db):
    connection.set_schema("acme")
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
    assert "fleet_car" in names
    assert "companies_company" not in names  # public's, though public is on the search path
