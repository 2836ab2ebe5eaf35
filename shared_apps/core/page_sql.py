"""List pages served from SQL compiled once per list and ordering.

A React table asks for the same lists again and again: a page, the next one, another sort.
For each of them DRF and the ORM built the queryset, compiled it and its count's key, made the
paginator's page and worked out how to read the rows as values: more Python than PostgreSQL
spends on the page. A page that no filter and no search narrows depends only on the view's
class, its ordering and the page asked for, so its SQL is compiled once (`PageSQL`), and every
page of that list and ordering runs it with its own LIMIT and OFFSET, counts under the key
compiled with it and writes its rows with the serializer's values writer (`core.rows`).

The answer is DRF's list, byte for byte (the tests compare both for every list, ordering and
page): the same pagination class reads `page` and `page_size` and writes the links, the same
serializer fields write the rows. A request that filters or searches, a list that cannot be read
as values, or one without pagination takes DRF's path (`page_response` answers None).

Only a view whose unfiltered rows do not depend on the request may serve its pages so (the fleet
lists' `list_queryset`, built once per class): the SQL is shared by every request and company
(it names no schema; the connection's search path chooses the company)."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.utils import create_namedtuple_class
from django.utils import timezone
from rest_framework import serializers
from rest_framework.response import Response

from . import counts
from .filters import StableOrderingFilter
from .memo import Recent
from .pagination import PageNumberPagination
from .renderers import DATES_FOR_ORJSON
from .rows import (
    CompiledListSerializer,
    ValuesPlan,
    Writer,
    selected,
    values_plan,
    values_writer_factory,
)

MAX_COMPILED = 1024  # lists × orderings kept per process (an ordering may name several fields)
# By (view class, serializer class, ordering): the list's compiled SQL, None for DRF's path. A
# flood of orderings costs their compiling, no more than DRF's path costs every request.
_compiled = Recent(MAX_COMPILED)


@dataclass(frozen=True)
class PageSQL:
    """The SQL of a list's ordered rows (without LIMIT and OFFSET), and how to read them."""

    database: str
    sql: str
    params: tuple
    values: ValuesPlan
    # (position, converters, expression) of the columns Django converts after reading them
    converters: tuple[tuple[int, list[Callable], object], ...]
    count_key: str
    # the rows' writer factory (`rows.values_writer_factory`) by time zone, made on first use
    writers: dict = field(default_factory=dict, compare=False)

    @classmethod
    def compile(cls, queryset: QuerySet, serializer: serializers.Serializer) -> "PageSQL | None":
        """The page SQL of `queryset` for the serializer's fields, or None when its rows cannot
        be read as values (`rows.values_plan`) or no row can match."""
        values = values_plan(serializer, queryset)
        count_key = counts.count_key(queryset)
        if values is None or count_key is None:
            return None
        rows = queryset.values_list(*selected(values))
        compiler = rows.query.get_compiler(rows.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        expressions = [
            expression for expression, _sql, _alias in compiler.select[: compiler.col_count]
        ]
        if compiler.has_composite_fields(expressions):
            return None
        converters = tuple(
            (position, converters, expression)
            for position, (converters, expression) in compiler.get_converters(expressions).items()
        )
        return cls(rows.db, sql, tuple(params), values, converters, count_key)

    def rows(self, *, offset: int, limit: int) -> list[tuple]:
        """The rows of one page, as `values_list` would give them (named tuples when a field
        reads the row by name)."""
        connection = connections[self.database]
        with connection.cursor() as cursor:
            cursor.execute(f"{self.sql} LIMIT %s OFFSET %s", (*self.params, limit, offset))
            rows = cursor.fetchall()
        if self.converters:  # as the compiler's `apply_converters`
            rows = [self._converted(row, connection) for row in rows]
        if self.values.by_name:
            named = create_namedtuple_class(*self.values.columns)
            rows = [tuple.__new__(named, row) for row in rows]
        return rows

    def writer(self, view, child: serializers.Serializer | None, zone) -> Writer:
        """The writer of these rows for the list's child serializer of this request: `child`,
        or the one `view.get_serializer()` makes, only when the writer reads it (a method field,
        a field that writes with its context): making one costs its fields' copies. It leaves
        the rows' dates to the renderer where it may (`write.dates_for_orjson`)."""
        if zone not in self.writers:
            child = child if child is not None else view.get_serializer()
            self.writers[zone] = values_writer_factory(
                child.fields.values(), self.values, zone, dates_for_orjson=True
            )
        make = self.writers[zone]
        if make.reads_serializer and child is None:
            child = view.get_serializer()
        return make(child)

    def _converted(self, row: tuple, connection) -> tuple:
        row = list(row)
        for position, converters, expression in self.converters:
            value = row[position]
            for converter in converters:
                value = converter(value, expression, connection)
            row[position] = value
        return tuple(row)


def page_response(view, request) -> Response | None:
    """The list page DRF's `ListModelMixin.list` would answer for `request`, served from the
    list's compiled SQL; None when the request or the list needs DRF's path.

    The caller vouches that the view's rows before filters, its filters (`filter_queryset`) and
    its serializer's fields do not depend on the request: the SQL and the writer are made from
    the first request of a list and ordering, then serve every user and company."""
    paginator = view.paginator
    queryset = view.get_queryset()
    ordering_backends = [b for b in view.filter_backends if issubclass(b, StableOrderingFilter)]
    if not isinstance(paginator, PageNumberPagination) or len(ordering_backends) != 1:
        return None
    if _narrows(view, request, queryset):
        return None
    ordering = tuple(ordering_backends[0]().get_ordering(request, queryset, view) or ())
    serializer_class = view.get_serializer_class()
    list_class = getattr(getattr(serializer_class, "Meta", None), "list_serializer_class", None)
    if (
        list_class is not CompiledListSerializer
        or serializer_class.to_representation is not serializers.Serializer.to_representation
    ):
        return None
    child = None  # the list's child, with the request's context: made when needed
    key = (type(view), serializer_class, ordering)
    page_sql = _compiled.get(key, _NOT_YET)
    if page_sql is _NOT_YET:
        child = view.get_serializer()
        # nothing narrows it: only its ordering is applied
        page_sql = PageSQL.compile(view.filter_queryset(queryset), child)
        _compiled.remember(key, page_sql)
    if page_sql is None:
        return None
    if not paginator.get_page_size(request):
        return None  # not paginated
    # The pagination pages a range as long as the list: Django's own bounds of the page (never
    # more rows than the count), without a queryset to copy and slice. (The count comes before
    # a malformed page's 404, from its cache as a rule.)
    count = counts.count(queryset, key=page_sql.count_key)
    paginator.paginate_queryset(range(count), request, view)
    bounds = paginator.page.object_list
    limit = bounds.stop - bounds.start
    rows = page_sql.rows(offset=bounds.start, limit=limit) if limit > 0 else []
    write = page_sql.writer(view, child, timezone.get_current_timezone())
    response = view.get_paginated_response([write(row) for row in rows])
    setattr(response, DATES_FOR_ORJSON, write.dates_for_orjson)  # (the writer left them)
    return response


_NOT_YET = object()


def _narrows(view, request, queryset) -> bool:
    """Whether one of the view's filter backends other than the ordering would leave out rows
    (a backend that cannot tell is taken to narrow)."""
    return any(
        not issubclass(backend, StableOrderingFilter)
        and (not hasattr(backend, "narrows") or backend().narrows(request, queryset, view))
        for backend in view.filter_backends
    )
