"""Compliance: may a car be on the road today, and what falls due next? One row per car and
obligation, worked out by PostgreSQL in one query whatever the number of cars. The compliance
report, the car detail's summary and the AI assistant all read these rows.

The rules (README, "Reports and exports"):

- Obligations. `osago`, `inspection`, `fire_extinguisher` and `first_aid_kit` are required of
  every car: a car without any gets a `missing` row. `casco` and `battery_warranty` are
  reported only where recorded: a car that has had a CASCO policy, and a car whose battery (the
  one installed last, on or before today: a battery records no removal) has a `valid_until`.
- Status. `missing`: nothing covers the car and nothing ever did, or only documents that have
  not started yet; for a kit item, no kit or the item absent. `expired`: what covered the car
  has ended and nothing covers it today (a renewal that starts later does not count).
  `expiring`: covered today up to a day within the warning window (today included). `active`:
  covered beyond it, or a kit item present without an expiry date.
- `due`. Policies and certificates that follow each other without a day's gap are one
  uninterrupted cover, and `due` is its last day: a renewal bought ahead, starting the day after
  the current policy ends, is what a fleet manager did about it, so that car is not `expiring`.
  For `expired`, the day the last cover ended; for `missing` with a document yet to start, the
  day it starts; for a kit item and a battery, their expiry date (null for an item present
  without one, and for an absent one).
- `document`: the id of the record `due` is read from (the insurance, inspection or battery
  whose end or start it is), or of the car's kit for kit items (null without a kit).
- `days_left` = `due` - today, negative once passed; null without `due`.
- Order: worst first: `missing`, `expired`, then the soonest `due` (rows without one last), then
  the number plate and the obligation in the order of `Obligation`.

Which cars are in is the caller's choice (a queryset of cars): the reports leave decommissioned
cars out unless asked for them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from django.db import connection, models
from django.db.models import QuerySet
from django.utils.translation import pgettext_lazy

from .models import Car

if TYPE_CHECKING:
    from .selectors import CompanyClock


class Obligation(models.TextChoices):
    """What a car must have to be on the road (the first four), or what is watched where it is
    recorded (the rest); also the order of a car's rows."""

    OSAGO = "osago", pgettext_lazy("obligation", "OSAGO")
    INSPECTION = "inspection", pgettext_lazy("obligation", "Inspection")
    FIRE_EXTINGUISHER = "fire_extinguisher", pgettext_lazy("obligation", "Fire extinguisher")
    FIRST_AID_KIT = "first_aid_kit", pgettext_lazy("obligation", "First-aid kit")
    CASCO = "casco", pgettext_lazy("obligation", "CASCO")
    BATTERY_WARRANTY = "battery_warranty", pgettext_lazy("obligation", "Battery warranty")
    SERVICE = "service", pgettext_lazy("obligation", "Service")


class ComplianceStatus(models.TextChoices):
    """Where an obligation stands today, worst first."""

    # With a context: a car's "Active" is another word in Russian ("В работе").
    MISSING = "missing", pgettext_lazy("compliance status", "Missing")
    EXPIRED = "expired", pgettext_lazy("compliance status", "Expired")
    EXPIRING = "expiring", pgettext_lazy("compliance status", "Expiring")
    ACTIVE = "active", pgettext_lazy("compliance status", "Active")


# Plain strings, as they are sent to the query.
REQUIRED = frozenset(
    o.value
    for o in (
        Obligation.OSAGO,
        Obligation.INSPECTION,
        Obligation.FIRE_EXTINGUISHER,
        Obligation.FIRST_AID_KIT,
    )
)
COVERING = (ComplianceStatus.ACTIVE, ComplianceStatus.EXPIRING)  # the car is covered today


class ComplianceRow(NamedTuple):
    """One obligation of one car, as of today. (Immutable, and a tuple: a report builds tens of
    thousands of them straight from the query's rows.)"""

    car: int
    numplate: str
    obligation: str  # Obligation
    status: str  # ComplianceStatus
    due: dt.date | None
    days_left: int | None  # due - today; negative once passed
    document: int | None  # the insurance, inspection or battery `due` is read from; the kit


# Each source of obligations is a subquery over the CTEs `clock (today, warning_end)` and
# `cars (id, numplate)` that yields `(car_id, numplate, obligation, state, due, document)`, where
# `state` is `covered` (today), `ended`, `upcoming` (only a document yet to start) or `none`; the
# main query turns states into statuses. A new obligation (maintenance plans) is a new source.

