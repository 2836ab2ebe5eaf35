"""Lists and the car detail run a fixed number of queries, whatever the number of rows: no
query per row (a missing `select_related`) and no query per record of a car in the aggregates.

Each test warms the endpoint up once (caches of the tenant, the user, the dictionaries), then
counts the queries of the same request with few and with many rows. The exact counts are
asserted too, so that a new query anywhere is noticed and looked at."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared_apps.accounts.roles import Role
from tenant_apps.fleet.models import Car, CarPhoto
from tenant_apps.fleet.selectors import company_today
from tests.factories import (
    AccumulatorFactory,
    CarFactory,
    FuelRecordFactory,
    InspectionFactory,
    InsuranceFactory,
    KitFactory,
    MonthlyMileageFactory,
    RecorderFactory,
    SpareFactory,
    TiresFactory,
)

API = "/api/v1"
FEW, MANY = 5, 50
PHOTO_CAR = "01KG500PHT"


def _photos(n: int, user) -> None:
    car = Car.objects.filter(numplate=PHOTO_CAR).first() or CarFactory(numplate=PHOTO_CAR)
    CarPhoto.objects.bulk_create(
        CarPhoto(car=car, image=f"cars/photos/{i:032x}.png", comment="Side", uploaded_by=user)
        for i in range(n)
    )


# Every list takes 3 queries: `SET search_path` to the company, the page's count (the photos'
# car, for photos: they are not paginated) and the page; the host's company and the token's user
# come from their caches after the warm-up. A repeated list takes 2: its count comes from the count
# cache until the company's data changes (shared_apps/core/counts.py). Each list: how to add n rows
# to it (every record on a car of its own), and whether it is paginated.
LIST_QUERIES, CACHED_COUNT_QUERIES = 3, 2
LISTS = {
    "cars": (lambda n, user: CarFactory.create_batch(n, driver=user), True),
    "spares": (lambda n, user: SpareFactory.create_batch(n), True),
    "tires": (lambda n, user: TiresFactory.create_batch(n), True),
    "accumulators": (lambda n, user: AccumulatorFactory.create_batch(n), True),
    "fuel-records": (lambda n, user: FuelRecordFactory.create_batch(n), True),
    "insurances": (lambda n, user: InsuranceFactory.create_batch(n), True),
    "inspections": (lambda n, user: InspectionFactory.create_batch(n), True),
    "recorders": (lambda n, user: RecorderFactory.create_batch(n), True),
    "kits": (lambda n, user: KitFactory.create_batch(n), True),
    "monthly-mileages": (lambda n, user: MonthlyMileageFactory.create_batch(n), True),
    "cars/{photo_car}/photos": (_photos, False),
}


def counted_get(client, url: str, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), response.json()


def list_url(name: str) -> str:
    photo_car = Car.objects.filter(numplate=PHOTO_CAR).values_list("pk", flat=True).first()
    return f"{API}/{name.format(photo_car=photo_car)}/"


def rows_of(body) -> list:
    return body["results"] if isinstance(body, dict) else body  # photos are not paginated


@pytest.mark.parametrize("name", LISTS)
def test_list_queries_do_not_grow_with_rows(in_acme, acme_as, name):
    add_rows, paginated = LISTS[name]
    client = acme_as(Role.GUEST)
    add_rows(FEW, client.user)
    url = list_url(name)
    client.get(url)  # warm-up: the tenant's and the user's caches, and the count

    few, few_body = counted_get(client, url, page_size=200)
    add_rows(MANY - FEW, client.user)  # the company's data changes: the count is run again
    many, many_body = counted_get(client, url, page_size=200)
    again, again_body = counted_get(client, url, page_size=200)

    assert (len(rows_of(few_body)), len(rows_of(many_body))) == (FEW, MANY)
    assert again_body == many_body
    if paginated:
        assert (few_body["count"], many_body["count"]) == (FEW, MANY)
        assert (few, many, again) == (CACHED_COUNT_QUERIES, LIST_QUERIES, CACHED_COUNT_QUERIES)
    else:
        assert (few, many, again) == (LIST_QUERIES, LIST_QUERIES, LIST_QUERIES)


def _history(car: Car, months: range, year: int) -> None:
    """A fuel record and a repair for each of `months`, counted back from December of `year`:
    fuel records spread over the years before; the repairs all fall in `year`."""
    for i in months:
        FuelRecordFactory(car=car, year=year - i // 12, month=12 - i % 12)
        SpareFactory(car=car, installed_at=dt.date(year, 1, 1))


def test_car_detail_queries_do_not_grow_with_history(acme, in_acme, acme_as):
    year = company_today(acme).year
    car = CarFactory()
    insurance = InsuranceFactory(car=car, end_date=dt.date(year + 1, 1, 31))
    inspection = InspectionFactory(
        car=car, inspected_at=dt.date(year, 2, 1), valid_until=dt.date(year + 1, 1, 31)
    )
    client = acme_as(Role.GUEST)
    url = f"{API}/cars/{car.pk}/"
    _history(car, range(FEW), year)
    client.get(url)

    few, few_body = counted_get(client, url)
    _history(car, range(FEW, MANY), year)
    many, many_body = counted_get(client, url)

    # Fuel: 42.50 l for 2975.00 a month; 5 months, then the 12 of this year. Repairs: 2000.00
    # each, plus the inspection's 1100.00.
    assert [
        (b["fuel_liters"], b["fuel_cost"], b["maintenance_cost"])
        for b in (few_body["summary"], many_body["summary"])
    ] == [
        ("212.50", "14875.00", "11100.00"),
        ("510.00", "35700.00", "101100.00"),
    ]
    summary = many_body["summary"]
    assert (summary["next_insurance"]["id"], summary["next_inspection"]["id"]) == (
        insurance.pk,
        inspection.pk,
    )
    assert few == many
    # SET, car, aggregates, compliance, next insurance, next inspection
    assert many == 6
