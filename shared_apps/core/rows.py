"""Rows written as their serializer's fields would write them, by a function compiled from the
fields once: a list page or a report may have thousands of rows, and DRF's field-by-field path
(`get_attribute`, `to_representation` and the bookkeeping around them, per cell) costs more
than the query. The output is the fields' own (tests compare the two, byte for byte, for every
list endpoint); a field of a kind not listed in `_cell` keeps its own `to_representation`, and
a field with its own way of reading (`get_attribute`) DRF's whole path, both bound to the same
serializer (so with its context: the request for a file's URL, the company's today).

Two uses: `CompiledRowSerializer`, a report's row of plain attributes (compiled once per class);
`CompiledListSerializer`, `many=True` of a model serializer (compiled once per list, from the
child serializer as the view made it). A list given as a queryset not yet run (a page: see
`core.pagination`) is read as `values_list` rows rather than model instances, by a writer
generated for its columns (`_values_rows`), unless a field needs what only an instance has."""

import datetime as dt
import decimal
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import CodeType, MethodType
from zoneinfo import ZoneInfo

import orjson
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import Cast
from django.db.models.query_utils import DeferredAttribute
from django.utils import timezone
from rest_framework import relations, serializers
from rest_framework.fields import SkipField
from rest_framework.settings import ISO_8601, api_settings

Writer = Callable[[object], dict]
_writers: dict[type, Writer] = {}


class AnnotatedMethodField(serializers.SerializerMethodField):
    """A method field whose value a list's queryset may also carry as the annotation
    `annotation`, computed in SQL by the same rule: rows read as values take the column (no
    method call per row), an instance runs the method (a detail, the answer to a write)."""

    def __init__(self, annotation: str, method_name=None, **kwargs):
        self.annotation = annotation
        super().__init__(method_name, **kwargs)


def _own(field: serializers.Field, kind: type[serializers.Field]) -> bool:
    """Whether `field` is a `kind` that writes as `kind` does (not a subclass of its own)."""
    return isinstance(field, kind) and type(field).to_representation is kind.to_representation


def _iso(value) -> str:
    return value if isinstance(value, str) else value.isoformat()


# From here on every zone's UTC offset is a whole number of minutes (the last with seconds,
# Liberia's -0:44:30, ended on 1972-01-07; `tests/core/test_rows.py` checks every zone), and
# orjson writes an aware datetime as DRF does (`isoformat`, `Z` for a zero offset) in half the
# time. Before, it would round the offset's seconds (Amsterdam's `+00:19:32` as `+00:20`).
# That holds for the tz database's zones; a fixed offset of whole minutes always has it.
WHOLE_MINUTE_OFFSETS_SINCE = dt.datetime(1972, 7, 1, tzinfo=dt.UTC)


def _orjson_writes(zone) -> bool:
    """Whether orjson writes datetimes in `zone` as DRF does from WHOLE_MINUTE_OFFSETS_SINCE
    on: a zone of the tz database, or a fixed offset of whole minutes (not, say, `+01:00:15`)."""
    if isinstance(zone, ZoneInfo):
        return True
    return isinstance(zone, dt.timezone) and zone.utcoffset(None) % dt.timedelta(minutes=1) == (
        dt.timedelta(0)
    )


def aware_text(value: dt.datetime, zone) -> str:
    """DRF's ISO 8601 text of the aware datetime `value` in `zone`."""
    local = value.astimezone(zone)
    if value >= WHOLE_MINUTE_OFFSETS_SINCE and _orjson_writes(zone):
        return orjson.dumps(local, option=orjson.OPT_UTC_Z)[1:-1].decode()
    text = local.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _datetime_text(field: serializers.DateTimeField, zone) -> Callable[[object], object]:
    """DRF's ISO 8601 in its time zone (the field's, else `zone`: the one active when the
    writer was compiled); a naive value or a text takes DRF's own path."""
    zone = getattr(field, "timezone", None) or zone

    def write(value):
        if isinstance(value, str) or value.tzinfo is None:
            return field.to_representation(value)
        return aware_text(value, zone)

    write.zone = zone  # for a writer that inlines it (`_values_writer_factory`)
    return write


