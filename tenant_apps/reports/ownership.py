"""The cost of ownership: what each car (or the fleet each month) cost to run, all in, and per
kilometre. Fuel and kilometres come from the fuel report's car-months, upkeep from the
maintenance report's sums; insurance premiums are spread over the days each policy covers."""

from decimal import Decimal

from django.db import connection

from .car_scope import WHOLE_FLEET, CarScope
from .periods import MonthPeriod
from .results import OwnershipReport, OwnershipRow, round_cents
from .selectors import (
    COST_COLUMNS,
    GROUP_BY_CAR,
    GROUP_BY_MONTH,
    ZERO,
    fuel_consumption_report,
    maintenance_cost_sums,
)

OWNERSHIP_GROUPINGS = (GROUP_BY_CAR, GROUP_BY_MONTH)

# Each policy's premium, shared among the months of the period by the days of each month it
# covers: a 12,000 policy for 365 days puts 12,000 × 31 / 365 = 1,019.18 in March.
_PREMIUM_SHARES = """
    SELECT {key} AS key, SUM(
        i.cost * (LEAST(i.end_date, (m + INTERVAL '1 month - 1 day')::date)
                  - GREATEST(i.start_date, m::date) + 1)
        / (i.end_date - i.start_date + 1)
    ) AS premium
    FROM fleet_insurance i
    CROSS JOIN LATERAL generate_series(
        date_trunc('month', GREATEST(i.start_date, %s::date)),
        date_trunc('month', LEAST(i.end_date, %s::date)),
        INTERVAL '1 month'
    ) AS m
    WHERE i.start_date <= %s AND i.end_date >= %s AND i.car_id IN ({cars})
    GROUP BY 1
"""


def premium_shares(*, period: MonthPeriod, group_by: str, cars: CarScope) -> dict:
    """key (the month's first day, or the car) → the premiums falling in it, unrounded."""
    cars_sql, cars_params = cars.car_queryset().values("pk").query.sql_with_params()
    key = "m::date" if group_by == GROUP_BY_MONTH else "i.car_id"
    sql = _PREMIUM_SHARES.format(key=key, cars=cars_sql)
    params = (period.first, period.end, period.end, period.first, *cars_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def cost_of_ownership_report(
    *, period: MonthPeriod, group_by: str = GROUP_BY_CAR, cars: CarScope = WHOLE_FLEET
) -> OwnershipReport:
    """Fuel, upkeep and insurance over whole months, by car or month, with the km driven and
    the cost per km (null at 0 km). Months without costs are rows of zeros; grouped by car, a
    car with neither costs nor km has no row."""
    fuel_rows = fuel_consumption_report(period=period, group_by=group_by, cars=cars).rows
    by_month = group_by == GROUP_BY_MONTH
    # The fuel report labels a month `YYYY-MM`; the other sources key it by its first day.
    fuel = {row.period if by_month else row.car: row for row in fuel_rows}
    upkeep, numplates = maintenance_cost_sums(period=period, group_by=group_by, cars=cars)
    premiums = premium_shares(period=period, group_by=group_by, cars=cars)

    if group_by == GROUP_BY_MONTH:
        keys = period.months()
    else:
        numplates |= {car: row.numplate for car, row in fuel.items()}
        missing = set(premiums) - set(numplates)
        if missing:
            numplates |= dict(
                cars.car_queryset().filter(pk__in=missing).values_list("pk", "numplate")
            )
        keys = sorted(numplates, key=numplates.__getitem__)

    def row_of(key) -> OwnershipRow:
        costs = upkeep.get(key, dict.fromkeys(COST_COLUMNS, ZERO))
        fuel_row = fuel.get(f"{key:%Y-%m}" if by_month else key)
        return OwnershipRow(
            period=f"{key:%Y-%m}" if group_by == GROUP_BY_MONTH else None,
            car=key if group_by == GROUP_BY_CAR else None,
            numplate=numplates[key] if group_by == GROUP_BY_CAR else None,
            fuel=fuel_row.cost if fuel_row else ZERO,
            **costs,
            insurance=round_cents(Decimal(premiums.get(key, 0))),
            mileage_km=fuel_row.mileage_km if fuel_row else 0,
        )

    rows = tuple(row_of(key) for key in keys)
    totals = OwnershipRow(
        period=None,
        car=None,
        numplate=None,
        **{
            column: sum((getattr(row, column) for row in rows), ZERO)
            for column in ("fuel", *COST_COLUMNS, "insurance")
        },
        mileage_km=sum(row.mileage_km for row in rows),
    )
    return OwnershipReport(period=period, group_by=group_by, cars=cars, totals=totals, rows=rows)
