"""A list page is read off an index, never sorted: PostgreSQL's plan of each list's default page,
and of every ordering the API offers on the big tables (cars, fuel records, monthly mileages,
repairs), has no Sort node. The plans are asked with sorting priced out (`enable_sort = off`):
an index that gives the order is then always taken, and a Sort left in the plan means no index
gives it, whatever the size of the test's tables. One sort is fine: of each car's few rows in
turn, cars read in plate order (a car's maintenance plans by name: an Incremental Sort whose
presorted key is the plate)."""

import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from shared_apps.accounts.roles import Role
from tenant_apps.fleet.urls import router

VIEWSETS = {prefix: viewset for prefix, viewset, _basename in router.registry}
LISTS = [prefix for prefix, viewset in VIEWSETS.items() if hasattr(viewset, "list")]
BIG_TABLES = ["cars", "fuel-records", "monthly-mileages", "spares"]
# Computed per row from two tables: no index can hold it. Narrow by car or period first.
UNINDEXABLE = {("fuel-records", "consumption_l_per_100km")}
ORDERINGS = [
    (prefix, f"{sign}{field}")
    for prefix in BIG_TABLES
    for field in VIEWSETS[prefix].ordering_fields
    if (prefix, field) not in UNINDEXABLE
    for sign in ("", "-")
]


def page_query(client, path: str) -> str:
    """The SQL of the page's rows (the one SELECT of a fleet table with a LIMIT) that the list
    ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content
    (sql,) = [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT") and ' FROM "fleet_' in q["sql"] and " LIMIT " in q["sql"]
    ]
    return sql


def selected_column(sql: str, term: str) -> str:
    """An ORDER BY term with a position (`7 DESC`: a page read as values orders by the
    selected columns' positions) written as the column it names."""
    position, _, direction = term.partition(" ")
    if not position.isdigit():
        return term
    items, depth, start = [], 0, len("SELECT ")
    select = sql[: sql.index(" FROM ")]
    for index, char in enumerate(select):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            items.append(select[start:index].strip())
            start = index + 1
    items.append(select[start:].strip())
    column = items[int(position) - 1].split(" AS ")[0]
    return f"{column} {direction}"


def sorts_in_plan(sql: str) -> list[dict]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        (plan,) = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found, nodes = [], [plan["Plan"]]
    while nodes:
        node = nodes.pop()
        one_car_at_a_time = node.get("Presorted Key") == ["fleet_car.numplate"]
        if "Sort" in node["Node Type"] and not one_car_at_a_time:
            found.append({k: node.get(k) for k in ("Node Type", "Sort Key", "Presorted Key")})
        nodes.extend(node.get("Plans", []))
    return found


@pytest.mark.parametrize("prefix", LISTS)
def test_a_default_page_is_not_sorted(acme_as, every_kind_of_row, prefix):
    sql = page_query(acme_as(Role.GUEST), f"/api/v1/{prefix}/?page_size=100")

    assert sorts_in_plan(sql) == [], sql


@pytest.mark.parametrize(("prefix", "ordering"), ORDERINGS)
def test_every_ordering_of_a_big_table_is_served_by_an_index(
    acme_as, every_kind_of_row, prefix, ordering
):
    sql = page_query(acme_as(Role.GUEST), f"/api/v1/{prefix}/?ordering={ordering}")

    assert sorts_in_plan(sql) == [], sql


def test_an_ordering_is_made_total_by_the_id(acme_as, every_kind_of_row):
    """Ties on the field asked for come by id, in the field's direction, so that pages never
    repeat or skip a row; a unique field (the plate) needs no tie-break."""
    client = acme_as(Role.GUEST)

    def order_by(path: str) -> str:
        sql = page_query(client, path)
        terms = sql[sql.index(" ORDER BY ") + 10 : sql.index(" LIMIT ")].split(", ")
        return ", ".join(selected_column(sql, term) for term in terms)

    assert order_by("/api/v1/spares/?ordering=-part_price") == (
        '"fleet_spare"."part_price" DESC, "fleet_spare"."id" DESC'
    )
    assert order_by("/api/v1/cars/?ordering=year") == '"fleet_car"."year" ASC, "fleet_car"."id" ASC'
    assert order_by("/api/v1/cars/?ordering=-numplate") == '"fleet_car"."numplate" DESC'
    assert order_by("/api/v1/kits/") == '"fleet_car"."numplate" ASC'  # one kit per car
