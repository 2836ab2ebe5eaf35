"""The large company every benchmark reads: 10,000 cars, 120 months of fuel for each
(1,200,000 fuel records, 2017-01 .. 2026-12) and 20 repairs each (200,000 spares).

PostgreSQL inserts the rows itself (INSERT ... SELECT over generate_series), once: the data stays
in .data/bench between runs and is seeded again only when a count is off."""

import time

CARS = 10_000
MONTHS = 120
LAST_YEAR, LAST_MONTH = 2026, 12
FIRST_MONTH = "2017-01"
REPAIRS_PER_CAR = 20
FUEL_RECORDS = CARS * MONTHS
REPAIRS = CARS * REPAIRS_PER_CAR

CARS_SQL = """
    INSERT INTO fleet_car (region, brand, fuel_type, vehicle_type, title, numplate, vin,
        driver_name, driver_phone, fuel_card, status, created_at, updated_at, year)
    SELECT 'bishkek', 'toyota', 'petrol', 'car', 'Camry', '01KG' || lpad(i::text, 6, '0'),
        '', 'Driver ' || i, '', '', 'active', now(), now(), 2010 + i %% 16
    FROM generate_series(1, %(cars)s) AS i
"""
FUEL_SQL = """
    INSERT INTO fleet_fuelrecord (car_id, year, month, liters, total_cost, mileage_km,
        created_at, updated_at)
    SELECT c.id, extract(year FROM d)::int, extract(month FROM d)::int, l.liters,
        round(l.liters * 68.5, 2), (800 + (c.id * 37 + m * 11) %% 3200), now(), now()
    FROM fleet_car c
    CROSS JOIN generate_series(0, %(months)s - 1) AS m
    CROSS JOIN LATERAL (SELECT make_date(%(year)s, %(month)s, 1) - make_interval(months => m)
        AS d) p
    CROSS JOIN LATERAL (SELECT round((40 + (c.id + m) %% 300 / 3.0)::numeric, 2) AS liters) l
"""
REPAIRS_SQL = """
    INSERT INTO fleet_spare (car_id, name, category, description, part_price, work_description,
        work_price, installed_at, created_at, updated_at)
    SELECT c.id, 'Brake pads', 'brakes', '', 1500 + (c.id + r) %% 900, 'Replaced',
        500 + (c.id * r) %% 400, make_date(2017, 1, 1) + ((c.id + r * 173) %% 3650)::int,
        now(), now()
    FROM fleet_car c CROSS JOIN generate_series(1, %(repairs)s) AS r
"""


def seed() -> None:
    """Seed the current schema (the bench company's) unless it already holds the data set."""
    from django.db import connection

    from shared_apps.core import counts
    from tenant_apps.fleet.models import Car, FuelRecord, Spare

    present = (Car.objects.count(), FuelRecord.objects.count(), Spare.objects.count())
    if present == (CARS, FUEL_RECORDS, REPAIRS):
        return
    started = time.perf_counter()
    params = {
        "cars": CARS,
        "months": MONTHS,
        "year": LAST_YEAR,
        "month": LAST_MONTH,
        "repairs": REPAIRS_PER_CAR,
    }
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE fleet_car RESTART IDENTITY CASCADE")
        for sql in (CARS_SQL, FUEL_SQL, REPAIRS_SQL):
            cursor.execute(sql, params)
    # A fresh table's visibility map is empty: VACUUM lets counts use index-only scans, as they
    # would on a company's long-lived tables.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE fleet_car, fleet_fuelrecord, fleet_spare")
    counts.data_changed()  # raw SQL bypasses the signals that keep cached list counts exact
    print(
        f"Seeded {CARS:,} cars, {FUEL_RECORDS:,} fuel records and {REPAIRS:,} repairs "
        f"in {time.perf_counter() - started:.0f} s.",
        flush=True,
    )