def _is_aware_column(target) -> bool:
    """A datetime column read as an aware datetime (with USE_TZ, PostgreSQL's timestamptz)."""
    return (
        isinstance(target, models.DateTimeField)
        and not hasattr(target, "from_db_value")
        and settings.USE_TZ
    )


def _cell(field: serializers.Field, zone) -> Callable[[object], object]:
    """How one field writes a value that is not None (`zone`: the active time zone, None when
    the writer outlives a request and must ask each time, as DRF does)."""
    if _own(field, serializers.ChoiceField):
        choices = field.choice_strings_to_values
        return lambda value: choices.get(str(value), value)
    if _own(field, serializers.CharField):
        return str
    if _own(field, serializers.IntegerField) or (
        _own(field, serializers.BigIntegerField)
        and not getattr(field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING)
    ):
        return int
    if _own(field, serializers.BooleanField):
        true, false = field.TRUE_VALUES, field.FALSE_VALUES
        return lambda value: True if value in true else False if value in false else bool(value)
    if _own(field, serializers.DateField) and (
        getattr(field, "format", api_settings.DATE_FORMAT) == ISO_8601
    ):
        return _iso
    if (
        _own(field, serializers.DateTimeField)
        and getattr(field, "format", api_settings.DATETIME_FORMAT) == ISO_8601
        and (zone is not None or getattr(field, "timezone", None) is not None)
    ):
        return _datetime_text(field, zone)
    if _own(field, relations.PrimaryKeyRelatedField):
        return lambda value: value  # the id itself, as `_pk_reader` reads it
    if (
        _own(field, serializers.DecimalField)
        and getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        and not field.localize
        and not field.normalize_output
    ):
        if field.decimal_places is None:
            return field.to_representation
        # DRF's `quantize`, with its exponent and context made once rather than for each value.
        exponent, rounding = Decimal(".1") ** field.decimal_places, field.rounding
        context = decimal.getcontext().copy()
        if field.max_digits is not None:
            context.prec = field.max_digits

        def decimal_text(value) -> str:
            if not isinstance(value, Decimal):
                value = Decimal(str(value).strip())
            return f"{value.quantize(exponent, rounding=rounding, context=context):f}"

        return decimal_text
    return field.to_representation


def _chain(field: serializers.Field, attrs: list[str]) -> Callable[[object], object]:
    """`a.b.c` read as DRF reads a source, a method called; a link that is None (an optional
    relation) is left to DRF's own path, which decides between the field's default, null and
    leaving the field out."""

    def read(row):
        value = row
        for attr in attrs:
            if value is None:
                return field.get_attribute(row)
            value = getattr(value, attr)
            if isinstance(value, MethodType):
                value = value()
        return value

    return read


def _pk_reader(field: relations.PrimaryKeyRelatedField) -> Callable[[object], object]:
    """A related object's id, read from the row's `<relation>_id` without loading the object
    (DRF's own pk-only optimisation)."""
    path, last = _chain(field, field.source_attrs[:-1]), field.source_attrs[-1]

    def read(row):
        related = path(row)
        return None if related is None else related.serializable_value(last)

    return read


def _drf(field: serializers.Field) -> Callable[[object], object]:
    """A field DRF writes its own way (its own `get_attribute`), step by step as DRF does."""

    def write(row):
        attribute = field.get_attribute(row)
        check = attribute.pk if isinstance(attribute, relations.PKOnlyObject) else attribute
        return None if check is None else field.to_representation(attribute)

    return write


_PLAIN_READS = (serializers.Field.get_attribute, relations.RelatedField.get_attribute)


