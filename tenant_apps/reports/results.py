"""What the reports return: frozen dataclasses that the JSON, CSV and XLSX writers all read, so
the three formats cannot disagree on a number."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .car_scope import CarScope
from .periods import MonthPeriod

CENTS = Decimal("0.01")


def round_cents(value: Decimal) -> Decimal:
    """2 places, half away from zero (as PostgreSQL's `round`): every figure of the reports."""
    return value.quantize(CENTS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FuelRow:
    """One group of car-months: a month (`2026-03`), a year (`2026`), a car or a fuel type."""

    period: str | None
    car: int | None
    numplate: str | None
    fuel_type: str | None
    liters: Decimal
    cost: Decimal
    mileage_km: int  # every car-month's km, also of months without fuel
    liters_without_mileage: Decimal  # fuel of car-months without km: not in the average
    avg_consumption_l_per_100km: Decimal | None  # liters / km × 100 of car-months with both


@dataclass(frozen=True)
class ScopedReport:
    """A report over a set of cars (`CarScope`)."""

    cars: CarScope

    @property
    def car(self) -> int | None:
        """The car, when the report is about exactly one."""
        return self.cars.cars[0] if len(self.cars.cars) == 1 else None


@dataclass(frozen=True)
class FuelConsumptionReport(ScopedReport):
    period: MonthPeriod
    group_by: str
    totals: FuelRow
    rows: tuple[FuelRow, ...]


class UpkeepColumns:
    """A row with the five maintenance columns (parts, work, tyres, batteries, inspections)."""

    @property
    def upkeep(self) -> Decimal:
        return self.parts + self.work + self.tires + self.accumulators + self.inspections


@dataclass(frozen=True)
class CostRow(UpkeepColumns):
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
        return self.upkeep


@dataclass(frozen=True)
class MaintenanceCostsReport(ScopedReport):
    period: MonthPeriod
    group_by: str
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
    status: str  # upcoming | active | expiring | expired
    days_left: int


@dataclass(frozen=True)
class DocumentCounts:
    upcoming: int
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


@dataclass(frozen=True)
class OwnershipRow(UpkeepColumns):
    """What a car (or the fleet in a month) cost to run: fuel, upkeep and insurance premiums
    (spread over the days each policy covers), and the km driven."""

    period: str | None
    car: int | None
    numplate: str | None
    fuel: Decimal
    parts: Decimal
    work: Decimal
    tires: Decimal
    accumulators: Decimal
    inspections: Decimal
    insurance: Decimal
    mileage_km: int

    @property
    def total(self) -> Decimal:
        return self.fuel + self.upkeep + self.insurance

    @property
    def cost_per_km(self) -> Decimal | None:
        """The total over the km, rounded half up to 2 places; null at 0 km."""
        if not self.mileage_km:
            return None
        return round_cents(self.total / self.mileage_km)


@dataclass(frozen=True)
class OwnershipReport(ScopedReport):
    period: MonthPeriod
    group_by: str
    totals: OwnershipRow
    rows: tuple[OwnershipRow, ...]
