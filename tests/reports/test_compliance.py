"""Compliance (CONTRACT §9): may each car in service be on the road today, and what falls due
next? Each case is one a fleet manager can check by hand against a calendar; dates are counted
from today in Asia/Bishkek (the companies' timezone), the warning window is acme's 30 days.
Files, exports, the car detail and the assistant: test_compliance_readers.py."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared_apps.accounts.roles import Role
from tenant_apps.fleet.compliance import SOURCES, Obligation
from tenant_apps.fleet.models import Accumulator, Car, Inspection, Insurance, Kit
from tests.factories import (
    AccumulatorFactory,
    CarFactory,
    InspectionFactory,
    InsuranceFactory,
    KitFactory,
)
from tests.reports.compliance_data import (
    COMPLIANCE,
    FLEET_COUNTS,
    UNDATED,
    battery,
    body,
    build_fleet,
    car,
    counts,
    covered,
    day,
    fleet_rows,
    inspection,
    kit,
    policy,
    report,
    row,
)
from tests.reports.test_reports import only_error


@pytest.fixture
def reader(acme_as):
    """Every role reads the report; most tests read as the least privileged one."""
    return acme_as(Role.GUEST)


# --- Statuses -------------------------------------------------------------------------------------


def test_a_lapse_before_a_later_renewal_is_expired(reader, in_acme):
    """The issue's reproduction: OSAGO lapsed 5 days ago, the renewal starts in 20 days. The car
    is uncovered today: `expired`, due the day it lapsed. Nothing else is recorded for it, so its
    inspection and kit items are `missing` (worst, first)."""
    a = car("01KG005EEE")
    lapsed = policy(a, -370, -5)
    policy(a, 20, 384)

    assert report(reader) == body(
        [
            row(a, "inspection", "missing"),
            row(a, "fire_extinguisher", "missing"),
            row(a, "first_aid_kit", "missing"),
            row(a, "osago", "expired", -5, lapsed),
        ],
        counts(missing=3, expired=1),
    )


def test_a_car_without_any_document_is_missing_everything_required(reader, in_acme):
    """No policy, no inspection, no kit: four `missing` rows, and no CASCO or battery row (those
    only where recorded)."""
    bare = car("01KG001AAA")

    assert report(reader) == body(
        [
            row(bare, "osago", "missing"),
            row(bare, "inspection", "missing"),
            row(bare, "fire_extinguisher", "missing"),
            row(bare, "first_aid_kit", "missing"),
        ],
        counts(missing=4),
    )


def test_a_document_yet_to_start_is_missing_until_its_first_day(reader, in_acme):
    """A first policy that starts in 10 days covers nothing yet: `missing`, due the day it
    starts. One that starts today covers today."""
    later, today = car("01KG001AAA"), car("01KG002BBB")
    first = policy(later, 10, 374)
    started = policy(today, 0, 364)

    assert report(reader, obligation="osago")["rows"] == [
        row(later, "osago", "missing", 10, first),
        row(today, "osago", "active", 364, started),
    ]


def test_renewals_without_a_gap_are_one_cover(reader, in_acme):
    """A: OSAGO ends in 10 days, the renewal starts the day after: covered for 375 days, due
    the renewal's last day. B: the renewal starts a day later, so nobody covers day 11: B's cover
    ends in 10 days, `expiring`. C: two overlapping policies, both started: the later end."""
    a, b, c = car("01KG001AAA"), car("01KG002BBB"), car("01KG003CCC")
    policy(a, -355, 10)
    renewal = policy(a, 11, 375)
    ending = policy(b, -355, 10)
    policy(b, 12, 376)
    policy(c, -300, 65)
    overlapping = policy(c, -10, 355)

    assert report(reader, obligation="osago")["rows"] == [
        row(b, "osago", "expiring", 10, ending),
        row(c, "osago", "active", 355, overlapping),
        row(a, "osago", "active", 375, renewal),
    ]


def test_expired_is_due_the_day_the_last_cover_ended(reader, in_acme):
    a = car("01KG001AAA")
    policy(a, -800, -436)
    last = policy(a, -430, -70)
    inspection(a, -500, -135)
    certificate = inspection(a, -134, -1)

    assert report(reader, car=a.pk)["rows"][2:] == [
        row(a, "osago", "expired", -70, last),
        row(a, "inspection", "expired", -1, certificate),
    ]


def test_the_warning_window_and_its_edges(reader, in_acme):
    """Acme's window is 30 days: ending today or in 30 days is `expiring`, in 31 days `active`;
    `days` widens or narrows it."""
    edge, beyond, last_day = car("01KG001AAA"), car("01KG002BBB"), car("01KG003CCC")
    p30, p31, p0 = policy(edge, -335, 30), policy(beyond, -334, 31), policy(last_day, -365, 0)

    default = report(reader, obligation="osago")
    wider = report(reader, obligation="osago", days=31)
    none = report(reader, obligation="osago", days=0)

    assert default == body(
        [
            row(last_day, "osago", "expiring", 0, p0),
            row(edge, "osago", "expiring", 30, p30),
            row(beyond, "osago", "active", 31, p31),
        ],
        counts(expiring=2, active=1),
        obligation="osago",
    )
    assert [r["status"] for r in wider["rows"]] == ["expiring", "expiring", "expiring"]
    assert (wider["days"], wider["counts"]) == (31, counts(expiring=3))
    assert [r["status"] for r in none["rows"]] == ["expiring", "active", "active"]


def test_the_default_window_is_the_companys(reader, acme, in_acme):
    acme.expiry_warning_days = 60
    acme.save(update_fields=["expiry_warning_days"])
    a = car("01KG001AAA")
    p = policy(a, -320, 45)

    assert report(reader, obligation="osago") == body(
        [row(a, "osago", "expiring", 45, p)], counts(expiring=1), days=60, obligation="osago"
    )


# --- Kit items, CASCO, battery warranty -----------------------------------------------------------


@pytest.fixture
def kits(in_acme) -> dict:
    """K0 has no kit; K1's kit lacks an extinguisher and has a first-aid kit without a date; K2's
    extinguisher expired yesterday, its first-aid kit expires in 30 days; K3's extinguisher in 31
    days, its first-aid kit today."""
    cars = {name: car(f"01KG00{i}KIT") for i, name in enumerate(("K0", "K1", "K2", "K3"))}
    return {
        **cars,
        "kit1": kit(cars["K1"], fire=None, first_aid=UNDATED),
        "kit2": kit(cars["K2"], fire=-1, first_aid=30),
        "kit3": kit(cars["K3"], fire=31, first_aid=0),
    }


def test_fire_extinguisher_absent_expired_or_active(reader, kits):
    k = kits

    assert report(reader, obligation="fire_extinguisher")["rows"] == [
        row(k["K0"], "fire_extinguisher", "missing"),  # no kit at all
        row(k["K1"], "fire_extinguisher", "missing", document=k["kit1"]),  # not in the kit
        row(k["K2"], "fire_extinguisher", "expired", -1, k["kit2"]),
        row(k["K3"], "fire_extinguisher", "active", 31, k["kit3"]),
    ]


def test_first_aid_kit_expiring_or_present_without_a_date(reader, kits):
    k = kits

    assert report(reader, obligation="first_aid_kit")["rows"] == [
        row(k["K0"], "first_aid_kit", "missing"),
        row(k["K3"], "first_aid_kit", "expiring", 0, k["kit3"]),
        row(k["K2"], "first_aid_kit", "expiring", 30, k["kit2"]),
        row(k["K1"], "first_aid_kit", "active", None, k["kit1"]),  # undated: last
    ]


def test_battery_warranty_only_where_the_battery_on_the_car_has_one(reader, in_acme):
    """B1's battery with a lapsed warranty was replaced 30 days ago by one with 700 days left.
    B2's battery has no warranty date; B3's old battery had one, its new one has none: no rows.
    B4's lapsed 5 days ago; B5's ends in 20 days."""
    b1, b2, b3, b4, b5 = (car(f"01KG00{i}BAT") for i in range(1, 6))
    battery(b1, -400, -10)
    replaced = battery(b1, -30, 700)
    battery(b2, -100, None)
    battery(b3, -400, 100)
    battery(b3, -20, None)
    lapsed = battery(b4, -700, -5)
    ending = battery(b5, -10, 20)

    assert report(reader, obligation="battery_warranty")["rows"] == [
        row(b4, "battery_warranty", "expired", -5, lapsed),
        row(b5, "battery_warranty", "expiring", 20, ending),
        row(b1, "battery_warranty", "active", 700, replaced),
    ]


def test_casco_only_where_the_car_has_had_a_policy(reader, in_acme):
    """C1's CASCO lapsed 40 days ago and was not renewed; C2 never had CASCO (OSAGO only); C3's
    ends in 20 days."""
    c1, c2, c3 = car("01KG001CAS"), car("01KG002CAS"), car("01KG003CAS")
    lapsed = policy(c1, -405, -40, kind="casco")
    policy(c2, -100, 265)
    ending = policy(c3, -345, 20, kind="casco")

    assert report(reader, obligation="casco")["rows"] == [
        row(c1, "casco", "expired", -40, lapsed),
        row(c3, "casco", "expiring", 20, ending),
    ]
    assert [r["obligation"] for r in report(reader, car=c2.pk)["rows"]] == [
        "inspection",
        "fire_extinguisher",
        "first_aid_kit",
        "osago",
    ]


# --- Scope, order, counts, filters ----------------------------------------------------------------


def test_a_decommissioned_cars_old_policy_is_left_out_unless_asked(reader, in_acme):
    sold = car("01KG001OLD", status="decommissioned")
    old = policy(sold, -400, -35)
    kept = covered(car("01KG002NEW"))

    default = report(reader)
    asked = report(reader, car_status="decommissioned")

    assert {r["car"] for r in default["rows"]} == {kept.pk}
    assert default["counts"] == counts(active=4)
    assert asked == body(
        [
            row(sold, "inspection", "missing"),
            row(sold, "fire_extinguisher", "missing"),
            row(sold, "first_aid_kit", "missing"),
            row(sold, "osago", "expired", -35, old),
        ],
        counts(missing=3, expired=1),
    )


@pytest.fixture
def fleet(in_acme) -> dict:
    return build_fleet()


def test_worst_first_with_counts(reader, fleet):
    assert report(reader) == body(fleet_rows(fleet), FLEET_COUNTS)


@pytest.mark.parametrize("status", ["missing", "expired", "expiring", "active"])
def test_the_status_filter_keeps_the_counts_of_all(reader, fleet, status):
    expected = [r for r in fleet_rows(fleet) if r["status"] == status]

    assert report(reader, status=status) == body(expected, FLEET_COUNTS, status=status)


def test_the_obligation_filter_counts_that_obligation(reader, fleet):
    d = fleet

    assert report(reader, obligation="inspection") == body(
        [
            row(d["B"], "inspection", "expiring", 12, d["B-inspection"]),
            row(d["A"], "inspection", "active", 450, d["A-inspection"]),
            row(d["C"], "inspection", "active", 450, d["C-inspection"]),
        ],
        counts(expiring=1, active=2),
        obligation="inspection",
    )


def test_a_set_of_cars_and_the_car_filters(reader, fleet):
    d = fleet
    Car.objects.filter(pk=d["C"].pk).update(region="osh")
    rows = fleet_rows(d)

    two = reader.get(COMPLIANCE, {"car": [d["A"].pk, d["C"].pk]})
    osh = report(reader, region="osh")

    assert two.json()["rows"] == [r for r in rows if r["car"] in (d["A"].pk, d["C"].pk)]
    assert osh["rows"] == [r for r in rows if r["car"] == d["C"].pk]
    assert osh["counts"] == counts(active=4)


# --- Refusals and roles ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "detail", "attr"),
    [
        ({"status": "upcoming"}, '"upcoming" is not a valid choice.', "status"),
        ({"obligation": "oil"}, '"oil" is not a valid choice.', "obligation"),
        ({"car_status": "sold"}, '"sold" is not a valid choice.', "car_status"),
    ],
)
def test_unknown_choices_are_refused(reader, params, detail, attr):
    assert only_error(reader.get(COMPLIANCE, params)) == {
        "code": "invalid_choice",
        "detail": detail,
        "attr": attr,
    }


def test_a_negative_window_is_refused(reader):
    assert only_error(reader.get(COMPLIANCE, {"days": "-1"})) == {
        "code": "min_value",
        "detail": "Ensure this value is greater than or equal to 0.",
        "attr": "days",
    }


@pytest.mark.parametrize("export", ["json", "csv", "xlsx"])
def test_another_companys_car_is_refused_and_not_shown(acme, globex, reader, export):
    connection.set_tenant(globex)
    globex_car = CarFactory(numplate="01KG777GLX")
    InsuranceFactory(car=globex_car)
    connection.set_tenant(acme)

    error = only_error(reader.get(COMPLIANCE, {"car": globex_car.pk, "export": export}))

    assert error == {
        "code": "does_not_exist",
        "detail": f'Invalid pk "{globex_car.pk}" - object does not exist.',
        "attr": "car",
    }
    assert report(reader) == body([], counts())


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_the_report(acme_as, in_acme, role):
    car("01KG001AAA")
    client = acme_as(role)

    assert client.get(COMPLIANCE).json()["counts"] == counts(missing=4)
    assert client.get(COMPLIANCE, {"export": "csv"}).status_code == 200


# --- A fixed number of queries --------------------------------------------------------------------


def _cars_with_everything(first: int, n: int) -> None:
    """Cars with a lapsed OSAGO and its later renewal, CASCO, an inspection, a kit and two
    batteries each: every source of the report has rows to read."""
    cars = Car.objects.bulk_create(
        CarFactory.build(numplate=f"01KG{i:04d}QC") for i in range(first, first + n)
    )
    Insurance.objects.bulk_create(
        InsuranceFactory.build(car=c, insurance_type=kind, start_date=day(s), end_date=day(e))
        for c in cars
        for kind, s, e in (("osago", -370, -5), ("osago", 20, 384), ("casco", -10, 355))
    )
    Inspection.objects.bulk_create(
        InspectionFactory.build(car=c, inspected_at=day(-10), valid_until=day(355)) for c in cars
    )
    Kit.objects.bulk_create(
        KitFactory.build(car=c, has_fire_extinguisher=True, fire_extinguisher_expires_at=day(9))
        for c in cars
    )
    Accumulator.objects.bulk_create(
        AccumulatorFactory.build(car=c, installed_at=day(i), valid_until=day(i + 700))
        for c in cars
        for i in (-400, -30)
    )


# One for every request (`SET search_path` to the company: the host's company and the token's
# user come from their caches after the warm-up), then the report's one.
REPORT_QUERIES = 1 + 1


def test_the_report_queries_do_not_grow_with_the_cars(in_acme, reader):
    _cars_with_everything(0, 5)
    reader.get(COMPLIANCE)  # warm-up: caches of the tenant and the user

    with CaptureQueriesContext(connection) as few:
        few_body = report(reader)
    _cars_with_everything(5, 45)
    with CaptureQueriesContext(connection) as many:
        many_body = report(reader)

    # Each car: osago expired, fire extinguisher expiring, first-aid kit missing, casco,
    # inspection and battery active.
    assert few_body["counts"] == counts(missing=5, expired=5, expiring=5, active=15)
    assert many_body["counts"] == counts(missing=50, expired=50, expiring=50, active=150)
    assert len(few) == len(many) == REPORT_QUERIES, [q["sql"] for q in many]


def test_every_obligation_has_a_source():
    assert sorted(set().union(*(source.obligations for source in SOURCES))) == sorted(
        Obligation.values
    )


def test_a_row_is_written_as_its_fields_describe_it():
    """The rows skip DRF's field-by-field path: they must come out as those fields would."""
    import datetime as dt

    from tenant_apps.fleet.compliance import ComplianceRow
    from tenant_apps.fleet.serializers import ComplianceRowSerializer

    rows = [
        ComplianceRow(7, "01KG001AAA", "osago", "expired", dt.date(2026, 11, 25), -5, 31),
        ComplianceRow(7, "01KG001AAA", "first_aid_kit", "active", None, None, None),
        ComplianceRow(8, "01KG002BBB", "inspection", "missing", dt.date(2027, 1, 2), 33, 4),
    ]

    written = ComplianceRowSerializer(rows, many=True).data
    field_by_field = [
        {
            name: None if value is None else field.to_representation(value)
            for name, field in ComplianceRowSerializer().fields.items()
            for value in [getattr(row, name)]
        }
        for row in rows
    ]

    assert [dict(row) for row in written] == field_by_field
    assert written[0] == {
        "car": 7,
        "numplate": "01KG001AAA",
        "obligation": "osago",
        "status": "expired",
        "due": "2026-11-25",
        "days_left": -5,
        "document": 31,
    }