def _is_pk_only(field: serializers.Field) -> bool:
    return (
        _own(field, relations.PrimaryKeyRelatedField)
        and field.use_pk_only_optimization()
        and field.pk_field is None
    )


def _reads_plainly(field: serializers.Field) -> bool:
    """Whether DRF reads the field's value by following its `source` (a related field: only
    its id), so that the compiled path may read it the same way."""
    if type(field).get_attribute not in _PLAIN_READS:
        return False
    return not isinstance(field, relations.RelatedField) or _is_pk_only(field)


def _writer_of(field: serializers.Field, zone) -> Callable[[object], object]:
    """How one field writes a row: its value read and written by the compiled path where both
    are DRF's own, else DRF's path for that field."""
    if not _reads_plainly(field):
        return _drf(field)
    if field.source == "*":
        read = lambda row: row  # noqa: E731 - the field reads the whole row (a method field)
    else:
        read = _pk_reader(field) if _is_pk_only(field) else _chain(field, field.source_attrs)
    cell = _cell(field, zone)

    def write(row):
        value = read(row)
        return None if value is None else cell(value)

    return write


def _compile(fields, *, zone=None) -> Writer:
    plan = [(field.field_name, _writer_of(field, zone)) for field in fields if not field.write_only]

    def write(row) -> dict:
        out = {}
        for name, write_field in plan:
            try:
                out[name] = write_field(row)
            except SkipField:  # as DRF: the key is left out
                continue
        return out

    return write


def row_writer(serializer_class: type[serializers.Serializer]) -> Writer:
    """The compiled writer of `serializer_class`'s readable fields (plain attribute sources),
    made once per class: its fields need no context."""
    if serializer_class not in _writers:
        _writers[serializer_class] = _compile(serializer_class().fields.values())
    return _writers[serializer_class]


class CompiledRowSerializer(serializers.Serializer):
    """A row of a report whose fields are all plain attributes: written by `row_writer`."""

    def to_representation(self, instance) -> dict:
        return row_writer(type(self))(instance)


class CompiledListSerializer(serializers.ListSerializer):
    """A list of model rows written by a writer compiled from the child serializer's bound
    fields (once per list, so with the view's context), instead of DRF's path per row. A
    child that writes itself its own way (its own `to_representation`) keeps DRF's path.

    A child whose method fields and `source="*"` fields read nothing but the columns and
    annotations of the list's queryset sets `row_fields_read_columns_only = True`, so that its
    pages may be read as values even with such fields (`_values_rows`)."""

    def to_representation(self, data):
        rows = data.all() if isinstance(data, models.manager.BaseManager) else data
        child = self.child
        if type(child).to_representation is not serializers.Serializer.to_representation:
            return [child.to_representation(row) for row in rows]
        # Compiled within the request: its time zone is the one DRF's fields would use.
        zone = timezone.get_current_timezone()
        if isinstance(rows, models.QuerySet) and rows._result_cache is None:
            values = _values_rows(child, rows, zone)
            if values is not None:
                return values
        write = _compile(child.fields.values(), zone=zone)
        return [write(row) for row in rows]


def _loaded_fields(queryset: models.QuerySet) -> list[models.Field]:
    """The model's own columns that the queryset's instances would load (`only`, `defer`)."""
    names, defer = queryset.query.deferred_loading
    concrete = queryset.model._meta.concrete_fields
    if defer:
        return [field for field in concrete if field.name not in names]
    return [field for field in concrete if field.name in names or field.primary_key]


def _is_plain_column(field: models.Field) -> bool:
    """A column an instance holds as `values()` gives it (not a relation, whose instance
    attribute is the related object; not a file, whose attribute is a FieldFile)."""
    return field.concrete and not field.is_relation and field.descriptor_class is DeferredAttribute


def _is_forward_relation(field: models.Field) -> bool:
    """A foreign key or one-to-one of the model itself: one related row at most."""
    return field.concrete and (field.many_to_one or field.one_to_one)