_DOCUMENTS = """
    WITH coverage AS (
        SELECT car_id, insurance_type AS obligation, i.id, start_date AS starts, end_date AS ends
        FROM fleet_insurance i JOIN cars c ON c.id = i.car_id
        WHERE insurance_type = ANY(%s::text[])
        UNION ALL
        SELECT car_id, 'inspection', i.id, inspected_at, valid_until
        FROM fleet_inspection i JOIN cars c ON c.id = i.car_id
        WHERE 'inspection' = ANY(%s::text[])
    ),
    reach AS (
        -- the documents that have not ended, each with the last day covered by those of them
        -- that start before it
        SELECT coverage.*, max(ends) OVER (
            PARTITION BY car_id, obligation ORDER BY starts, ends, id
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ) AS reached
        FROM coverage CROSS JOIN clock
        WHERE ends >= today
    ),
    runs AS (
        -- numbered by the run of uninterrupted cover they belong to (a document that starts
        -- after a day nobody covers begins a new run), with the first run's first document
        SELECT *,
            count(*) FILTER (WHERE reached IS NULL OR starts > reached + 1) OVER w AS run,
            first_value(starts) OVER w AS first_starts,
            first_value(id) OVER w AS first_document
        FROM reach
        WINDOW w AS (PARTITION BY car_id, obligation ORDER BY starts, ends, id)
    ),
    next AS (
        -- the first run, by the document it ends with: today's cover if it has started, else
        -- the cover yet to start
        SELECT DISTINCT ON (car_id, obligation) car_id, obligation, first_starts AS starts, ends,
            id AS last_document, first_document
        FROM runs
        WHERE run = 1
        ORDER BY car_id, obligation, ends DESC, id DESC
    ),
    ended AS (
        SELECT DISTINCT ON (car_id, obligation) car_id, obligation, ends, id
        FROM coverage CROSS JOIN clock
        WHERE ends < today
        ORDER BY car_id, obligation, ends DESC, id DESC
    )
    SELECT c.id, c.numplate, o.obligation,
        CASE WHEN n.starts <= today THEN 'covered' WHEN e.ends IS NOT NULL THEN 'ended'
            WHEN n.starts IS NOT NULL THEN 'upcoming' ELSE 'none' END,
        CASE WHEN n.starts <= today THEN n.ends WHEN e.ends IS NOT NULL THEN e.ends
            ELSE n.starts END,
        CASE WHEN n.starts <= today THEN n.last_document WHEN e.ends IS NOT NULL THEN e.id
            ELSE n.first_document END
    FROM cars c
    CROSS JOIN unnest(%s::text[]) AS o (obligation)
    CROSS JOIN clock
    LEFT JOIN next n ON n.car_id = c.id AND n.obligation = o.obligation
    LEFT JOIN ended e ON e.car_id = c.id AND e.obligation = o.obligation
    WHERE n.car_id IS NOT NULL OR e.car_id IS NOT NULL OR o.obligation = ANY(%s::text[])
"""

_KIT = """
    SELECT c.id, c.numplate, item.obligation,
        CASE WHEN NOT coalesce(item.present, false) THEN 'none'
            WHEN item.expires < clock.today THEN 'ended' ELSE 'covered' END,
        item.expires, k.id
    FROM cars c
    CROSS JOIN clock
    LEFT JOIN fleet_kit k ON k.car_id = c.id
    CROSS JOIN LATERAL (
        VALUES ('fire_extinguisher', k.has_fire_extinguisher, k.fire_extinguisher_expires_at),
            ('first_aid_kit', k.has_first_aid_kit, k.first_aid_kit_expires_at)
    ) AS item (obligation, present, expires)
    WHERE item.obligation = ANY(%s::text[])
"""

_BATTERY = """
    SELECT car_id, numplate, 'battery_warranty',
        CASE WHEN valid_until < today THEN 'ended' ELSE 'covered' END, valid_until, id
    FROM (
        -- the battery on the car: the one installed last, by today
        SELECT DISTINCT ON (a.car_id) a.car_id, c.numplate, a.id, a.valid_until, today
        FROM fleet_accumulator a
        JOIN cars c ON c.id = a.car_id
        CROSS JOIN clock
        WHERE a.installed_at <= today
        ORDER BY a.car_id, a.installed_at DESC, a.id DESC
    ) AS on_the_car
    WHERE valid_until IS NOT NULL
"""


