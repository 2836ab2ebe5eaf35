"""Connections read `timestamptz` with psycopg's C loader (`shared_apps.core.db`), and what it
reads is exactly what Django's own loader reads: the same aware datetimes in UTC."""

import datetime as dt

import pytest
from django.db import connection, connections
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.db.models import DateField, F, Value
from psycopg import adapters
from psycopg.pq import Format

from shared_apps.core import db
from tenant_apps.fleet.models import Car
from tests.factories import CarFactory

TIMESTAMPTZ = adapters.types["timestamptz"].oid
VALUES = """SELECT '2026-03-01 10:00:00.123456+06'::timestamptz,
    '2026-03-01 10:00:00+00'::timestamptz, '1999-12-31 23:59:59.5-03:30'::timestamptz,
    '0044-03-15 12:00:00+00'::timestamptz, NULL::timestamptz"""


def read(cursor) -> tuple:
    cursor.execute(VALUES)
    return cursor.fetchone()


@pytest.mark.django_db
def test_timestamps_are_read_in_c_as_django_reads_them():
    with connection.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)
        assert loader is db._LOADER  # Django's cursor kept it: the same time zone
        ours = read(cursor)
        register_tzloader(connection.timezone, cursor.cursor)  # Django's own, on this cursor
        djangos = read(cursor)

    assert (
        ours
        == djangos
        == (
            dt.datetime(2026, 3, 1, 4, 0, 0, 123456, tzinfo=dt.UTC),
            dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC),
            dt.datetime(2000, 1, 1, 3, 29, 59, 500000, tzinfo=dt.UTC),
            dt.datetime(44, 3, 15, 12, 0, tzinfo=dt.UTC),
            None,
        )
    )
    assert {value.tzinfo for value in ours[:4]} == {dt.UTC}
    assert [type(value) for value in ours[:4]] == [dt.datetime] * 4


@pytest.mark.django_db
def test_a_connection_in_another_time_zone_keeps_djangos_loader(settings):
    settings.USE_TZ = False
    other = connections.create_connection("default")  # a connection of its own, made now
    try:
        with other.cursor() as cursor:
            loader = cursor.cursor.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)
            assert loader is not db._LOADER
            # naive, in the session's zone (Bishkek, UTC+6), as Django reads it without USE_TZ
            assert read(cursor)[1] == dt.datetime(2026, 3, 1, 16, 0)
    finally:
        other.close()


@pytest.mark.django_db
def test_a_query_time_date_is_read_each_time_the_query_runs():
    days = [dt.date(2026, 1, 1)]
    today = db.QueryTimeDate(lambda: days[0])
    sql, params = today.as_sql(None, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}, {sql} - DATE '2025-12-25'", [*params, *params])
        first = cursor.fetchone()
        days[0] = dt.date(2027, 2, 3)  # the same SQL and parameters, run again
        cursor.execute(f"SELECT {sql}, {sql} - DATE '2025-12-25'", [*params, *params])
        second = cursor.fetchone()

    assert first == (dt.date(2026, 1, 1), 7)
    assert second == (dt.date(2027, 2, 3), 405)


def test_days_between_two_dates_are_postgresqls_integer_with_no_conversion(in_acme):
    car = CarFactory()
    rows = Car.objects.filter(pk=car.pk).annotate(
        later=db.DaysBetween(Value(dt.date(2027, 3, 1)), Value(dt.date(2026, 11, 30))),
        earlier=db.DaysBetween(Value(dt.date(2026, 11, 30)), Value(dt.date(2027, 3, 1))),
        same=db.DaysBetween(Value(dt.date(2024, 2, 29)), Value(dt.date(2024, 2, 29))),
        leap=db.DaysBetween(Value(dt.date(2024, 3, 1)), Value(dt.date(2024, 2, 28))),
        unknown=db.DaysBetween(Value(None, output_field=DateField()), Value(dt.date(2026, 1, 1))),
    )
    assert rows.values_list("later", "earlier", "same", "leap", "unknown").get() == (
        91,
        -91,
        0,
        2,
        None,
    )
    days = db.DaysBetween(F("end_date"), F("start_date"))
    assert days.get_db_converters(connection) == []  # no `int()` for each row