def _source_column(field: serializers.Field, model, annotations) -> tuple[str, object] | None:
    """The `values()` name of a field's source (`car.numplate` → `car__numplate`) and the
    model field it reads (None for an annotation): a column of the model or of a model its
    required foreign keys reach, a relation's id for a pk-only field, a file's name; None for
    anything else (a property, a method, a reverse or many-to-many relation, a link that may be
    null, where DRF may leave the field out), which only an instance can answer."""
    attrs = field.source_attrs
    if len(attrs) == 1 and attrs[0] in annotations:
        return attrs[0], None
    *path, last = attrs
    try:
        for attr in path:
            relation = model._meta.get_field(attr)
            if not _is_forward_relation(relation) or relation.null:
                return None
            model = relation.related_model
        target = model._meta.get_field(last)
    except FieldDoesNotExist:
        return None
    readable = (
        _is_plain_column(target)
        or isinstance(target, models.FileField)
        or (_is_forward_relation(target) and _is_pk_only(field))
    )
    return (LOOKUP_SEP.join(attrs), target) if readable else None


def _passes_through(field: serializers.Field, column: str, target) -> bool:
    """Whether the field writes the column's value unchanged: a decimal the plan reads as its
    text, text and integer columns through their own fields or choices, booleans, a
    relation's id."""
    if column.endswith(AS_TEXT):
        return True  # (`_decimal_as_text`)
    if isinstance(field, AnnotatedMethodField):
        return True  # the annotation is the method's value
    if target is None or hasattr(target, "from_db_value"):
        return False
    if _is_forward_relation(target):
        return True  # a pk-only field (a foreign key, a one-to-one): the id itself
    if isinstance(target, models.BooleanField):
        return _own(field, serializers.BooleanField)
    if isinstance(target, models.CharField | models.TextField):
        return _own(field, serializers.CharField) or _own(field, serializers.ChoiceField)
    if isinstance(target, models.IntegerField):
        return _cell(field, None) is int or _own(field, serializers.ChoiceField)
    return False


_values_code: dict[str, CodeType] = {}


WriterFactory = Callable[[serializers.Serializer], Writer]


