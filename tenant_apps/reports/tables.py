"""Reports (and the fuel ledger) as tables: typed columns, rows and a totals row, which the CSV
and XLSX writers turn into files. Rows may be a lazy iterator, so a million-row table is never
held in memory.

A table is written in the language of whoever asked for it (`export_language`): the language
active when it is built (the request's, or the export's creator's in the worker). Titles and the
totals label are lazy texts, and code columns name their codes (`Column.names`); the writers
turn both into text of the table's `language`. The rows keep the codes the JSON shows."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import CharField, F, Func, QuerySet, Value
from django.utils import translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext

from shared_apps.core import counts
from shared_apps.dictionaries.models import DictionaryKind
from shared_apps.dictionaries.selectors import dictionary_list
from tenant_apps.fleet.models import DocumentStatus, FuelRecord, InsuranceType
from tenant_apps.fleet.selectors import with_consumption

from .compliance import ComplianceReport
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
# a status, or its name in our own translations), written as it is.
TEXT, CODE, INTEGER, DECIMAL, MONEY, DATE = "text", "code", "integer", "decimal", "money", "date"

EXPORT_LANGUAGES = ("ru", "en")
# Files are written in Russian for everyone else: Kyrgyz users read Russian reports.
EXPORT_FALLBACK_LANGUAGE = "ru"


def export_language(code: str | None) -> str:
    """The language of a report file for someone who reads `code` (`ru`, `en`, `ky`, `en-us`)."""
    language = (code or "").split("-")[0].lower()
    return language if language in EXPORT_LANGUAGES else EXPORT_FALLBACK_LANGUAGE


def _active_export_language() -> str:
    return export_language(translation.get_language())


@dataclass(frozen=True)
class Column:
    title: str | Promise  # lazy: written in the table's language
    kind: str = CODE
    width: int = 14
    # The name of each code the column holds, in the active language (a code without one is
    # written as it is); called by the writers in the table's language.
    names: Callable[[], Mapping[str, str]] | None = None


@dataclass(frozen=True)
class Table:
    name: str  # also the start of the file name: ASCII whatever the language
    columns: tuple[Column, ...]
    rows: Iterable[tuple]
    totals: tuple | None = None  # may hold lazy texts, written in the table's language
    row_count: int | None = None  # known in advance for progress reporting
    # The language the table is written in: the one active when it is built, so that a CSV
    # streamed after its request is still written in the request's language.
    language: str = field(default_factory=_active_export_language)


TOTAL = _("Total")


def _documents_count(count: int) -> str:
    return ngettext("%(count)d document", "%(count)d documents", count) % {"count": count}


# "4 documents", lazy: the plural is chosen in the table's language (Russian has three forms).
documents_count = lazy(_documents_count, str)


def fuel_type_names() -> dict[str, str]:
    """Fuel types by the platform's dictionary, which names each in every language."""
    entries = dictionary_list(kind=DictionaryKind.FUEL_TYPES)
    return {entry["code"]: entry["name"] for entry in entries}


# An English file shows the codes themselves, as the JSON does (the enums' labels would show
# "Active"): each msgid below is its code, with a context, since "active" or "inspection" mean
# other things elsewhere.


def document_kind_names() -> dict[str, str]:
    return {
        "insurance": pgettext("document kind", "insurance"),
        "inspection": pgettext("document kind", "inspection"),
    }


def document_type_names() -> dict[str, str]:
    return {
        InsuranceType.CASCO: pgettext("document type", "casco"),
        InsuranceType.OSAGO: pgettext("document type", "osago"),
        "inspection": pgettext("document type", "inspection"),
    }


def document_status_names() -> dict[str, str]:
    return {
        DocumentStatus.UPCOMING: pgettext("document status", "upcoming"),
        DocumentStatus.ACTIVE: pgettext("document status", "active"),
        DocumentStatus.EXPIRING: pgettext("document status", "expiring"),
        DocumentStatus.EXPIRED: pgettext("document status", "expired"),
    }


GROUP_COLUMN = {
    "month": Column(_("Month"), width=10),
    "year": Column(_("Year"), width=8),
    "car": Column(_("Number plate"), width=14),
    "fuel_type": Column(_("Fuel type"), width=14, names=fuel_type_names),
}


def _group_value(group_by: str, row: FuelRow | CostRow) -> str:
    if group_by == "car":
        return row.numplate
    if group_by == "fuel_type":
        return row.fuel_type
    return row.period


# Upkeep, as the maintenance report and the cost of ownership both break it down.
UPKEEP_COLUMNS = (
    Column(_("Parts"), MONEY),
    Column(_("Work"), MONEY),
    Column(_("Tyres"), MONEY),
    Column(_("Batteries"), MONEY),
    Column(_("Inspections"), MONEY),
)


def _upkeep(row: CostRow | OwnershipRow) -> tuple:
    return (row.parts, row.work, row.tires, row.accumulators, row.inspections)


def _grouped_table(report, name: str, columns: tuple[Column, ...], cells: Callable) -> Table:
    """A report of groups (months, years, cars, fuel types): the group column, then `columns`
    filled by `cells(row)`, and the totals row."""
    return Table(
        name=f"{name}_{report.period.label()}_by-{report.group_by}",
        columns=(GROUP_COLUMN[report.group_by], *columns),
        rows=[(_group_value(report.group_by, row), *cells(row)) for row in report.rows],
        totals=(TOTAL, *cells(report.totals)),
        row_count=len(report.rows),
    )


