"""The reports. Each aggregates in PostgreSQL (one GROUP BY per source table) and returns a frozen
dataclass from `results`; nothing here knows about HTTP or file formats."""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, F, Sum
from django.db.models.functions import Coalesce, ExtractYear, NullIf, Round, TruncMonth

from tenant_apps.fleet.models import (
    Accumulator,
    FuelRecord,
    Inspection,
    Insurance,
    Spare,
    Tires,
)
from tenant_apps.fleet.selectors import CompanyClock, document_status, document_status_q

from .periods import MonthPeriod
from .results import (
    CostRow,
    DocumentCounts,
    DocumentItem,
    FuelConsumptionReport,
    FuelRow,
    InsuranceInspectionReport,
    MaintenanceCostsReport,
)

GROUP_BY_MONTH, GROUP_BY_YEAR, GROUP_BY_CAR = "month", "year", "car"
GROUPINGS = (GROUP_BY_MONTH, GROUP_BY_YEAR, GROUP_BY_CAR)
ZERO = Decimal("0.00")
CENTS = Decimal("0.01")
MONEY = DecimalField(max_digits=16, decimal_places=2)


def _group_key(group_by: str, date_field: str):
    """What to GROUP BY, as `values()` arguments: the month's first day, the year or the car."""
    if group_by == GROUP_BY_MONTH:
        return {"key": TruncMonth(date_field)}
    if group_by == GROUP_BY_YEAR:
        return {"key": ExtractYear(date_field)}
    return {"key": F("car_id"), "numplate": F("car__numplate")}


def _key_label(group_by: str, key) -> str | None:
    if group_by == GROUP_BY_MONTH:
        return f"{key:%Y-%m}"
    if group_by == GROUP_BY_YEAR:
        return str(key)
    return None


# --- Fuel and mileage -----------------------------------------------------------------------------


def _fuel_sums() -> dict:
    """Sums of a group of fuel records, for `annotate`."""
    return {
        "liters_sum": Coalesce(Sum("liters"), ZERO, output_field=MONEY),
        "cost_sum": Coalesce(Sum("total_cost"), ZERO, output_field=MONEY),
        "km_sum": Coalesce(Sum("mileage_km"), 0),
        # Weighted: the group's liters over its kilometres, never a mean of monthly ratios.
        "avg": Round(Sum("liters") * 100 / NullIf(Sum("mileage_km"), 0), 2, output_field=MONEY),
    }


def fuel_consumption_report(
    *, period: MonthPeriod, group_by: str = GROUP_BY_MONTH, car_id: int | None = None
) -> FuelConsumptionReport:
    """Fuel, its cost and the distance driven over whole months, by month, year or car. Months
    and years without records are rows of zeros, so a chart has no gaps."""
    records = FuelRecord.objects.filter(period__gte=period.first, period__lte=period.last)
    if car_id is not None:
        records = records.filter(car_id=car_id)

    grouped = records.values(**_group_key(group_by, "period")).annotate(**_fuel_sums()).order_by()
    by_key = {row["key"]: row for row in grouped}
    if group_by == GROUP_BY_MONTH:
        keys = period.months()
    elif group_by == GROUP_BY_YEAR:
        keys = period.years()
    else:
        keys = sorted(by_key, key=lambda k: by_key[k]["numplate"])

    rows = []
    for key in keys:
        row = by_key.get(key)
        rows.append(
            FuelRow(
                period=_key_label(group_by, key),
                car=key if group_by == GROUP_BY_CAR else None,
                numplate=row["numplate"] if group_by == GROUP_BY_CAR else None,
                liters=row["liters_sum"] if row else ZERO,
                cost=row["cost_sum"] if row else ZERO,
                mileage_km=row["km_sum"] if row else 0,
                avg_consumption_l_per_100km=row["avg"] if row else None,
            )
        )

    # The totals are the groups' sums (one scan of the records, not a second aggregate).
    liters = sum((row.liters for row in rows), ZERO)
    km = sum(row.mileage_km for row in rows)
    return FuelConsumptionReport(
        period=period,
        group_by=group_by,
        car=car_id,
        rows=tuple(rows),
        totals=FuelRow(
            period=None,
            car=None,
            numplate=None,
            liters=liters,
            cost=sum((row.cost for row in rows), ZERO),
            mileage_km=km,
            avg_consumption_l_per_100km=consumption(liters, km),
        ),
    )


def consumption(liters: Decimal, km: int) -> Decimal | None:
    """Liters per 100 km, rounded half away from zero to 2 places as PostgreSQL's `round`."""
    if not km:
        return None
    return (liters * 100 / km).quantize(CENTS, rounding=ROUND_HALF_UP)


# --- Maintenance costs ----------------------------------------------------------------------------

# Source table, the column of its date, and the report's columns with the amounts they sum.
COST_SOURCES = (
    (Spare, "installed_at", {"parts": "part_price", "work": "work_price"}),
    (Tires, "installed_at", {"tires": "price"}),
    (Accumulator, "installed_at", {"accumulators": "price"}),
    (Inspection, "inspected_at", {"inspections": "cost"}),
)
COST_COLUMNS = ("parts", "work", "tires", "accumulators", "inspections")