def _values_writer_factory(
    fields, columns: dict[str, int], sources: dict, zone, *, dates_for_orjson: bool = False
) -> WriterFactory:
    """A row writer over `values_list` rows, generated as one function (a dict built by
    position, a converter called only where the field changes the value), because per-cell
    closures cost more than the rest of the page.

    What it generates is `make(serializer)`, the writer for one serializer instance: what a
    field writes with the serializer's context (a method field, a field writing its own way, a
    file's URL) is taken from that instance each time, so one factory serves every request of a
    list (`core.page_sql` keeps it); the rest (choices, decimals, dates, plain values) is made
    once, from `fields`. When no field reads the instance, `make.reads_serializer` is False and
    `make(None)` serves as well (no serializer need be made).

    With `dates_for_orjson`, unless a field reads the instance, a date column's dates and a
    timestamptz column's datetimes that orjson writes as DRF does (in the field's zone, from
    `WHOLE_MINUTE_OFFSETS_SINCE` on) are left as values for the renderer to write, and the
    writer says so (`write.dates_for_orjson`, for `core.renderers.DATES_FOR_ORJSON`): orjson
    writes them in C, where making their text here costs more than the rest of the row."""
    names: dict[str, object] = {
        "_since": WHOLE_MINUTE_OFFSETS_SINCE,
        "SkipField": SkipField,
        "_writer_of": _writer_of,
        "_datetime_text": _datetime_text,
        "zone": zone,
        "_aware_text": aware_text,
    }
    make = ["def make(s):"]
    lines = ["    def write(row):", "        out = {}"]
    for number, field in enumerate(fields):
        key = repr(field.field_name)
        if field.field_name not in sources:  # a field of the whole row (`source="*"`)
            if _own(field, serializers.SerializerMethodField):
                make.append(f"    m{number} = getattr(s, {field.method_name!r})")
                lines.append(f"        out[{key}] = m{number}(row)")
                continue
            make.append(f"    w{number} = _writer_of(s.fields[{key}], zone)")
            lines += [
                "        try:",
                f"            out[{key}] = w{number}(row)",
                "        except SkipField:",
                "            pass",
            ]
            continue
        column, target = sources[field.field_name]
        value = f"row[{columns[column]}]"
        if _passes_through(field, column, target):
            lines.append(f"        out[{key}] = {value}")
            continue
        cell = _cell(field, zone)
        inline_datetime = _is_aware_column(target) and getattr(cell, "zone", None) is not None
        if getattr(cell, "__self__", None) is field:  # the field's own writing, with its context
            make.append(f"    c{number} = s.fields[{key}].to_representation")
        elif getattr(cell, "zone", None) is not None and not inline_datetime:
            # (it falls back to its field, which must be this request's, not the first one's)
            make.append(f"    c{number} = _datetime_text(s.fields[{key}], zone)")
        elif not inline_datetime:
            names[f"c{number}"] = cell
        if inline_datetime:
            # A timestamptz column gives aware datetimes (never text, never naive): DRF's text
            # in the field's zone, without `_datetime_text`'s checks for the other kinds.
            names[f"z{number}"] = cell.zone
            write = f"_aware_text(v, z{number})"
            if dates_for_orjson and _orjson_writes(cell.zone):
                write = f"v.astimezone(z{number}) if v >= _since else {write}"
            lines.append(f"        out[{key}] = None if (v := {value}) is None else {write}")
            continue
        if (
            cell is _iso
            and isinstance(target, models.DateField)
            and not isinstance(target, models.DateTimeField)
        ):
            # A date column gives dates (never text): DRF's ISO text, inline, or the date.
            if dates_for_orjson:
                lines.append(f"        out[{key}] = {value}")
            else:
                lines.append(
                    f"        out[{key}] = None if (v := {value}) is None else v.isoformat()"
                )
            continue
        if isinstance(target, models.FileField):  # its name, as the FieldFile DRF writes
            names[f"f{number}"] = lambda name, file_field=target: file_field.attr_class(
                None, file_field, name
            )
            value = f"f{number}({value})"
        lines.append(f"        out[{key}] = None if (v := {value}) is None else c{number}(v)")
    reads_serializer = len(make) > 1
    if dates_for_orjson and reads_serializer:
        # A value of a field's own making (a method field, a field writing its own way) may be
        # a datetime orjson would not write as DRF does: the renderer is not told to write the
        # page's dates itself, so they keep their text.
        return _values_writer_factory(fields, columns, sources, zone)
    source = "\n".join(
        [
            *make,
            *lines,
            "        return out",
            f"    write.dates_for_orjson = {dates_for_orjson!r}",
            "    return write",
        ]
    )
    if source not in _values_code:  # the same list asked again: its code is compiled once
        _values_code[source] = compile(source, "<values row writer>", "exec")
    exec(_values_code[source], names)  # noqa: S102 - the code is made here from field positions
    names["make"].reads_serializer = reads_serializer  # else `make(None)` does as well
    return names["make"]


@dataclass(frozen=True)
class ValuesPlan:
    """How a queryset's rows are read as `values_list` rows for a serializer's fields."""

    columns: dict[str, int]  # the `values_list` names, by their position in a row
    sources: dict[str, tuple[str, object]]  # a field's column and the model field it reads
    by_name: bool  # a field of the whole row reads it by attribute name (a named tuple)


