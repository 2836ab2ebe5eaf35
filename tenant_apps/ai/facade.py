"""What the assistant may read: small, aggregated answers built by the same selectors as the
reports, in the caller's company (the active schema). Every role reads every report, so every
role may ask everything here. Answers are capped (at most MAX_ROWS rows, aggregates first) and
carry no phones, VINs or driver names.

Each function takes and returns plain JSON-able values, so that the local provider, the OpenAI
tools and the tests all call the same thing."""

import dataclasses
import datetime as dt
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, Sum

from shared_apps.dictionaries.models import DictionaryKind
from shared_apps.dictionaries.selectors import dictionary_has_code
from tenant_apps.fleet.compliance import ComplianceStatus, Obligation
from tenant_apps.fleet.fields import numplate_normalize
from tenant_apps.fleet.models import Car, CarStatus, DocumentStatus, Insurance
from tenant_apps.fleet.selectors import company_clock, company_today
from tenant_apps.reports import selectors as reports
from tenant_apps.reports.car_scope import WHOLE_FLEET, CarScope
from tenant_apps.reports.compliance import compliance_report
from tenant_apps.reports.ownership import cost_of_ownership_report
from tenant_apps.reports.periods import MonthPeriod, month_add

MAX_ROWS = 24
MAX_TOP = 10


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _choice(name: str, value, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(str, allowed))}")


def _period(date_from: str | None, date_to: str | None) -> MonthPeriod:
    """Whole months; default: this year up to this month (the company's today)."""
    this_month = company_today(connection.tenant).replace(day=1)
    last = _month(date_to) if date_to else this_month
    first = _month(date_from) if date_from else last.replace(month=1)
    if first > last:
        first, last = last, first
    first = max(first, month_add(last, -119))  # at most ten years
    return MonthPeriod(first=first, last=last)


def _month(text: str) -> dt.date:
    return dt.date.fromisoformat(f"{text[:7]}-01")


def find_car(*, numplate: str) -> dict | None:
    """A car by its number plate, however written: `{id, numplate, title, brand, status}`."""
    car = Car.objects.filter(numplate=numplate_normalize(numplate)).first()
    return None if car is None else car_brief(car)


def car_brief(car: Car) -> dict:
    """A car as `find_car` answers it."""
    return {
        "id": car.pk,
        "numplate": car.numplate,
        "title": car.title,
        "brand": car.brand,
        "status": car.status,
    }


def fleet_summary() -> dict:
    """Cars by status and type, this year's fuel and maintenance, documents by status."""
    today = company_today(connection.tenant)
    period = MonthPeriod(first=today.replace(month=1, day=1), last=today.replace(day=1))
    by_status = dict(Car.objects.values_list("status").annotate(n=Count("id")).order_by())
    by_type = dict(Car.objects.values_list("vehicle_type").annotate(n=Count("id")).order_by())
    fuel = reports.fuel_consumption_report(period=period, group_by="year").totals
    costs = reports.maintenance_costs_report(period=period, group_by="year").totals
    documents = reports.insurance_inspection_report(clock=company_clock()).counts
    return {
        "cars": sum(by_status.values()),
        "cars_by_status": by_status,
        "cars_by_type": by_type,
        "year": today.year,
        "fuel_liters": _money(fuel.liters),
        "fuel_cost": _money(fuel.cost),
        "mileage_km": fuel.mileage_km,
        "avg_consumption_l_per_100km": _money(fuel.avg_consumption_l_per_100km),
        "maintenance_cost": _money(costs.total),
        "documents": dataclasses.asdict(documents),
    }


def _month_report(build, row, *, car_id, date_from, date_to, group_by, rank_by) -> dict:
    """A month report built by `build` (a reports selector), its rows shaped by `row`, with the
    totals and how many rows there were. At most MAX_ROWS rows: the latest periods, or by car
    the cars with the most of `rank_by` (an attribute of the report's rows), never the last
    plates of the alphabet."""
    _choice("group_by", group_by, reports.GROUPINGS)
    period = _period(date_from, date_to)
    report = build(period=period, group_by=group_by, cars=_scope(car_id))
    rows = report.rows[-MAX_ROWS:]
    if group_by == "car":
        ranked = sorted(report.rows, key=lambda r: getattr(r, rank_by) or 0, reverse=True)
        rows = ranked[:MAX_ROWS]
    return {
        "from": f"{period.first:%Y-%m}",
        "to": f"{period.last:%Y-%m}",
        "group_by": group_by,
        "car": car_id,
        "totals": row(report.totals),
        "rows": [row(r) for r in rows],
        "rows_total": len(report.rows),
    }


def _scope(car_id: int | None) -> CarScope:
    return CarScope(cars=(car_id,)) if car_id else WHOLE_FLEET


