"""The compiled row writer (`shared_apps.core.rows`) writes a row exactly as the serializer's
fields would, field by field, for every kind of field it compiles and for those it does not."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo, available_timezones

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers

from shared_apps.core.rows import (
    WHOLE_MINUTE_OFFSETS_SINCE,
    CompiledListSerializer,
    CompiledRowSerializer,
    aware_text,
    row_writer,
)
from tenant_apps.fleet.models import Spare
from tenant_apps.reports.serializers import (
    CostRowSerializer,
    FuelRowSerializer,
    OwnershipRowSerializer,
)
from tests.factories import SpareFactory


class Shouting(serializers.CharField):
    def to_representation(self, value):
        return str(value).upper()


class Every(CompiledRowSerializer):
    text = serializers.CharField(allow_null=True)
    number = serializers.IntegerField(allow_null=True)
    money = serializers.DecimalField(max_digits=None, decimal_places=2, allow_null=True)
    even = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)
    raw = serializers.DecimalField(
        max_digits=12, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    kind = serializers.ChoiceField(choices=[("a", "A"), ("1", "One")], allow_null=True)
    day = serializers.DateField(allow_null=True)
    shout = Shouting(allow_null=True)


@dataclass
class Row:
    text: object = None
    number: object = None
    money: object = None
    even: object = None
    raw: object = None
    kind: object = None
    day: object = None
    shout: object = None


def field_by_field(serializer_class, row) -> dict:
    return serializers.Serializer.to_representation(serializer_class(), row)


ROWS = [
    Row(),
    Row(
        "x", 3, Decimal("12.505"), Decimal("0.25"), Decimal("1.005"), "a", dt.date(2026, 3, 1), "q"
    ),
    Row(7, "4", 12.5, Decimal("0.35"), 2, 1, dt.date(2026, 12, 31), "Ok"),
    Row("", 0, Decimal("-0.005"), Decimal("-0.05"), Decimal("0"), "zz", dt.date(2000, 1, 1), ""),
]


def test_every_kind_of_field_is_written_as_its_field_writes_it():
    for row in ROWS:
        assert Every(row).data == field_by_field(Every, row)
    # As the field rounds it (DRF: the context's half even; the reports round half up before).
    assert row_writer(Every)(ROWS[1])["money"] == "12.50"


def test_the_report_rows_are_written_as_their_fields_write_them():
    values = {
        "period": "2026-03", "car": 7, "numplate": "01KG001AAA", "fuel_type": "petrol",
        "liters": Decimal("12.345"), "cost": Decimal("100"), "mileage_km": 420,
        "liters_without_mileage": Decimal("0"), "avg_consumption_l_per_100km": None,
        "parts": Decimal("1.5"), "work": Decimal("2"), "tires": Decimal("0.004"),
        "accumulators": Decimal("0"), "inspections": Decimal("10"), "total": Decimal("13.504"),
        "fuel": Decimal("5"), "insurance": Decimal("7.125"), "cost_per_km": Decimal("0.0325"),
    }  # fmt: skip
    row = type("ReportRow", (), values)()
    for serializer_class in (FuelRowSerializer, CostRowSerializer, OwnershipRowSerializer):
        assert serializer_class(row).data == field_by_field(serializer_class, row)


class Stamped(CompiledRowSerializer):
    at = serializers.DateTimeField(allow_null=True)


@dataclass
class Stamp:
    at: object = None


@pytest.mark.parametrize("zone", ["UTC", "Asia/Bishkek", "America/St_Johns"])
def test_a_datetime_is_written_in_the_active_zone_as_drf_writes_it(zone):
    """A report row's writer outlives a request: its datetimes ask the zone each time (DRF's
    path); a list's writer is compiled in the request and takes the zone once."""
    stamps = [
        Stamp(),
        Stamp(dt.datetime(2026, 3, 1, 23, 30, 15, 123456, tzinfo=dt.UTC)),
        Stamp(dt.datetime(2026, 7, 1, 5, 0, tzinfo=ZoneInfo("Europe/Berlin"))),
        Stamp(dt.datetime(2026, 1, 2, 3, 4, 5)),  # naive: DRF's own path
        Stamp("2026-01-01T00:00:00Z"),  # a text: as it is
    ]
    with timezone.override(zone):
        for stamp in stamps:
            assert Stamped(stamp).data == field_by_field(Stamped, stamp)
    with timezone.override("UTC"):
        assert Stamped(stamps[1]).data == {"at": "2026-03-01T23:30:15.123456Z"}


ZONES = sorted(available_timezones())


def test_every_zones_offset_is_whole_minutes_since_orjson_writes_its_datetimes():
    """`aware_text` lets orjson write datetimes from WHOLE_MINUTE_OFFSETS_SINCE on: every zone
    of this machine's tz database must keep whole minutes from then (sampled every 30 days up
    to 2100, past the last transition of the tables)."""
    instants = [
        WHOLE_MINUTE_OFFSETS_SINCE + dt.timedelta(days=days) for days in range(0, 46_000, 30)
    ]
    with_seconds = {
        (name, instant.isoformat())
        for name in ZONES
        for instant in instants
        if instant.astimezone(ZoneInfo(name)).utcoffset().seconds % 60
    }
    assert with_seconds == set()
    assert dt.datetime(1972, 1, 6, tzinfo=dt.UTC).astimezone(
        ZoneInfo("Africa/Monrovia")
    ).utcoffset() == -dt.timedelta(minutes=44, seconds=30)  # the last offset with seconds