def values_plan(serializer: serializers.Serializer, queryset: models.QuerySet) -> ValuesPlan | None:
    """How to read the queryset's rows as values for the serializer's fields (making 100
    instances costs more than the query), or None when a field needs an instance.

    A field DRF reads by its source reads its column. A field of the whole row (a method
    field, `source="*"`) gets the row as a named tuple of the columns an instance would have
    loaded (by attribute name: `car_id`, `end_date`) and the queryset's annotations, but only
    when its serializer says that is all they read (`row_fields_read_columns_only`: a tuple has no
    relations, methods or `pk`); any other field with its own way of reading (a slug or string
    related field, a many-related one) needs the instance."""
    query = queryset.query
    if query.combinator or query.distinct or query.values_select:
        return None  # its rows are not one per instance, or are values already
    fields = [field for field in serializer.fields.values() if not field.write_only]
    row_reads_columns = getattr(serializer, "row_fields_read_columns_only", False)
    annotations = query.annotation_select
    columns: dict[str, int] = {}
    sources: dict[str, tuple] = {}
    for field in fields:
        if not _reads_plainly(field):
            return None  # it reads the instance its own way
        if isinstance(field, AnnotatedMethodField) and field.annotation in annotations:
            sources[field.field_name] = (field.annotation, None)
            columns.setdefault(field.annotation, len(columns))
            continue
        if field.source == "*":
            if not row_reads_columns:
                return None
            continue
        source = _source_column(field, queryset.model, annotations)
        if source is None:
            return None
        if _decimal_as_text(field, source[1]):
            source = (f"{source[0]}{AS_TEXT}", source[1])
        sources[field.field_name] = source
        columns.setdefault(source[0], len(columns))
    by_name = len(sources) < len(fields)
    if by_name:
        loaded = [
            field.attname
            for field in _loaded_fields(queryset)
            if _is_plain_column(field) or _is_forward_relation(field)
        ]
        for name in loaded + list(annotations):
            columns.setdefault(name, len(columns))
    return ValuesPlan(columns=columns, sources=sources, by_name=by_name)


AS_TEXT = "__as_text"  # a column read as PostgreSQL's text of it (`_decimal_as_text`)


def _decimal_as_text(field: serializers.Field, target) -> bool:
    """Whether a decimal column's text in PostgreSQL is what its field writes: a numeric of the
    field's own scale prints every one of its places, as DRF's quantized text does, so the
    column is read as text rather than parsed into a Decimal and written back."""
    if isinstance(target, models.GeneratedField):  # (a repair's total: parts + work)
        target = target.output_field
    return (
        isinstance(target, models.DecimalField)
        and not hasattr(target, "from_db_value")
        and _own(field, serializers.DecimalField)
        and getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        and not field.localize
        and not field.normalize_output
        and field.decimal_places == target.decimal_places
        and (field.max_digits is None or target.max_digits <= field.max_digits)
    )


def selected(plan: ValuesPlan) -> list:
    """What `values_list` selects for the plan's columns, in their order."""
    return [
        Cast(name.removesuffix(AS_TEXT), models.TextField()) if name.endswith(AS_TEXT) else name
        for name in plan.columns
    ]


def values_writer_factory(
    fields, plan: ValuesPlan, zone, *, dates_for_orjson: bool = False
) -> WriterFactory:
    """The writer of rows read by `plan` for a serializer with these fields (bound to one of
    its instances), as `make(serializer)`: see `_values_writer_factory`."""
    fields = [field for field in fields if not field.write_only]
    return _values_writer_factory(
        fields, plan.columns, plan.sources, zone, dates_for_orjson=dates_for_orjson
    )


def _values_rows(
    serializer: serializers.Serializer, queryset: models.QuerySet, zone
) -> list[dict] | None:
    """The queryset's rows written from `values_list` rows for `serializer` (a list's child),
    or None when a field needs an instance (`values_plan`)."""
    plan = values_plan(serializer, queryset)
    if plan is None:
        return None
    write = values_writer_factory(serializer.fields.values(), plan, zone)(serializer)
    return [write(row) for row in queryset.values_list(*selected(plan), named=plan.by_name)]
