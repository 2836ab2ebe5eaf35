"""The large company every benchmark reads: 10,000 cars, 120 months of fuel for each
(1,200,000 fuel records, 2017-01 .. 2026-12) and 20 repairs each (200,000 spares); and what the
compliance report reads (`seed_compliance`): each car's OSAGO and inspection history, CASCO for a
third of them, a kit for 95% and two batteries, dated around the day they are seeded.

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


# What the compliance report reads, around the day of seeding (`d` = CURRENT_DATE). Each car has
# last year's OSAGO and this year's, which ends between yesterday and in 363 days (k = id % 365);
# every tenth car's starts 25 days after the last ended (a lapse). Likewise two inspections.
# A third of the cars have CASCO; 95% a kit (some items absent, undated or expired); two
# batteries each, the later one with a warranty date on every other car. Run without parameters,
# so `%` is PostgreSQL's modulo as it is; `i` is the car's id as an integer, which a date adds.
COMPLIANCE_SQL = (
    """
    WITH cars AS (SELECT id, id::int AS i FROM fleet_car)
    INSERT INTO fleet_insurance (car_id, insurance_type, number, start_date, end_date, cost,
        created_at, updated_at)
    SELECT c.id, 'osago', 'OS-' || c.id || '-' || n, s.start_date, s.start_date + 364, 3200,
        now(), now()
    FROM cars c
    CROSS JOIN generate_series(1, 2) AS n
    CROSS JOIN LATERAL (SELECT CURRENT_DATE - 730 + c.i % 365 + 365 * (n - 1)
        + CASE WHEN n = 2 AND c.i % 10 = 0 THEN 25 ELSE 0 END AS start_date) s
    """,
    """
    WITH cars AS (SELECT id, id::int AS i FROM fleet_car)
    INSERT INTO fleet_insurance (car_id, insurance_type, number, start_date, end_date, cost,
        created_at, updated_at)
    SELECT c.id, 'casco', 'CA-' || c.id, CURRENT_DATE - 200 + c.i % 100,
        CURRENT_DATE + 164 + c.i % 100, 24000, now(), now()
    FROM cars c WHERE c.i % 3 = 0
    """,
    """
    WITH cars AS (SELECT id, id::int AS i FROM fleet_car)
    INSERT INTO fleet_inspection (car_id, number, inspected_at, valid_until, cost, created_at,
        updated_at)
    SELECT c.id, 'TO-' || c.id || '-' || n, s.day, s.day + 364, 1100, now(), now()
    FROM cars c
    CROSS JOIN generate_series(1, 2) AS n
    CROSS JOIN LATERAL (SELECT CURRENT_DATE - 730 + c.i * 7 % 365 + 365 * (n - 1) AS day) s
    """,
    """
    WITH cars AS (SELECT id, id::int AS i FROM fleet_car)
    INSERT INTO fleet_kit (car_id, has_jack, has_wheel_wrench, has_warning_triangle,
        has_fire_extinguisher, fire_extinguisher_expires_at, has_first_aid_kit,
        first_aid_kit_expires_at, has_tow_rope, created_at, updated_at)
    SELECT c.id, true, true, true, c.i % 7 <> 0,
        CASE WHEN c.i % 7 <> 0 THEN CURRENT_DATE - 30 + c.i % 700 END, true,
        CASE WHEN c.i % 4 <> 0 THEN CURRENT_DATE - 50 + c.i % 500 END, false, now(), now()
    FROM cars c WHERE c.i % 20 <> 0
    """,
    """
    WITH cars AS (SELECT id, id::int AS i FROM fleet_car)
    INSERT INTO fleet_accumulator (car_id, model, serial_number, capacity_ah, price,
        installed_at, valid_until, photo, created_at, updated_at)
    SELECT c.id, 'Varta Blue Dynamic', '', 60, 7500, s.installed_at,
        CASE WHEN n = 1 OR c.i % 2 = 0 THEN s.installed_at + 730 END, '', now(), now()
    FROM cars c
    CROSS JOIN generate_series(1, 2) AS n
    CROSS JOIN LATERAL (SELECT CURRENT_DATE - CASE WHEN n = 1 THEN 1500 ELSE c.i % 900 END
        AS installed_at) s
    """,
)
COMPLIANCE_TABLES = ("fleet_insurance", "fleet_inspection", "fleet_kit", "fleet_accumulator")
INSURANCES = 2 * CARS + CARS // 3


def seed_compliance() -> None:
    """Seed the documents, kits and batteries of the current schema's cars (after `seed`)
    unless they are there."""
    from django.db import connection

    from shared_apps.core import counts
    from tenant_apps.fleet.models import Insurance

    if Insurance.objects.count() == INSURANCES:
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(COMPLIANCE_TABLES)} RESTART IDENTITY")
        for sql in COMPLIANCE_SQL:
            cursor.execute(sql)
        cursor.execute(f"VACUUM ANALYZE {', '.join(COMPLIANCE_TABLES)}")
    counts.data_changed()
    print(
        f"Seeded the documents, kits and batteries of {CARS:,} cars "
        f"in {time.perf_counter() - started:.0f} s.",
        flush=True,
    )
