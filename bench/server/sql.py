"""The rows of each benchmarked list's first page, as the API writes them, from one raw SQL
query each: what the bare view (behind Django) and the floor (no Django) both serve. Decimals
are cast to text as the API writes them; orjson writes the dates and datetimes."""

import datetime as dt

PAGE_SIZE = 100
WARNING_DAYS = 30  # the bench company's (the default)

QUERIES = {
    "cars": """
        SELECT id, numplate, title, brand, region, vehicle_type, fuel_type, year, status,
            driver_name, driver_id AS driver
        FROM fleet_car ORDER BY numplate LIMIT %(limit)s
    """,
    "fuel-records": """
        SELECT f.id, f.car_id AS car, c.numplate AS car_numplate, f.year, f.month,
            f.liters::text AS liters, f.total_cost::text AS total_cost, f.mileage_km,
            round(f.liters * 100 / NULLIF(COALESCE(m.mileage_km, f.mileage_km), 0), 2)::text
                AS consumption_l_per_100km,
            f.created_at, f.updated_at
        FROM fleet_fuelrecord f JOIN fleet_car c ON c.id = f.car_id
        LEFT JOIN fleet_monthlymileage m ON m.car_id = f.car_id AND m.month = f.period
        ORDER BY f.period DESC, f.id DESC LIMIT %(limit)s
    """,
    "spares": """
        SELECT s.id, s.car_id AS car, c.numplate AS car_numplate, s.name, s.category,
            s.description, s.part_price::text AS part_price, s.work_description,
            s.work_price::text AS work_price, s.total_price::text AS total_price,
            s.installed_at, s.created_at, s.updated_at
        FROM fleet_spare s JOIN fleet_car c ON c.id = s.car_id
        ORDER BY s.installed_at DESC, s.id DESC LIMIT %(limit)s
    """,
    "insurances": """
        SELECT i.id, i.car_id AS car, c.numplate AS car_numplate, i.insurance_type, i.number,
            i.start_date, i.end_date, i.cost::text AS cost,
            CASE WHEN i.start_date > %(today)s THEN 'upcoming'
                WHEN i.end_date < %(today)s THEN 'expired'
                WHEN i.end_date <= %(warning_end)s THEN 'expiring'
                ELSE 'active' END AS status,
            i.end_date - %(today)s AS days_left, i.created_at, i.updated_at
        FROM fleet_insurance i JOIN fleet_car c ON c.id = i.car_id
        ORDER BY i.end_date, i.id LIMIT %(limit)s
    """,
}


def query_params() -> dict:
    today = dt.date.today()
    return {
        "limit": PAGE_SIZE,
        "today": today,
        "warning_end": today + dt.timedelta(days=WARNING_DAYS),
    }
