"""Rows written as their serializer's fields would write them, by a function compiled once per
serializer class: a report may have tens of thousands of rows, and DRF's field-by-field path
(bound fields, `get_attribute`, `to_representation` per cell) costs more than the query. The
output is the fields' own (tests compare the two); a field of a kind not listed here keeps its
own `to_representation`."""

import operator
from collections.abc import Callable
from decimal import Decimal

from rest_framework import serializers
from rest_framework.settings import api_settings

Writer = Callable[[object], dict]
_writers: dict[type, Writer] = {}


def _own(field: serializers.Field, kind: type[serializers.Field]) -> bool:
    """Whether `field` is a `kind` that writes as `kind` does (not a subclass of its own)."""
    return isinstance(field, kind) and type(field).to_representation is kind.to_representation


def _cell(field: serializers.Field) -> Callable[[object], object]:
    """How one field writes a value that is not None."""
    if _own(field, serializers.ChoiceField):
        choices = field.choice_strings_to_values
        return lambda value: choices.get(str(value), value)
    if _own(field, serializers.CharField):
        return str
    if _own(field, serializers.IntegerField):
        return int
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


def row_writer(serializer_class: type[serializers.Serializer]) -> Writer:
    """The compiled writer of `serializer_class`'s readable fields (plain attribute sources)."""
    if serializer_class not in _writers:
        fields = [
            (name, operator.attrgetter(field.source), _cell(field))
            for name, field in serializer_class().fields.items()
            if not field.write_only
        ]

        def write(row) -> dict:
            out = {}
            for name, read, cell in fields:
                value = read(row)
                out[name] = None if value is None else cell(value)
            return out

        _writers[serializer_class] = write
    return _writers[serializer_class]


class CompiledRowSerializer(serializers.Serializer):
    """A row of a report whose fields are all plain attributes: written by `row_writer`."""

    def to_representation(self, instance) -> dict:
        return row_writer(type(self))(instance)
