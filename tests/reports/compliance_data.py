"""What the compliance tests share: documents dated from today in Asia/Bishkek (the companies'
timezone), the rows the report should answer, and a small fleet whose every row is written out
by hand."""

import datetime as dt

from tenant_apps.fleet.models import Accumulator, Car, Inspection, Insurance, Kit
from tests.factories import (
    AccumulatorFactory,
    CarFactory,
    InspectionFactory,
    InsuranceFactory,
    KitFactory,
)
from tests.reports.test_reports import bishkek_today, get_json

COMPLIANCE = "/api/v1/reports/compliance/"
CARS = "/api/v1/cars/"


def day(n: int) -> dt.date:
    return bishkek_today() + dt.timedelta(days=n)


def car(numplate: str, **fields) -> Car:
    return CarFactory(numplate=numplate, **fields)


def policy(car: Car, start: int, end: int, kind: str = "osago") -> Insurance:
    return InsuranceFactory(car=car, insurance_type=kind, start_date=day(start), end_date=day(end))


def inspection(car: Car, start: int, end: int) -> Inspection:
    return InspectionFactory(car=car, inspected_at=day(start), valid_until=day(end))


UNDATED = "undated"


def kit(car: Car, *, fire=None, first_aid=None) -> Kit:
    """A kit; an item is absent (None), present without a date (UNDATED) or expires in n days."""

    def item(value) -> dict:
        return {
            "present": value is not None,
            "expires": None if value in (None, UNDATED) else day(value),
        }

    fire, first_aid = item(fire), item(first_aid)
    return KitFactory(
        car=car,
        has_fire_extinguisher=fire["present"],
        fire_extinguisher_expires_at=fire["expires"],
        has_first_aid_kit=first_aid["present"],
        first_aid_kit_expires_at=first_aid["expires"],
    )


def battery(car: Car, installed: int, valid_until: int | None) -> Accumulator:
    return AccumulatorFactory(
        car=car,
        installed_at=day(installed),
        valid_until=None if valid_until is None else day(valid_until),
    )


def covered(car: Car) -> Car:
    """OSAGO, inspection and both kit items, none of them within a year of ending."""
    policy(car, -100, 400)
    inspection(car, -100, 450)
    kit(car, fire=500, first_aid=550)
    return car


def row(car: Car, obligation: str, status: str, due: int | None = None, document=None) -> dict:
    """The report's row, with `due` as days from today (so `days_left` = `due`)."""
    return {
        "car": car.pk,
        "numplate": car.numplate,
        "obligation": obligation,
        "status": status,
        "due": None if due is None else day(due).isoformat(),
        "days_left": due,
        "document": None if document is None else document.pk,
    }


def counts(missing=0, expired=0, expiring=0, active=0) -> dict:
    return {"missing": missing, "expired": expired, "expiring": expiring, "active": active}


def report(client, **params) -> dict:
    return get_json(client, COMPLIANCE, **params)


def body(rows, counted, *, days=30, status=None, obligation=None) -> dict:
    return {
        "today": bishkek_today().isoformat(),
        "days": days,
        "status": status,
        "obligation": obligation,
        "counts": counted,
        "rows": rows,
    }


def build_fleet() -> dict:
    """A: all covered but OSAGO ends in 12 days. B: no kit, CASCO lapsed 3 days ago, inspection
    ends in 12 days too. C: everything covered for a year and more."""
    a, b, c = car("01KG001AAA"), car("01KG002BBB"), car("01KG003CCC")
    d = {"A": a, "B": b, "C": c}
    d["A-osago"] = policy(a, -353, 12)
    d["A-inspection"] = inspection(a, -100, 450)
    d["A-kit"] = kit(a, fire=500, first_aid=550)
    d["B-osago"] = policy(b, -100, 400)
    d["B-casco"] = policy(b, -368, -3, kind="casco")
    d["B-inspection"] = inspection(b, -353, 12)
    d["C-osago"] = policy(c, -100, 400)
    d["C-inspection"] = inspection(c, -100, 450)
    d["C-kit"] = kit(c, fire=500, first_aid=550)
    return d


def fleet_rows(d: dict) -> list[dict]:
    """Worst first: missing, expired, then the soonest due, then number plate and obligation."""
    a, b, c = d["A"], d["B"], d["C"]
    return [
        row(b, "fire_extinguisher", "missing"),
        row(b, "first_aid_kit", "missing"),
        row(b, "casco", "expired", -3, d["B-casco"]),
        row(a, "osago", "expiring", 12, d["A-osago"]),
        row(b, "inspection", "expiring", 12, d["B-inspection"]),
        row(b, "osago", "active", 400, d["B-osago"]),
        row(c, "osago", "active", 400, d["C-osago"]),
        row(a, "inspection", "active", 450, d["A-inspection"]),
        row(c, "inspection", "active", 450, d["C-inspection"]),
        row(a, "fire_extinguisher", "active", 500, d["A-kit"]),
        row(c, "fire_extinguisher", "active", 500, d["C-kit"]),
        row(a, "first_aid_kit", "active", 550, d["A-kit"]),
        row(c, "first_aid_kit", "active", 550, d["C-kit"]),
    ]


FLEET_COUNTS = counts(missing=2, expired=1, expiring=2, active=8)