def maintenance_costs_report(
    *, period: MonthPeriod, group_by: str = GROUP_BY_MONTH, car_id: int | None = None
) -> MaintenanceCostsReport:
    """What the fleet's upkeep cost over whole months: parts and work of repairs, tyres,
    batteries and inspections, by month, year or car. One GROUP BY per source table."""
    amounts: dict[object, dict[str, Decimal]] = defaultdict(
        lambda: dict.fromkeys(COST_COLUMNS, ZERO)
    )
    numplates: dict[int, str] = {}
    for model, date_field, columns in COST_SOURCES:
        rows = model.objects.filter(
            **{f"{date_field}__gte": period.first, f"{date_field}__lte": period.end}
        )
        if car_id is not None:
            rows = rows.filter(car_id=car_id)
        group = _group_key(group_by, date_field)
        sums = {column: Sum(source, output_field=MONEY) for column, source in columns.items()}
        for row in rows.values(**group).annotate(**sums).order_by():
            key = row["key"]
            for column in columns:
                amounts[key][column] += row[column]
            if group_by == GROUP_BY_CAR:
                numplates[key] = row["numplate"]

    if group_by == GROUP_BY_MONTH:
        keys = period.months()
    elif group_by == GROUP_BY_YEAR:
        keys = period.years()
    else:
        keys = sorted(numplates, key=numplates.__getitem__)
    rows = tuple(
        CostRow(
            period=_key_label(group_by, key),
            car=key if group_by == GROUP_BY_CAR else None,
            numplate=numplates.get(key) if group_by == GROUP_BY_CAR else None,
            **amounts.get(key, dict.fromkeys(COST_COLUMNS, ZERO)),
        )
        for key in keys
    )
    totals = CostRow(
        period=None,
        car=None,
        numplate=None,
        **{column: sum((getattr(r, column) for r in rows), ZERO) for column in COST_COLUMNS},
    )
    return MaintenanceCostsReport(
        period=period, group_by=group_by, car=car_id, totals=totals, rows=rows
    )


# --- Insurances and inspections -------------------------------------------------------------------


def _documents(model, *, type_field: str | None, start: str, end: str, current_only: bool):
    rows = model.objects.all()
    if current_only:
        # The latest document of each kind per car: a renewed policy hides the lapsed one.
        partition = ["car_id", type_field] if type_field else ["car_id"]
        latest = (
            model.objects.order_by(*partition, f"-{end}", "-id").distinct(*partition).values("id")
        )
        rows = rows.filter(id__in=latest)
    return rows.values(
        "id",
        "car_id",
        "number",
        numplate=F("car__numplate"),
        start=F(start),
        end=F(end),
        **({"type": F(type_field)} if type_field else {}),
    )


DOCUMENT_SOURCES = (
    ("insurance", Insurance, "insurance_type", "start_date", "end_date"),
    ("inspection", Inspection, None, "inspected_at", "valid_until"),
)


def insurance_inspection_report(
    *,
    today: dt.date,
    days: int,
    status: str | None = None,
    car_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    current_only: bool = True,
) -> InsuranceInspectionReport:
    """Insurance policies and inspection certificates with their status as of `today`
    (`expiring` = ending within `days`), soonest end first; `date_from`/`date_to` select by end
    date. With `current_only`, only each car's latest policy of each type and latest
    certificate count: a lapsed policy that has been renewed is not a problem to report."""
    clock = CompanyClock(today=today, warning_days=days)
    counts = dict.fromkeys(("active", "expiring", "expired"), 0)
    items = []
    for kind, model, type_field, start, end in DOCUMENT_SOURCES:
        rows = _documents(
            model, type_field=type_field, start=start, end=end, current_only=current_only
        )
        if car_id is not None:
            rows = rows.filter(car_id=car_id)
        if date_from is not None:
            rows = rows.filter(**{f"{end}__gte": date_from})
        if date_to is not None:
            rows = rows.filter(**{f"{end}__lte": date_to})
        status_filters = {name: document_status_q(name, field=end, clock=clock) for name in counts}
        tally = rows.aggregate(
            **{name: Count("id", filter=q) for name, q in status_filters.items()}
        )
        for name in counts:
            counts[name] += tally[name]
        if status is not None:
            rows = rows.filter(status_filters[status])
        for row in rows.order_by(end, "car__numplate", "id"):
            items.append(
                DocumentItem(
                    kind=kind,
                    id=row["id"],
                    car=row["car_id"],
                    numplate=row["numplate"],
                    type=row.get("type", kind),
                    number=row["number"],
                    start=row["start"],
                    end=row["end"],
                    status=document_status(row["end"], clock=clock).value,
                    days_left=(row["end"] - today).days,
                )
            )
    items.sort(key=lambda item: (item.end, item.numplate, item.kind, item.id))
    return InsuranceInspectionReport(
        today=today,
        days=days,
        date_from=date_from,
        date_to=date_to,
        status=status,
        counts=DocumentCounts(**counts),
        items=tuple(items),
    )
