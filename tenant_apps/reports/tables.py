"""Reports (and the fuel ledger) as tables: typed columns, rows and a totals row, which the CSV
and XLSX writers turn into files. Rows may be a lazy iterator, so a million-row table is never
held in memory."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import CharField, F, Func, QuerySet, Value

from shared_apps.core import counts
from tenant_apps.fleet.models import FuelRecord
from tenant_apps.fleet.selectors import with_consumption

from .results import (
    CostRow,
    FuelConsumptionReport,
    FuelRow,
    InsuranceInspectionReport,
    MaintenanceCostsReport,
    OwnershipReport,
    OwnershipRow,
)

# Column kinds: how a value is written. TEXT is text people typed (a policy number), which the
# writers neutralise against formula injection; CODE is text that cannot start with a formula
# character (a number plate, which a database constraint keeps to letters and digits; a month;
# a status), written as it is.
TEXT, CODE, INTEGER, DECIMAL, MONEY, DATE = "text", "code", "integer", "decimal", "money", "date"


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = CODE
    width: int = 14


@dataclass(frozen=True)
class Table:
    name: str  # also the start of the file name
    columns: tuple[Column, ...]
    rows: Iterable[tuple]
    totals: tuple | None = None
    row_count: int | None = None  # known in advance for progress reporting


GROUP_COLUMN = {
    "month": Column("Month", width=10),
    "year": Column("Year", width=8),
    "car": Column("Number plate", width=14),
    "fuel_type": Column("Fuel type", width=12),
}


def _group_value(group_by: str, row: FuelRow | CostRow) -> str:
    if group_by == "car":
        return row.numplate
    if group_by == "fuel_type":
        return row.fuel_type
    return row.period


def fuel_consumption_table(report: FuelConsumptionReport) -> Table:
    def cells(row: FuelRow, first) -> tuple:
        return (
            first,
            row.liters,
            row.cost,
            row.mileage_km,
            row.liters_without_mileage,
            row.avg_consumption_l_per_100km,
        )

    return Table(
        name=f"fuel-consumption_{report.period.label()}_by-{report.group_by}",
        columns=(
            GROUP_COLUMN[report.group_by],
            Column("Liters", DECIMAL),
            Column("Cost", MONEY),
            Column("Mileage, km", INTEGER),
            Column("Liters without mileage", DECIMAL),
            Column("L/100 km", DECIMAL, width=10),
        ),
        rows=[cells(row, _group_value(report.group_by, row)) for row in report.rows],
        totals=cells(report.totals, "Total"),
        row_count=len(report.rows),
    )


def maintenance_costs_table(report: MaintenanceCostsReport) -> Table:
    def cells(row: CostRow, first) -> tuple:
        amounts = (row.parts, row.work, row.tires, row.accumulators, row.inspections)
        return (first, *amounts, row.total)

    return Table(
        name=f"maintenance-costs_{report.period.label()}_by-{report.group_by}",
        columns=(
            GROUP_COLUMN[report.group_by],
            Column("Parts", MONEY),
            Column("Work", MONEY),
            Column("Tyres", MONEY),
            Column("Batteries", MONEY),
            Column("Inspections", MONEY),
            Column("Total", MONEY),
        ),
        rows=[cells(row, _group_value(report.group_by, row)) for row in report.rows],
        totals=cells(report.totals, "Total"),
        row_count=len(report.rows),
    )


def cost_of_ownership_table(report: OwnershipReport) -> Table:
    def cells(row: OwnershipRow, first) -> tuple:
        amounts = (row.fuel, row.parts, row.work, row.tires, row.accumulators, row.inspections)
        return (first, *amounts, row.insurance, row.total, row.mileage_km, row.cost_per_km)

    return Table(
        name=f"cost-of-ownership_{report.period.label()}_by-{report.group_by}",
        columns=(
            GROUP_COLUMN[report.group_by],
            Column("Fuel", MONEY),
            Column("Parts", MONEY),
            Column("Work", MONEY),
            Column("Tyres", MONEY),
            Column("Batteries", MONEY),
            Column("Inspections", MONEY),
            Column("Insurance", MONEY),
            Column("Total", MONEY),
            Column("Mileage, km", INTEGER),
            Column("Cost per km", MONEY, width=11),
        ),
        rows=[cells(row, _group_value(report.group_by, row)) for row in report.rows],
        totals=cells(report.totals, "Total"),
        row_count=len(report.rows),
    )


def insurance_inspection_table(report: InsuranceInspectionReport) -> Table:
    period = "_".join(f"{d:%Y-%m-%d}" for d in (report.date_from, report.date_to) if d)
    return Table(
        name=f"insurance-inspection_{period or report.today}",
        columns=(
            Column("Kind", width=11),
            Column("Number plate"),
            Column("Type", width=11),
            Column("Number", TEXT, width=18),
            Column("Start", DATE, width=11),
            Column("End", DATE, width=11),
            Column("Status", width=10),
            Column("Days left", INTEGER, width=10),
        ),
        rows=[
            (i.kind, i.numplate, i.type, i.number, i.start, i.end, i.status, i.days_left)
            for i in report.items
        ],
        totals=("Total", f"{len(report.items)} documents", None, None, None, None, None, None),
        row_count=len(report.items),
    )


def fuel_ledger_table(records: QuerySet[FuelRecord], *, label: str) -> Table:
    """Every fuel record (the raw data behind the fuel report), streamed from a server-side
    cursor in chunks: memory stays flat however many rows there are."""
    rows = with_consumption(records).order_by("period", "car__numplate").values_list(
        "car__numplate",
        Func(F("period"), Value("YYYY-MM"), function="to_char", output_field=CharField()),
        "liters",
        "total_cost",
        "mileage_km",
        "consumption_l_per_100km",
    )

    return Table(
        name=f"fuel-records_{label}",
        columns=(
            Column("Number plate"),
            Column("Month", width=10),
            Column("Liters", DECIMAL),
            Column("Cost", MONEY),
            Column("Mileage, km", INTEGER),
            Column("L/100 km", DECIMAL, width=10),
        ),
        rows=rows.iterator(chunk_size=5000),
        totals=None,
        row_count=counts.count(records),  # the list's cached count, when it has one
    )