def _fuel_row(r) -> dict:
    return {
        "period": r.period,
        "numplate": r.numplate,
        "liters": _money(r.liters),
        "cost": _money(r.cost),
        "mileage_km": r.mileage_km,
        "liters_without_mileage": _money(r.liters_without_mileage),
        "avg_consumption_l_per_100km": _money(r.avg_consumption_l_per_100km),
    }


def _cost_row(r) -> dict:
    return {
        "period": r.period,
        "numplate": r.numplate,
        "parts": _money(r.parts),
        "work": _money(r.work),
        "tires": _money(r.tires),
        "accumulators": _money(r.accumulators),
        "inspections": _money(r.inspections),
        "total": _money(r.total),
    }


def fuel_consumption(
    *,
    car_id: int | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    group_by: str = "month",
) -> dict:
    """The fuel report (same numbers as `reports/fuel-consumption/`), at most MAX_ROWS rows
    (by car: the biggest consumers, by liters)."""
    return _month_report(
        reports.fuel_consumption_report,
        _fuel_row,
        car_id=car_id,
        date_from=date_from,
        date_to=date_to,
        group_by=group_by,
        rank_by="liters",
    )


def maintenance_costs(
    *,
    car_id: int | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    group_by: str = "month",
) -> dict:
    """The maintenance report (same numbers as `reports/maintenance-costs/`), capped (by car:
    the costliest cars)."""
    return _month_report(
        reports.maintenance_costs_report,
        _cost_row,
        car_id=car_id,
        date_from=date_from,
        date_to=date_to,
        group_by=group_by,
        rank_by="total",
    )


def documents_status(*, status: str | None = None, days: int | None = None) -> dict:
    """Insurances and inspections that are active, expire within `days` or have expired (each
    car's latest ones), soonest end first, at most MAX_ROWS."""
    if status is not None:
        _choice("status", status, DocumentStatus.values)
    if days is not None:
        days = max(0, min(int(days), 3650))
    report = reports.insurance_inspection_report(
        clock=company_clock(warning_days=days), status=status
    )
    return {
        "today": report.today.isoformat(),
        "days": report.days,
        "status": status,
        "counts": dataclasses.asdict(report.counts),
        "items": [
            {
                "kind": i.kind,
                "numplate": i.numplate,
                "type": i.type,
                "end": i.end.isoformat(),
                "status": i.status,
                "days_left": i.days_left,
            }
            for i in report.items[:MAX_ROWS]
        ],
        "items_total": len(report.items),
    }


def compliance(
    *,
    status: str | None = None,
    obligation: str | None = None,
    car_id: int | None = None,
    days: int | None = None,
) -> dict:
    """Whether the cars in service may be on the road today: the compliance report's rows (as
    `reports/compliance/`), worst first, at most MAX_ROWS, with the counts per status."""
    if status is not None:
        _choice("status", status, ComplianceStatus.values)
    if obligation is not None:
        _choice("obligation", obligation, Obligation.values)
    if days is not None:
        days = max(0, min(int(days), 3650))
    report = compliance_report(
        clock=company_clock(warning_days=days),
        cars=_scope(car_id),
        status=status,
        obligation=obligation,
    )
    return {
        "today": report.today.isoformat(),
        "days": report.days,
        "status": status,
        "obligation": obligation,
        "counts": dataclasses.asdict(report.counts),
        "rows": [
            {
                "car": r.car,
                "numplate": r.numplate,
                "obligation": r.obligation,
                "status": r.status,
                "due": None if r.due is None else r.due.isoformat(),
                "days_left": r.days_left,
            }
            for r in report.rows[:MAX_ROWS]
        ],
        "rows_total": len(report.rows),
    }


def cars(
    *, status: str | None = None, region: str | None = None, vehicle_type: str | None = None
) -> dict:
    """The cars of a status, region and vehicle type (codes; each optional): how many of all
    the cars match, and the first MAX_ROWS of them by number plate."""
    if status is not None:
        _choice("status", status, CarStatus.values)
    for name, code, kind in (
        ("region", region, DictionaryKind.REGIONS),
        ("vehicle_type", vehicle_type, DictionaryKind.VEHICLE_TYPES),
    ):
        if code is not None and not dictionary_has_code(kind=kind, code=code):
            raise ValueError(f"{name} must be a code of /api/v1/dictionaries/{kind}/")
    filters = {"status": status, "region": region, "vehicle_type": vehicle_type}
    matching = Q(**{k: v for k, v in filters.items() if v is not None})
    counts = Car.objects.aggregate(count=Count("id", filter=matching), total=Count("id"))
    rows = Car.objects.filter(matching).order_by("numplate")
    fields = ("id", "numplate", "title", "status", "region", "vehicle_type")
    return {**filters, **counts, "rows": list(rows.values(*fields)[:MAX_ROWS])}


