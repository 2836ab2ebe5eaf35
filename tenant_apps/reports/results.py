"""What the reports return: frozen dataclasses that the JSON, CSV and XLSX writers all read, so
the three formats cannot disagree on a number."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .periods import MonthPeriod


@dataclass(frozen=True)
class FuelRow:
    """One group of fuel records: a month (`2026-03`), a year (`2026`) or a car."""

    period: str | None
    car: int | None
    numplate: str | None
    liters: Decimal
    cost: Decimal
    mileage_km: int
    avg_consumption_l_per_100km: Decimal | None  # total liters / total km × 100


@dataclass(frozen=True)
class FuelConsumptionReport:
    period: MonthPeriod
    group_by: str
    car: int | None
    totals: FuelRow
    rows: tuple[FuelRow, ...]


@dataclass(frozen=True)
class CostRow:
    """Maintenance spending of one group: repairs (parts and work), tyres, batteries and
    inspections, by the day each was installed or done."""

    period: str | None
    car: int | None
    numplate: str | None
    parts: Decimal
    work: Decimal
    tires: Decimal
    accumulators: Decimal
    inspections: Decimal

    @property
    def total(self) -> Decimal:
        return self.parts + self.work + self.tires + self.accumulators + self.inspections


@dataclass(frozen=True)
class MaintenanceCostsReport:
    period: MonthPeriod
    group_by: str
    car: int | None
    totals: CostRow
    rows: tuple[CostRow, ...]


@dataclass(frozen=True)
class DocumentItem:
    """An insurance policy or an inspection certificate and where it stands today."""

    kind: str  # insurance | inspection
    id: int
    car: int
    numplate: str
    type: str  # casco | osago | inspection
    number: str
    start: dt.date
    end: dt.date
    status: str  # active | expiring | expired
    days_left: int


@dataclass(frozen=True)
class DocumentCounts:
    active: int
    expiring: int
    expired: int


@dataclass(frozen=True)
class InsuranceInspectionReport:
    today: dt.date
    days: int
    date_from: dt.date | None
    date_to: dt.date | None
    status: str | None
    counts: DocumentCounts  # over every matching document, whatever `status` asks for
    items: tuple[DocumentItem, ...]
