"""The compliance report: is every car in service allowed on the road today, and what falls due
next? The rows and their rules are `tenant_apps.fleet.compliance` (the car detail's summary
reads the same ones); this adds the report's car scope, filters and counts."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from tenant_apps.fleet.compliance import ComplianceRow, ComplianceStatus, compliance_rows
from tenant_apps.fleet.selectors import CompanyClock

from .car_scope import WHOLE_FLEET, CarScope
from .results import ScopedReport


@dataclass(frozen=True)
class ComplianceCounts:
    missing: int
    expired: int
    expiring: int
    active: int


@dataclass(frozen=True)
class ComplianceReport(ScopedReport):
    today: dt.date
    days: int  # the warning window of `expiring`
    status: str | None
    obligation: str | None
    counts: ComplianceCounts  # of every row of the cars and obligation, whatever `status` asks
    rows: tuple[ComplianceRow, ...]


def compliance_report(
    *,
    clock: CompanyClock,
    cars: CarScope = WHOLE_FLEET,
    status: str | None = None,
    obligation: str | None = None,
) -> ComplianceReport:
    """One row per car in scope (decommissioned cars only when the scope asks for them) and
    obligation (or only `obligation`), worst first: `missing`, `expired`, then the soonest due.
    `counts` are over the rows of every status; `status` then keeps those of one. One query."""
    rows = compliance_rows(
        cars=cars.car_queryset(),
        clock=clock,
        **({"obligations": [obligation]} if obligation else {}),
    )
    tally = Counter(row.status for row in rows)
    return ComplianceReport(
        cars=cars,
        today=clock.today,
        days=clock.warning_days,
        status=status,
        obligation=obligation,
        counts=ComplianceCounts(**{name: tally[name] for name in ComplianceStatus.values}),
        rows=tuple(row for row in rows if status is None or row.status == status),
    )