def insurance_premiums(
    *, car_id: int | None = None, date_from: str | None = None, date_to: str | None = None
) -> dict:
    """What was paid for insurance: the policies that start in the period (default: this year
    up to this month), their premiums in total and by type, and the dearest MAX_ROWS."""
    period = _period(date_from, date_to)
    policies = Insurance.objects.filter(start_date__range=(period.first, period.end))
    if car_id:
        policies = policies.filter(car_id=car_id)
    by_type = {
        kind: (total, count)
        for kind, total, count in policies.values_list("insurance_type")
        .annotate(total=Sum("cost"), count=Count("id"))
        .order_by()
    }
    rows = policies.order_by("-cost", "car__numplate", "pk").values(
        "car", "car__numplate", "insurance_type", "number", "start_date", "end_date", "cost"
    )
    return {
        "from": f"{period.first:%Y-%m}",
        "to": f"{period.last:%Y-%m}",
        "car": car_id,
        "count": sum(count for _total, count in by_type.values()),
        "total": _money(sum((total for total, _count in by_type.values()), Decimal(0))),
        "by_type": {kind: _money(total) for kind, (total, _count) in sorted(by_type.items())},
        "rows": [
            {
                "car": r["car"],
                "numplate": r["car__numplate"],
                "insurance_type": r["insurance_type"],
                "number": r["number"],
                "start": r["start_date"].isoformat(),
                "end": r["end_date"].isoformat(),
                "cost": _money(r["cost"]),
            }
            for r in rows[:MAX_ROWS]
        ],
    }


def _ownership_row(r) -> dict:
    return {
        "numplate": r.numplate,
        "fuel": _money(r.fuel),
        "upkeep": _money(r.upkeep),
        "insurance": _money(r.insurance),
        "total": _money(r.total),
        "mileage_km": r.mileage_km,
        "cost_per_km": _money(r.cost_per_km),
    }


def cost_of_ownership(
    *, car_id: int | None = None, date_from: str | None = None, date_to: str | None = None
) -> dict:
    """The cost of ownership report by car (as `reports/cost-of-ownership/`): fuel, upkeep and
    insurance premiums spread over the days each policy covers, the km and the cost per km;
    the costliest MAX_ROWS cars."""
    period = _period(date_from, date_to)
    report = cost_of_ownership_report(period=period, group_by="car", cars=_scope(car_id))
    ranked = sorted(report.rows, key=lambda r: (-r.total, r.numplate))
    return {
        "from": f"{period.first:%Y-%m}",
        "to": f"{period.last:%Y-%m}",
        "car": car_id,
        "totals": _ownership_row(report.totals),
        "rows": [_ownership_row(r) for r in ranked[:MAX_ROWS]],
        "rows_total": len(report.rows),
    }


# metric → (the report whose per-car rows rank the cars, the row's figure). Each figure is the
# report's own, so a top list never disagrees with the report it comes from: PostgreSQL sums
# each car (one row per car), and the ranking sorts those rows, never a page cut by plate.
_RANKINGS = {
    "cost": ("maintenance", lambda r: r.total),
    "fuel": ("fuel", lambda r: r.cost),
    "liters": ("fuel", lambda r: r.liters),
    "consumption": ("fuel", lambda r: r.avg_consumption_l_per_100km),
    "mileage": ("fuel", lambda r: Decimal(r.mileage_km)),
    "ownership": ("ownership", lambda r: r.total),
    "cost_per_km": ("ownership", lambda r: r.cost_per_km),
    "insurance": ("ownership", lambda r: r.insurance),
}
_PER_CAR_REPORTS = {
    "maintenance": reports.maintenance_costs_report,
    "fuel": reports.fuel_consumption_report,
    "ownership": cost_of_ownership_report,
}
TOP_METRICS = tuple(_RANKINGS)


def top_cars(
    *,
    metric: str = "cost",
    date_from: str | None = None,
    date_to: str | None = None,
    limit: int = 5,
) -> dict:
    """Cars ranked by a metric over the period, highest first (a tie by plate): maintenance
    cost, fuel cost, liters, l/100 km, km, cost of ownership, cost per km or insurance
    premiums. Cars without the figure (no km for l/100 km) are left out, and cars at zero."""
    _choice("metric", metric, TOP_METRICS)
    limit = max(1, min(int(limit), MAX_TOP))
    period = _period(date_from, date_to)
    source, figure = _RANKINGS[metric]
    rows = _PER_CAR_REPORTS[source](period=period, group_by="car").rows
    values = [(r.car, r.numplate, figure(r)) for r in rows]
    ranked = sorted((v for v in values if v[2]), key=lambda v: (-v[2], v[1]))
    return {
        "metric": metric,
        "from": f"{period.first:%Y-%m}",
        "to": f"{period.last:%Y-%m}",
        "rows": [{"car": c, "numplate": n, "value": _money(v)} for c, n, v in ranked[:limit]],
    }
