"""The baseline of the API benchmark: the rows of a list endpoint's first page from one raw SQL
query, serialised with orjson, behind the same middleware and the same JWT authentication as the
API, but without DRF's view, filter, pagination (no count) and serializer machinery."""

import orjson
from django.db import connection
from django.http import HttpResponse
from django.utils.dates import MONTHS
from rest_framework.exceptions import AuthenticationFailed

from shared_apps.accounts.authentication import CompanyJWTAuthentication

PAGE_SIZE = 100

CARS_SQL = """
    SELECT id, numplate, title, brand, region, vehicle_type, fuel_type, year, status,
        driver_name, driver_id AS driver
    FROM fleet_car ORDER BY numplate LIMIT %s
"""
FUEL_RECORDS_SQL = """
    SELECT f.id, f.car_id AS car, c.numplate AS car_numplate, f.year, f.month,
        f.liters::text AS liters, f.total_cost::text AS total_cost, f.mileage_km,
        round(f.liters * 100 / NULLIF(COALESCE(m.mileage_km, f.mileage_km), 0), 2)::text
            AS consumption_l_per_100km,
        f.created_at, f.updated_at
    FROM fleet_fuelrecord f JOIN fleet_car c ON c.id = f.car_id
    LEFT JOIN fleet_monthlymileage m ON m.car_id = f.car_id AND m.month = f.period
    ORDER BY f.period DESC, c.numplate LIMIT %s
"""


def _rows(request, sql: str) -> list[dict] | HttpResponse:
    try:
        if CompanyJWTAuthentication().authenticate(request) is None:
            return HttpResponse(status=401)
    except AuthenticationFailed:
        return HttpResponse(status=401)
    with connection.cursor() as cursor:
        cursor.execute(sql, [PAGE_SIZE])
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _json(rows: list[dict]) -> HttpResponse:
    return HttpResponse(orjson.dumps({"results": rows}), content_type="application/json")


def bare_cars(request):
    rows = _rows(request, CARS_SQL)
    return rows if isinstance(rows, HttpResponse) else _json(rows)


def bare_fuel_records(request):
    rows = _rows(request, FUEL_RECORDS_SQL)
    if isinstance(rows, HttpResponse):
        return rows
    for row in rows:
        row["month_name"] = str(MONTHS[row["month"]])
    return _json(rows)
