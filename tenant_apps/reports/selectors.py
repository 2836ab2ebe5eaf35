"""The reports. Each aggregates in PostgreSQL (one GROUP BY per source table) and returns a frozen
dataclass from `results`; nothing here knows about HTTP or file formats."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractYear, TruncMonth

from tenant_apps.fleet.models import (
    Accumulator,
    DocumentStatus,
    FuelRecord,
    Inspection,
    Insurance,
    MonthlyMileage,
    Spare,
    Tires,
)
from tenant_apps.fleet.selectors import (
    CompanyClock,
    document_status,
    document_status_q,
    months_driven_without_fuel,
    with_car_month_mileage,
)

from .car_scope import WHOLE_FLEET, CarScope
from .periods import MonthPeriod
from .results import (
    CostRow,
    DocumentCounts,
    DocumentItem,
    FuelConsumptionReport,
    FuelRow,
    InsuranceInspectionReport,
    MaintenanceCostsReport,
    round_cents,
)

GROUP_BY_MONTH, GROUP_BY_YEAR, GROUP_BY_CAR = "month", "year", "car"
GROUP_BY_FUEL_TYPE = "fuel_type"
GROUPINGS = (GROUP_BY_MONTH, GROUP_BY_YEAR, GROUP_BY_CAR)
FUEL_GROUPINGS = (*GROUPINGS, GROUP_BY_FUEL_TYPE)
ZERO = Decimal("0.00")
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


def _fuel_group(group_by: str, date_field: str) -> tuple[dict, dict]:
    """A fuel report's group: what to GROUP BY (the key and the car's fuel type, which is never
    averaged together) and what to add to each row (by car, its number plate). By car, the car
    alone is grouped: its plate and fuel type are one per car, and grouping by them too would
    make PostgreSQL expect a group per record and sort all of them."""
    if group_by == GROUP_BY_CAR:
        return {"key": F("car_id")}, {
            "numplate": Max("car__numplate"),
            "fuel_type": Max("car__fuel_type"),
        }
    key = {"key": F("car__fuel_type")} if group_by == GROUP_BY_FUEL_TYPE else None
    key = key or _group_key(group_by, date_field)
    return {**key, "fuel_type": F("car__fuel_type")}, {
        "numplate": Value(None, output_field=CharField())
    }


def _car_month_sums(period: MonthPeriod, group_by: str, cars: CarScope):
    """The period's car-months of the cars in scope, summed by group and fuel type in one query:
    the fuel records with their car-month's km (`with_car_month_mileage`), and the mileage
    records of months without fuel (an electric car). A group's rows of both parts and of
    several fuel types are added up by the caller."""
    with_km = Q(car_month_km__gt=0, liters__gt=0)
    group, extra = _fuel_group(group_by, "period")
    driven_group, driven_extra = _fuel_group(group_by, "month")
    fuelled = (
        with_car_month_mileage(
            FuelRecord.objects.filter(
                cars.q("car__"), period__gte=period.first, period__lte=period.last
            )
        )
        .values(**group)
        .annotate(
            **extra,
            liters_sum=Sum("liters"),
            cost=Sum("total_cost"),
            km=Sum("car_month_km"),
            liters_without_mileage=Coalesce(
                Sum("liters", filter=Q(car_month_km=0)), ZERO, output_field=MONEY
            ),
            measured_liters=Coalesce(Sum("liters", filter=with_km), ZERO, output_field=MONEY),
            measured_km=Coalesce(Sum("car_month_km", filter=with_km), 0),
        )
        .order_by()
    )
    driven_only = (
        months_driven_without_fuel(
            MonthlyMileage.objects.filter(
                cars.q("car__"), month__gte=period.first, month__lte=period.last
            )
        )
        .values(**driven_group)
        .annotate(
            **driven_extra,
            liters_sum=Value(ZERO, output_field=MONEY),
            cost=Value(ZERO, output_field=MONEY),
            km=Sum("mileage_km"),
            liters_without_mileage=Value(ZERO, output_field=MONEY),
            measured_liters=Value(ZERO, output_field=MONEY),
            measured_km=Value(0),
        )
        .order_by()
    )
    return fuelled.union(driven_only, all=True)


@dataclass
class _FuelSums:
    """A group's sums over its car-months, and what its average may use: only car-months with
    both liters and km, and only when they are all of one fuel type."""

    liters: Decimal = ZERO
    cost: Decimal = ZERO
    km: int = 0
    liters_without_mileage: Decimal = ZERO
    measured_liters: Decimal = ZERO
    measured_km: int = 0
    fuel_types: set = field(default_factory=set)  # of the car-months with fuel
    numplate: str | None = None

    def add(self, row: dict) -> None:
        self.liters += row["liters_sum"]
        self.cost += row["cost"]
        self.km += row["km"]
        self.liters_without_mileage += row["liters_without_mileage"]
        self.measured_liters += row["measured_liters"]
        self.measured_km += row["measured_km"]
        if row["liters_sum"]:
            self.fuel_types.add(row["fuel_type"])
        self.numplate = row["numplate"]

    def row(self, *, period=None, car=None, numplate=None, fuel_type=None) -> FuelRow:
        return FuelRow(
            period=period,
            car=car,
            numplate=numplate,
            fuel_type=fuel_type,
            liters=self.liters,
            cost=self.cost,
            mileage_km=self.km,
            liters_without_mileage=self.liters_without_mileage,
            avg_consumption_l_per_100km=(
                consumption(self.measured_liters, self.measured_km)
                if len(self.fuel_types) <= 1
                else None
            ),
        )


def fuel_consumption_report(
    *, period: MonthPeriod, group_by: str = GROUP_BY_MONTH, cars: CarScope = WHOLE_FLEET
) -> FuelConsumptionReport:
    """Fuel, its cost and the distance driven over whole months, by month, year, car or fuel
    type. The unit is the car-month: its km by the car-month rule; the average is weighted
    (liters / km × 100) over the car-months that have both, and never mixes fuel types (null
    where a group holds more than one). Liters of car-months without km are reported apart.
    Months and years without records are rows of zeros, so a chart has no gaps. One query."""
    groups: dict[object, _FuelSums] = defaultdict(_FuelSums)
    totals = _FuelSums()
    for row in _car_month_sums(period, group_by, cars):
        groups[row["key"]].add(row)
        totals.add(row)

    if group_by == GROUP_BY_MONTH:
        keys = period.months()
    elif group_by == GROUP_BY_YEAR:
        keys = period.years()
    elif group_by == GROUP_BY_CAR:
        keys = sorted(groups, key=lambda k: groups[k].numplate)
    else:
        keys = sorted(groups)
    rows = tuple(
        groups.get(key, _FuelSums()).row(
            period=_key_label(group_by, key),
            car=key if group_by == GROUP_BY_CAR else None,
            numplate=groups[key].numplate if group_by == GROUP_BY_CAR else None,
            fuel_type=key if group_by == GROUP_BY_FUEL_TYPE else None,
        )
        for key in keys
    )
    return FuelConsumptionReport(
        period=period, group_by=group_by, cars=cars, rows=rows, totals=totals.row()
    )


def consumption(liters: Decimal, km: int) -> Decimal | None:
    """Liters per 100 km, rounded half away from zero to 2 places as PostgreSQL's `round`."""
    if not km:
        return None
    return round_cents(liters * 100 / km)