@pytest.mark.parametrize(
    "instant",
    [
        dt.datetime(1900, 7, 5, 3, 4, 5, 120000, tzinfo=dt.UTC),  # local mean times
        dt.datetime(1972, 6, 30, 23, 59, 59, 999999, tzinfo=dt.UTC),
        WHOLE_MINUTE_OFFSETS_SINCE,
        dt.datetime(2026, 3, 29, 0, 59, 59, tzinfo=dt.UTC),  # Europe's clocks go forward
        dt.datetime(2026, 10, 25, 0, 30, 0, 1, tzinfo=dt.UTC),  # the hour that repeats
        dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 30, tzinfo=dt.UTC),
    ],
)
def test_an_aware_datetime_is_written_in_every_zone_as_drf_writes_it(instant):
    for name in ZONES:
        zone = ZoneInfo(name)
        field = serializers.DateTimeField(default_timezone=zone)
        assert (name, aware_text(instant, zone)) == (name, field.to_representation(instant))


class PlainStamped(serializers.Serializer):
    at = serializers.DateTimeField(allow_null=True)

    class Meta:
        list_serializer_class = CompiledListSerializer


@pytest.mark.parametrize("zone", ["UTC", "Asia/Bishkek", "America/St_Johns"])
def test_a_lists_datetimes_are_written_in_the_zone_of_its_request(zone):
    stamps = [
        Stamp(dt.datetime(2026, 3, 1, 23, 30, 15, 123456, tzinfo=dt.UTC)),
        Stamp(dt.datetime(2026, 7, 1, 5, 0, tzinfo=ZoneInfo("Europe/Berlin"))),
        Stamp(dt.datetime(2026, 1, 2, 3, 4, 5)),
        Stamp("2026-01-01T00:00:00Z"),
        Stamp(),
    ]
    listed = PlainStamped(many=True)
    assert isinstance(listed, CompiledListSerializer)
    with timezone.override(zone):
        assert listed.to_representation(stamps) == [field_by_field(Stamped, s) for s in stamps]


class SparePrices(serializers.ModelSerializer):
    total_price = serializers.DecimalField(max_digits=13, decimal_places=2, read_only=True)

    class Meta:
        model = Spare
        fields = ["part_price", "work_price", "total_price"]
        list_serializer_class = CompiledListSerializer


class SparePricesToThreePlaces(SparePrices):
    part_price = serializers.DecimalField(max_digits=14, decimal_places=3)


class SparePricesAsNumbers(SparePrices):
    part_price = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False)


@pytest.mark.parametrize(
    ("serializer_class", "part_price", "as_text"),
    [
        (SparePrices, "0.50", True),  # numeric(12, 2): PostgreSQL prints the field's two places
        (SparePricesToThreePlaces, "0.500", False),  # three places: quantized by the writer
        (SparePricesAsNumbers, Decimal("0.50"), False),
    ],
)
def test_a_decimal_column_is_read_as_text_only_where_its_text_is_what_the_field_writes(
    in_acme, serializer_class, part_price, as_text
):
    SpareFactory(part_price=Decimal("0.5"), work_price=Decimal("1200"))
    with CaptureQueriesContext(connection) as queries:
        rows = serializer_class(Spare.objects.all(), many=True).data

    assert rows == [{"part_price": part_price, "work_price": "1200.00", "total_price": "1200.50"}]
    assert ('"part_price")::text' in queries[-1]["sql"]) is as_text
    assert '"work_price")::text' in queries[-1]["sql"]
    assert '"total_price")::text' in queries[-1]["sql"]  # a generated column, of the same scale


ODD_OFFSET = dt.timezone(dt.timedelta(hours=1, seconds=15))  # a fixed offset with seconds


class SpareStampedAtAnOddOffset(serializers.ModelSerializer):
    created_at = serializers.DateTimeField(default_timezone=ODD_OFFSET)

    class Meta:
        model = Spare
        fields = ["created_at"]
        list_serializer_class = CompiledListSerializer


def test_a_fixed_offset_with_seconds_is_written_as_drf_writes_it(in_acme):
    """orjson would round `+01:00:15` at any date: such a zone keeps `isoformat`."""
    spare = SpareFactory()
    spare.created_at = dt.datetime(2026, 5, 1, 12, 0, 0, 5, tzinfo=dt.UTC)
    Spare.objects.filter(pk=spare.pk).update(created_at=spare.created_at)
    drf = serializers.DateTimeField(default_timezone=ODD_OFFSET).to_representation

    assert aware_text(spare.created_at, ODD_OFFSET) == "2026-05-01T13:00:15.000005+01:00:15"
    assert SpareStampedAtAnOddOffset(Spare.objects.all(), many=True).data == [
        {"created_at": drf(spare.created_at)}
    ]
    assert drf(spare.created_at) == "2026-05-01T13:00:15.000005+01:00:15"