def fuel_consumption_table(report: FuelConsumptionReport) -> Table:
    return _grouped_table(
        report,
        "fuel-consumption",
        (
            Column(_("Liters"), DECIMAL),
            Column(_("Cost"), MONEY),
            Column(_("Mileage, km"), INTEGER),
            Column(_("Liters without mileage"), DECIMAL, width=18),
            Column(_("L/100 km"), DECIMAL, width=10),
        ),
        lambda row: (
            row.liters,
            row.cost,
            row.mileage_km,
            row.liters_without_mileage,
            row.avg_consumption_l_per_100km,
        ),
    )


def maintenance_costs_table(report: MaintenanceCostsReport) -> Table:
    return _grouped_table(
        report,
        "maintenance-costs",
        (*UPKEEP_COLUMNS, Column(TOTAL, MONEY)),
        lambda row: (*_upkeep(row), row.total),
    )


def cost_of_ownership_table(report: OwnershipReport) -> Table:
    return _grouped_table(
        report,
        "cost-of-ownership",
        (
            Column(_("Fuel"), MONEY),
            *UPKEEP_COLUMNS,
            Column(_("Insurance"), MONEY),
            Column(TOTAL, MONEY),
            Column(_("Mileage, km"), INTEGER),
            Column(_("Cost per km"), MONEY, width=14),
        ),
        lambda row: (
            row.fuel,
            *_upkeep(row),
            row.insurance,
            row.total,
            row.mileage_km,
            row.cost_per_km,
        ),
    )


def insurance_inspection_table(report: InsuranceInspectionReport) -> Table:
    period = "_".join(f"{d:%Y-%m-%d}" for d in (report.date_from, report.date_to) if d)
    return Table(
        name=f"insurance-inspection_{period or report.today}",
        columns=(
            Column(_("Kind"), width=11, names=document_kind_names),
            Column(_("Number plate")),
            Column(_("Type"), width=11, names=document_type_names),
            Column(_("Number"), TEXT, width=18),
            Column(_("Start"), DATE, width=11),
            Column(_("End"), DATE, width=11),
            Column(_("Status"), width=16, names=document_status_names),
            Column(_("Days left"), INTEGER, width=13),
        ),
        rows=[
            (i.kind, i.numplate, i.type, i.number, i.start, i.end, i.status, i.days_left)
            for i in report.items
        ],
        totals=(TOTAL, documents_count(len(report.items)), None, None, None, None, None, None),
        row_count=len(report.items),
    )


def fuel_ledger_table(records: QuerySet[FuelRecord], *, label: str) -> Table:
    """Every fuel record (the raw data behind the fuel report), streamed from a server-side
    cursor in chunks: memory stays flat however many rows there are."""
    rows = (
        with_consumption(records)
        .order_by("period", "car__numplate")
        .values_list(
            "car__numplate",
            Func(F("period"), Value("YYYY-MM"), function="to_char", output_field=CharField()),
            "liters",
            "total_cost",
            "mileage_km",
            "consumption_l_per_100km",
        )
    )

    return Table(
        name=f"fuel-records_{label}",
        columns=(
            Column(_("Number plate")),
            Column(_("Month"), width=10),
            Column(_("Liters"), DECIMAL),
            Column(_("Cost"), MONEY),
            Column(_("Mileage, km"), INTEGER),
            Column(_("L/100 km"), DECIMAL, width=10),
        ),
        rows=rows.iterator(chunk_size=5000),
        totals=None,
        row_count=counts.count(records),  # the list's cached count, when it has one
    )


def _obligations_count(count: int) -> str:
    return ngettext("%(count)d obligation", "%(count)d obligations", count) % {"count": count}


obligations_count = lazy(_obligations_count, str)


# Codes as the JSON has them, named in the table's language (see `document_type_names`).


def obligation_names() -> dict[str, str]:
    return {
        "osago": pgettext("obligation", "osago"),
        "inspection": pgettext("obligation", "inspection"),
        "fire_extinguisher": pgettext("obligation", "fire_extinguisher"),
        "first_aid_kit": pgettext("obligation", "first_aid_kit"),
        "casco": pgettext("obligation", "casco"),
        "battery_warranty": pgettext("obligation", "battery_warranty"),
        "service": pgettext("obligation", "service"),
    }


def compliance_status_names() -> dict[str, str]:
    return {
        "missing": pgettext("compliance status", "missing"),
        "expired": pgettext("compliance status", "expired"),
        "expiring": pgettext("compliance status", "expiring"),
        "active": pgettext("compliance status", "active"),
    }


def compliance_table(report: ComplianceReport) -> Table:
    return Table(
        name=f"compliance_{report.today:%Y-%m-%d}",
        columns=(
            Column(_("Number plate")),
            Column(_("Obligation"), width=22, names=obligation_names),
            Column(_("Status"), width=16, names=compliance_status_names),
            Column(_("Due"), DATE, width=11),
            Column(_("Days left"), INTEGER, width=13),
        ),
        rows=[(r.numplate, r.obligation, r.status, r.due, r.days_left) for r in report.rows],
        totals=(TOTAL, obligations_count(len(report.rows)), None, None, None),
        row_count=len(report.rows),
    )