# --- Maintenance costs ----------------------------------------------------------------------------

# Source table, the column of its date, and the report's columns with the amounts they sum.
COST_SOURCES = (
    (Spare, "installed_at", {"parts": "part_price", "work": "work_price"}),
    (Tires, "installed_at", {"tires": "price"}),
    (Accumulator, "installed_at", {"accumulators": "price"}),
    (Inspection, "inspected_at", {"inspections": "cost"}),
)
COST_COLUMNS = ("parts", "work", "tires", "accumulators", "inspections")


def maintenance_cost_sums(
    *, period: MonthPeriod, group_by: str, cars: CarScope
) -> tuple[dict[object, dict[str, Decimal]], dict[int, str]]:
    """Each group's upkeep by COST_COLUMNS, each cost on its date, and the number plates of the
    cars when grouped by car. One GROUP BY per source table."""
    amounts: dict[object, dict[str, Decimal]] = defaultdict(
        lambda: dict.fromkeys(COST_COLUMNS, ZERO)
    )
    numplates: dict[int, str] = {}
    for model, date_field, columns in COST_SOURCES:
        rows = model.objects.filter(
            **{f"{date_field}__gte": period.first, f"{date_field}__lte": period.end}
        )
        rows = rows.filter(cars.q("car__"))
        group = _group_key(group_by, date_field)
        sums = {column: Sum(source, output_field=MONEY) for column, source in columns.items()}
        for row in rows.values(**group).annotate(**sums).order_by():
            key = row["key"]
            for column in columns:
                amounts[key][column] += row[column]
            if group_by == GROUP_BY_CAR:
                numplates[key] = row["numplate"]
    return amounts, numplates


