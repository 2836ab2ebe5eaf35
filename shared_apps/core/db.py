"""PostgreSQL connections: psycopg's C loader for `timestamptz` instead of Django's, dates read
when a query runs (`QueryTimeDate`) and the days between two dates (`DaysBetween`).

Django reads every `timestamptz` through a loader of its own, written in Python, that calls
psycopg's Python parser and then sets the connection's time zone on the result; a page of 100
rows with two timestamps spent ~2 ms in it (cProfile), where psycopg's C loader (psycopg[binary])
takes a tenth of that. With `USE_TZ`, Django keeps the session's `TimeZone` at UTC, so the C
loader's datetimes are Django's exactly: the same instants, aware, in `datetime.timezone.utc`
(`tests/core/test_db.py`). A connection in another time zone keeps Django's loader."""

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db.models import DateField, Expression, Func, IntegerField
from django.utils.functional import cached_property

try:
    from psycopg import adapters
    from psycopg.adapt import Loader
    from psycopg.pq import Format
    from psycopg.types.datetime import DateDumper
except ImportError:  # pragma: no cover - the project pins psycopg 3
    adapters = None


def _c_timestamptz_loader() -> type | None:
    if adapters is None:
        return None
    c_loader = adapters.get_loader(adapters.types["timestamptz"].oid, Format.TEXT)
    if c_loader.__module__.startswith("psycopg."):  # no C implementation installed
        return None

    class UtcTimestamptzLoader(Loader):
        """psycopg's C loader, under the `timezone` Django compares with the connection's
        before each cursor (a C type takes no attribute, nor a subclass)."""

        timezone = dt.UTC

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self.load = c_loader(oid, context).load  # psycopg calls the C method directly

        def load(self, data):  # (replaced per instance)
            raise NotImplementedError

    return UtcTimestamptzLoader


_LOADER = _c_timestamptz_loader()


def use_c_timestamptz_loader(sender, connection, **kwargs) -> None:
    """`connection_created`: a PostgreSQL connection in UTC reads `timestamptz` in C."""
    if (
        _LOADER is None
        or connection.vendor != "postgresql"
        or not settings.USE_TZ
        or connection.timezone != dt.UTC
    ):
        return
    connection.connection.adapters.register_loader("timestamptz", _LOADER)


class QueryTimeDate(Expression):
    """A date the query reads when it runs, not when it is built: `read()` is called by psycopg
    as it sends the query (`_QueryTimeDateDumper`). A list's SQL compiled once and kept
    (`core.page_sql`) then serves every company and every day with its own today."""

    output_field = DateField()

    def __init__(self, read: Callable[[], dt.date]):
        super().__init__()
        self.read = read

    def as_sql(self, compiler, connection):
        return "%s", [self]


if adapters is not None:

    class _QueryTimeDateDumper(DateDumper):
        """The date a `QueryTimeDate` reads now, dumped as psycopg dumps a date (psycopg's
        `quote`, for Django's client-side binding, calls `dump`)."""

        def dump(self, obj):
            return super().dump(obj.read())


class DaysBetween(Func):
    """The whole days from the date `start` to the date `end` (negative when `end` comes
    first): PostgreSQL's `end - start`, an integer, which psycopg reads as an `int`. So Django's
    `int()` of each value (an IntegerField expression's converter), which a compiled page would
    run row by row (`core.page_sql`), is left out."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    @cached_property
    def convert_value(self):
        return self._convert_value_noop


def dump_query_time_dates(sender, connection, **kwargs) -> None:
    """`connection_created`: a PostgreSQL connection sends a `QueryTimeDate` as its date."""
    if adapters is not None and connection.vendor == "postgresql":
        connection.connection.adapters.register_dumper(QueryTimeDate, _QueryTimeDateDumper)