# A maintenance plan falls due on the earlier of: its last service plus `interval_months`, and
# the last day of the month in which the car-months after the last service's month (the one
# mileage rule, `selectors.car_month_mileages`) add up to `interval_km`. Neither yet: covered,
# with no due date. One row per plan; `document` is the plan.
_SERVICE = """
    SELECT c.id, c.numplate, 'service',
        CASE WHEN d.due < today THEN 'ended' ELSE 'covered' END, d.due, p.id
    FROM fleet_maintenanceplan p
    JOIN cars c ON c.id = p.car_id
    CROSS JOIN clock
    CROSS JOIN LATERAL (
        SELECT LEAST(
            (p.last_done_at + make_interval(months => p.interval_months))::date,
            (
                SELECT (run.month + interval '1 month - 1 day')::date
                FROM (
                    SELECT km.month, sum(km.km) OVER (ORDER BY km.month) AS driven
                    FROM ({car_months}) AS km (car_id, month, km)
                    WHERE km.car_id = p.car_id
                        AND km.month > date_trunc('month', p.last_done_at)
                ) AS run
                WHERE run.driven >= p.interval_km
                ORDER BY run.month
                LIMIT 1
            )
        ) AS due
    ) AS d
"""


def _car_months() -> tuple[dict[str, str], list]:
    from .selectors import car_month_mileages  # selectors reads compliance rows

    sql, params = car_month_mileages().query.sql_with_params()
    return {"car_months": sql}, list(params)


@dataclass(frozen=True)
class _Source:
    obligations: frozenset[str]
    sql: str
    # The subquery's parameters, from the obligations asked of it and the required ones of them.
    params: Callable[[list[str], list[str]], list]
    # Parts of the SQL built when it runs (`{name}` in `sql`) and their parameters, first.
    parts: Callable[[], tuple[dict[str, str], list]] | None = None


SOURCES = (
    _Source(
        frozenset({"osago", "casco", "inspection"}),
        _DOCUMENTS,
        lambda asked, required: [asked, asked, asked, required],
    ),
    _Source(
        frozenset({"fire_extinguisher", "first_aid_kit"}), _KIT, lambda asked, required: [asked]
    ),
    _Source(frozenset({"battery_warranty"}), _BATTERY, lambda asked, required: []),
    _Source(frozenset({"service"}), _SERVICE, lambda asked, required: [], parts=_car_months),
)

_ROWS = """
    WITH clock (today, warning_end) AS (SELECT %s::date, %s::date),
    cars AS ({cars})
    SELECT r.car_id, r.numplate, r.obligation,
        CASE r.state
            WHEN 'covered' THEN
                CASE WHEN r.due <= clock.warning_end THEN 'expiring' ELSE 'active' END
            WHEN 'ended' THEN 'expired'
            ELSE 'missing' END,
        r.due, r.due - clock.today, r.document
    FROM ({sources}) AS r (car_id, numplate, obligation, state, due, document)
    CROSS JOIN clock
    ORDER BY CASE r.state WHEN 'covered' THEN 2 WHEN 'ended' THEN 1 ELSE 0 END,
        r.due NULLS LAST, r.numplate, array_position(%s::text[], r.obligation)
"""


def compliance_rows(
    *,
    cars: QuerySet[Car],
    clock: CompanyClock,
    obligations: Collection[str] = tuple(Obligation.values),
) -> list[ComplianceRow]:
    """The rows of `cars` for `obligations` (default: all), worst first. One query."""
    obligations = {str(o) for o in obligations}
    cars = cars.order_by().values("id", "numplate")
    cars_sql, cars_params = cars.query.get_compiler(using=cars.db).as_sql()
    subqueries, params = [], []
    for source in SOURCES:
        asked = sorted(source.obligations & obligations)
        if asked:
            sql, part_params = source.sql, []
            if source.parts is not None:
                parts, part_params = source.parts()
                sql = sql.format(**parts)
            subqueries.append(f"({sql})")
            params += part_params + source.params(asked, sorted(REQUIRED.intersection(asked)))
    if not subqueries:
        return []
    sql = _ROWS.format(cars=cars_sql, sources=" UNION ALL ".join(subqueries))
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [clock.today, clock.warning_end, *cars_params, *params, list(Obligation.values)],
        )
        return [ComplianceRow._make(values) for values in cursor.fetchall()]