def maintenance_costs_report(
    *, period: MonthPeriod, group_by: str = GROUP_BY_MONTH, cars: CarScope = WHOLE_FLEET
) -> MaintenanceCostsReport:
    """What the fleet's upkeep cost over whole months: parts and work of repairs, tyres,
    batteries and inspections, by month, year or car."""
    amounts, numplates = maintenance_cost_sums(period=period, group_by=group_by, cars=cars)
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
        period=period, group_by=group_by, cars=cars, totals=totals, rows=rows
    )


# --- Insurances and inspections -------------------------------------------------------------------


def _documents(
    model, *, type_field: str | None, start: str, end: str, current_only: bool, today: dt.date
):
    rows = model.objects.all()
    if current_only:
        # A document replaced by a later one of the same kind for the same car is history, once
        # the later one has started: a renewal that starts next month hides nothing today, so
        # the lapse it leaves until then is reported.
        later = Q(**{f"{start}__gt": OuterRef(start)}) | Q(
            **{start: OuterRef(start), "id__gt": OuterRef("id")}
        )
        replacements = model.objects.filter(
            later,
            car=OuterRef("car"),
            **{f"{start}__lte": today},
            **({type_field: OuterRef(type_field)} if type_field else {}),
        )
        rows = rows.exclude(Exists(replacements))
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
    clock: CompanyClock,
    status: str | None = None,
    cars: CarScope = WHOLE_FLEET,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    current_only: bool = True,
) -> InsuranceInspectionReport:
    """Insurance policies and inspection certificates of the cars in scope with their status as
    of the clock's today (`expiring` = ending within its warning window), soonest end first;
    `date_from`/`date_to` select by end date. With `current_only`, only each car's latest
    policy of each type and latest certificate count: a lapsed policy that has been renewed is
    not a problem to report."""
    today = clock.today
    counts = dict.fromkeys(DocumentStatus.values, 0)
    items = []
    for kind, model, type_field, start, end in DOCUMENT_SOURCES:
        rows = _documents(
            model,
            type_field=type_field,
            start=start,
            end=end,
            current_only=current_only,
            today=today,
        )
        rows = rows.filter(cars.q("car__"))
        if date_from is not None:
            rows = rows.filter(**{f"{end}__gte": date_from})
        if date_to is not None:
            rows = rows.filter(**{f"{end}__lte": date_to})
        status_filters = {
            name: document_status_q(name, start=start, end=end, clock=clock) for name in counts
        }
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
                    status=document_status(row["start"], row["end"], clock=clock).value,
                    days_left=(row["end"] - today).days,
                )
            )
    items.sort(key=lambda item: (item.end, item.numplate, item.kind, item.id))
    return InsuranceInspectionReport(
        today=today,
        days=clock.warning_days,
        date_from=date_from,
        date_to=date_to,
        status=status,
        counts=DocumentCounts(**counts),
        items=tuple(items),
    )
