"""The API's JSON writer (orjson) writes what DRF's JSONRenderer writes, byte for byte."""

import datetime as dt
import decimal
import ipaddress
import uuid
from collections import OrderedDict
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import gettext_lazy, override
from rest_framework import renderers
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from shared_apps.core.renderers import DATES_FOR_ORJSON, JSONRenderer
from tests.factories import CarFactory

BISHKEK = ZoneInfo("Asia/Bishkek")

VALUES = {
    "plain": {"id": 1, "numplate": "01KG123ABC", "active": True, "driver": None, "x": -0.5},
    "unicode": {"title": "Тойота Камри — Бишкек", "ky": "күйүүчү май ңөү", "emoji": "🚗"},
    "separators": ["a\u2028b", "c\u2029d", "\u2028\u2029"],
    "escapes": ['quote " backslash \\ tab \t newline \n nul \x00 bell \x07 del \x7f'],
    "datetimes": [
        dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 30, 12, 0, 5, 123456, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 30, 18, 0, tzinfo=BISHKEK),
        dt.datetime(2026, 11, 30, 12, 0, 0, 1),
    ],
    "dates and times": [dt.date(2026, 2, 28), dt.time(8, 30), dt.time(8, 30, 0, 250)],
    "other types": [
        decimal.Decimal("12.50"),
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
        dt.timedelta(days=1, seconds=3),
        ipaddress.ip_address("127.0.0.1"),
        b"bytes",
        {3, 1, 2},
        (1, "two"),
        frozenset(),
    ],
    "lazy": {"label": gettext_lazy("Cars")},
    "error": {"errors": [{"code": "invalid", "detail": ErrorDetail("Wrong.", code="invalid")}]},
    "containers": ReturnDict(
        {"results": ReturnList([OrderedDict(a=1)], serializer=None)}, serializer=None
    ),
    "numbers": [0, -1, 2**63 - 1, -(2**63), 1.0, 3.14, 0.1 + 0.2, 1e15, 123456.789],
    "keys": {1: "int key", "s": "str key"},
    "nested": [[[{"deep": [1, [2, [3]]]}]]],
    "empty": [{}, [], "", 0, False],
}


@pytest.mark.parametrize("name", VALUES)
def test_it_writes_what_drf_writes(name):
    with override("ru"):
        ours = JSONRenderer().render(VALUES[name], "application/json")
        drf = renderers.JSONRenderer().render(VALUES[name], "application/json")
    assert ours == drf


def test_line_and_paragraph_separators_are_escaped():
    assert JSONRenderer().render(["a\u2028b\u2029"]) == b'["a\\u2028b\\u2029"]'


def test_nothing_is_written_for_none():
    assert JSONRenderer().render(None) == b""


def test_pretty_printing_is_drfs():
    data = {"a": [1, {"b": "ü"}]}
    ours = JSONRenderer().render(data, "application/json; indent=2")
    assert ours == renderers.JSONRenderer().render(data, "application/json; indent=2")
    assert ours == '{\n  "a": [\n    1,\n    {\n      "b": "ü"\n    }\n  ]\n}'.encode()


@pytest.mark.parametrize(
    ("media_type", "context"),
    [
        (None, {}),
        ("application/json", {}),
        ("application/json", {"indent": 3}),  # as the browsable API asks
        ("application/json; indent=4", {}),
        ("application/json; indent=0", {}),
        ("application/json; indent=abc", {"indent": 2}),
        ("application/json; charset=utf-8", {}),
    ],
)
def test_the_indent_is_drfs_for_every_media_type(media_type, context):
    assert JSONRenderer().get_indent(media_type, context) == renderers.JSONRenderer().get_indent(
        media_type, context
    )


def test_what_orjson_cannot_write_takes_drfs_path():
    assert JSONRenderer().render({"big": 2**64}) == b'{"big":18446744073709551616}'
    deep = [1]
    for _ in range(300):  # deeper than orjson's limit of 254
        deep = [deep]
    assert JSONRenderer().render(deep) == b"[" * 301 + b"1" + b"]" * 301


def test_the_documented_differences():
    assert JSONRenderer().render([1e16, 1.5e-7]) == b"[1e+16,1.5e-7]"
    assert renderers.JSONRenderer().render([1e16, 1.5e-7]) == b"[1e+16,1.5e-07]"
    assert JSONRenderer().render([float("nan")]) == b"[null]"
    with pytest.raises(ValueError, match="JSON compliant"):
        renderers.JSONRenderer().render([float("nan")])


def test_the_api_answers_with_it(acme_as, in_acme):
    car = CarFactory(title="Камри\u2028")
    response = acme_as().get(f"/api/v1/cars/{car.pk}/")
    assert response.status_code == 200
    assert response.content == renderers.JSONRenderer().render(response.data)
    assert b"\\u2028" in response.content


def _flagged_response(flag: bool) -> Response:
    response = Response()
    if flag:
        setattr(response, DATES_FOR_ORJSON, True)
    return response


@pytest.mark.parametrize("flag", [False, True])
def test_a_response_may_leave_its_dates_to_orjson(flag):
    """What DRF's encoder and orjson write alike (dates, aware datetimes of whole-minute offsets,
    `Z` for UTC) is the same text either way; an offset with seconds (Amsterdam in 1930) is where
    they part, and shows which one wrote it: such a value is never in a flagged response."""
    amsterdam = ZoneInfo("Europe/Amsterdam")
    instant = dt.datetime(2026, 11, 30, 19, 5, 7, 250, tzinfo=dt.UTC)
    alike = [
        dt.date(2026, 12, 1),
        instant,
        instant.astimezone(BISHKEK),
        instant.replace(microsecond=0),
    ]
    context = {"response": _flagged_response(flag)}
    assert JSONRenderer().render(alike, renderer_context=context) == (
        b'["2026-12-01","2026-11-30T19:05:07.000250Z","2026-12-01T01:05:07.000250+06:00",'
        b'"2026-11-30T19:05:07Z"]'
    )
    odd = dt.datetime(1930, 5, 1, 12, 0, tzinfo=dt.UTC).astimezone(amsterdam)
    written = JSONRenderer().render([odd], renderer_context=context)
    assert written == (
        b'["1930-05-01T12:19:32+00:20"]' if flag else b'["1930-05-01T12:19:32+00:19:32"]'
    )
