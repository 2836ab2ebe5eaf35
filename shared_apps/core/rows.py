"""Rows written as their serializer's fields would write them, by a function compiled from the
fields once: a list page or a report may have thousands of rows, and DRF's field-by-field path
(`get_attribute`, `to_representation` and the bookkeeping around them, per cell) costs more
than the query. The output is the fields' own (tests compare the two, byte for byte, for every
list endpoint); a field of a kind not listed in `_cell` keeps its own `to_representation`, and
a field with its own way of reading (`get_attribute`) DRF's whole path, both bound to the same
serializer (so with its context: the request for a file's URL, the company's today).

Two uses: `CompiledRowSerializer`, a report's row of plain attributes (compiled once per class);
`CompiledListSerializer`, `many=True` of a model serializer (compiled once per list, from the
child serializer as the view made it)."""

from collections.abc import Callable
from decimal import Decimal
from types import MethodType

from django.db import models
from django.utils import timezone
from rest_framework import relations, serializers
from rest_framework.fields import SkipField
from rest_framework.settings import ISO_8601, api_settings

Writer = Callable[[object], dict]
_writers: dict[type, Writer] = {}


def _own(field: serializers.Field, kind: type[serializers.Field]) -> bool:
    """Whether `field` is a `kind` that writes as `kind` does (not a subclass of its own)."""
    return isinstance(field, kind) and type(field).to_representation is kind.to_representation


def _iso(value) -> str:
    return value if isinstance(value, str) else value.isoformat()


def _datetime_text(field: serializers.DateTimeField, zone) -> Callable[[object], object]:
    """DRF's ISO 8601 in its time zone (the field's, else `zone`: the one active when the
    writer was compiled); a naive value or a text takes DRF's own path."""
    zone = getattr(field, "timezone", None) or zone

    def write(value):
        if isinstance(value, str) or value.tzinfo is None:
            return field.to_representation(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return write


def _cell(field: serializers.Field, zone) -> Callable[[object], object]:
    """How one field writes a value that is not None (`zone`: the active time zone, None when
    the writer outlives a request and must ask each time, as DRF does)."""
    if _own(field, serializers.ChoiceField):
        choices = field.choice_strings_to_values
        return lambda value: choices.get(str(value), value)
    if _own(field, serializers.CharField):
        return str
    if _own(field, serializers.IntegerField):
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
        quantize = field.quantize  # the field's own rounding and places

        def decimal_text(value) -> str:
            if not isinstance(value, Decimal):
                value = Decimal(str(value).strip())
            return f"{quantize(value):f}"

        return decimal_text
    return field.to_representation


def _chain(attrs: list[str]) -> Callable[[object], object]:
    """`a.b.c` read as DRF reads a source: None as soon as a link is None (an optional
    relation), a method called."""

    def read(row):
        for attr in attrs:
            if row is None:
                return None
            row = getattr(row, attr)
            if isinstance(row, MethodType):
                row = row()
        return row

    return read


def _pk_reader(field: relations.PrimaryKeyRelatedField) -> Callable[[object], object]:
    """A related object's id, read from the row's `<relation>_id` without loading the object
    (DRF's own pk-only optimisation)."""
    path, last = _chain(field.source_attrs[:-1]), field.source_attrs[-1]

    def read(row):
        row = path(row)
        return None if row is None else row.serializable_value(last)

    return read


def _drf(field: serializers.Field) -> Callable[[object], object]:
    """A field DRF writes its own way (its own `get_attribute`), step by step as DRF does."""

    def write(row):
        attribute = field.get_attribute(row)
        check = attribute.pk if isinstance(attribute, relations.PKOnlyObject) else attribute
        return None if check is None else field.to_representation(attribute)

    return write


_PLAIN_READS = (serializers.Field.get_attribute, relations.RelatedField.get_attribute)


def _writer_of(field: serializers.Field, zone) -> Callable[[object], object]:
    """How one field writes a row: its value read and written by the compiled path where both
    are DRF's own, else DRF's path for that field."""
    if type(field).get_attribute not in _PLAIN_READS:
        return _drf(field)
    pk_only = (
        _own(field, relations.PrimaryKeyRelatedField)
        and field.use_pk_only_optimization()
        and field.pk_field is None
    )
    if isinstance(field, relations.RelatedField) and not pk_only:
        return _drf(field)
    if field.source == "*":
        read = lambda row: row  # noqa: E731 - the field reads the whole row (a method field)
    else:
        read = _pk_reader(field) if pk_only else _chain(field.source_attrs)
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
    child that writes itself its own way (its own `to_representation`) keeps DRF's path."""

    def to_representation(self, data):
        rows = data.all() if isinstance(data, models.manager.BaseManager) else data
        child = self.child
        if type(child).to_representation is not serializers.Serializer.to_representation:
            return [child.to_representation(row) for row in rows]
        # Compiled within the request: its time zone is the one DRF's fields would use.
        write = _compile(child.fields.values(), zone=timezone.get_current_timezone())
        return [write(row) for row in rows]
