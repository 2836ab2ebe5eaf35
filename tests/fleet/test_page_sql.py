"""A list page that no filter or search narrows is served from its list's SQL, compiled once per
list and ordering (`shared_apps.core.page_sql`). Its answers must be DRF's list answers byte for
byte, for every list, ordering and page, refusals included; it compiles nothing after the first
request; its SQL is shared by the companies but their rows never are; and a request that
narrows the list takes DRF's path."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import ExpressionWrapper, F, FloatField
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers

from shared_apps.accounts.roles import Role
from shared_apps.core import page_sql
from shared_apps.core.memo import Recent
from shared_apps.core.renderers import DATES_FOR_ORJSON
from tenant_apps.fleet.models import Car, FuelRecord, Spare
from tenant_apps.fleet.urls import router
from tests.factories import CarFactory, FuelRecordFactory, InsuranceFactory, SpareFactory

VIEWSETS = {
    prefix: viewset for prefix, viewset, _basename in router.registry if hasattr(viewset, "list")
}
LISTS = [prefix for prefix in VIEWSETS if "{" not in prefix]


def pages_of(viewset) -> list[str]:
    """Every ordering the list offers, both ways, two at once, none and a wrong one; pages at
    the start, in the middle, past the end and malformed; sizes too big and not numbers."""
    fields = viewset.ordering_fields
    orderings = ["", "nonsense", f"{fields[-1]},-{fields[0]}", "-id,id"]
    orderings += [f"{sign}{field}" for field in fields for sign in ("", "-")]
    pages = [f"?ordering={ordering}&page_size=1&page=2" for ordering in orderings]
    pages += [f"?ordering={ordering}&page_size=1" for ordering in orderings[:4]]
    return [
        *pages,
        "",
        "?page=3&page_size=1",  # past the end: 404
        "?page=abc",
        "?page=last&page_size=1",  # the second
        "?page_size=0",
        "?page_size=abc",
        "?page_size=100000",
        "?unknown=1",
        "?search=",  # a blank search finds everything
        "?format=json&page_size=1",
    ]


def served_by_compiled_sql(monkeypatch) -> list:
    served = []
    original = page_sql.PageSQL.rows

    def rows(self, **page):
        served.append(page)
        return original(self, **page)

    monkeypatch.setattr(page_sql.PageSQL, "rows", rows)
    return served


@pytest.mark.parametrize("prefix", LISTS)
def test_every_page_and_ordering_is_what_drf_answers(
    acme_as, every_kind_of_row, monkeypatch, prefix
):
    client = acme_as(Role.GUEST, language="ru")
    urls = [f"/api/v1/{prefix}/{query}" for query in pages_of(VIEWSETS[prefix])]
    served = served_by_compiled_sql(monkeypatch)
    compiled = [client.get(url) for url in urls]
    assert len(served) == sum(response.status_code == 200 for response in compiled)

    monkeypatch.setattr(page_sql, "page_response", lambda view, request: None)  # DRF's path
    by_drf = [client.get(url) for url in urls]

    for url, ours, theirs in zip(urls, compiled, by_drf, strict=True):
        assert (url, ours.status_code, ours.content) == (url, theirs.status_code, theirs.content)
    statuses = [response.status_code for response in compiled]
    assert statuses.count(404) == 2, statuses  # past the end, `abc`
    assert served[:2] == [{"offset": 1, "limit": 1}] * 2


def test_a_page_compiles_nothing_once_its_list_and_ordering_have_been_asked(
    acme_as, every_kind_of_row, monkeypatch
):
    monkeypatch.setattr(
        page_sql, "_compiled", Recent(page_sql.MAX_COMPILED)
    )  # (other tests compiled lists in this process)
    client = acme_as(Role.GUEST)
    url = "/api/v1/fuel-records/?ordering=-liters&page_size=1"
    assert client.get(url).status_code == 200  # compiles this list and ordering; counts
    second = FuelRecord.objects.order_by("-liters", "-id").values_list("id", flat=True)[1]
    compiled = []
    as_sql = SQLCompiler.as_sql

    def counted_as_sql(self, *args, **kwargs):
        compiled.append(self.query.model.__name__)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counted_as_sql)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{url}&page=2")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [second]
    assert compiled == []
    # the page alone (the count is cached; the search path is the test's own schema switch)
    run = [query["sql"] for query in queries if not query["sql"].startswith("SET search_path")]
    assert len(run) == 1
    assert run[0].endswith("LIMIT 1 OFFSET 1")

    client.get(url.replace("-liters", "liters"))  # another ordering is compiled once
    assert compiled


@pytest.mark.parametrize(
    ("prefix", "serializers_made"),
    [
        ("cars", 0),  # plain columns: the writer reads no serializer
        ("spares", 0),
        ("fuel-records", 1),  # the month's name in the user's language
        ("insurances", 0),  # its status and days left come with its rows, from the SQL
    ],
)
def test_a_warm_page_makes_a_serializer_only_when_its_writer_reads_one(
    acme_as, every_kind_of_row, monkeypatch, prefix, serializers_made
):
    client = acme_as(Role.GUEST)
    first = client.get(f"/api/v1/{prefix}/")
    made = []
    get_serializer = VIEWSETS[prefix].get_serializer

    def counted(view, *args, **kwargs):
        made.append(view)
        return get_serializer(view, *args, **kwargs)

    monkeypatch.setattr(VIEWSETS[prefix], "get_serializer", counted)
    served = served_by_compiled_sql(monkeypatch)
    again = client.get(f"/api/v1/{prefix}/")

    assert again.content == first.content
    assert len(served) == 1
    assert len(made) == serializers_made


def test_the_companies_share_the_sql_but_never_the_rows(
    acme, globex, client_for, make_user, monkeypatch
):
    connection.set_tenant(acme)
    CarFactory(numplate="01KG111AAA")
    connection.set_tenant(globex)
    CarFactory(numplate="01KG222BBB")
    CarFactory(numplate="01KG333BBB")
    served = served_by_compiled_sql(monkeypatch)

    def plates(company) -> tuple[int, list[str]]:
        body = client_for(company, make_user(company, Role.GUEST)).get("/api/v1/cars/").json()
        return body["count"], [car["numplate"] for car in body["results"]]

    assert plates(acme) == (1, ["01KG111AAA"])
    assert plates(globex) == (2, ["01KG222BBB", "01KG333BBB"])
    assert plates(acme) == (1, ["01KG111AAA"])
    assert len(served) == 3


@pytest.mark.parametrize(
    ("query", "plates"),
    [
        ("?status=repair", ["01KG002BAR"]),  # a filter
        ("?search=FUL", ["01KG001FUL"]),  # a search
        ("?status=repair&ordering=-numplate", ["01KG002BAR"]),
        ("?ordering=-numplate", ["01KG002BAR", "01KG001FUL"]),  # nothing narrows it
        ("?search=%20", ["01KG001FUL", "01KG002BAR"]),
        ("?search=", ["01KG001FUL", "01KG002BAR"]),  # no search text: none parsed
    ],
)
def test_only_a_page_nothing_narrows_is_served_from_the_compiled_sql(
    acme_as, every_kind_of_row, monkeypatch, query, plates
):
    served = served_by_compiled_sql(monkeypatch)
    body = acme_as(Role.GUEST).get(f"/api/v1/cars/{query}").json()

    assert [car["numplate"] for car in body["results"]] == plates
    assert body["count"] == len(plates)
    assert bool(served) is ("status" not in query and "FUL" not in query)


def test_a_search_text_with_a_null_character_is_refused_on_every_list(acme_as):
    response = acme_as(Role.GUEST).get("/api/v1/cars/?search=a%00b")

    assert response.status_code == 400


def test_the_rows_are_values_list_rows_converted_as_django_converts_them(in_acme):
    """PostgreSQL answers `year / 2.0` with a numeric; Django converts it to the annotation's
    float, and so must the compiled SQL's rows."""
    CarFactory(year=2025)
    halves = Car.objects.annotate(
        half=ExpressionWrapper(F("year") / 2.0, output_field=FloatField())
    ).order_by("id")

    class Half(serializers.Serializer):
        id = serializers.IntegerField()
        half = serializers.FloatField()

    compiled = page_sql.PageSQL.compile(halves, Half())
    rows = compiled.rows(offset=0, limit=10)

    assert rows == list(halves.values_list("id", "half"))
    assert [type(value) for value in rows[0]] == [int, float]
    assert rows[0][1] == 1012.5


def test_one_compiled_list_writes_with_each_requests_language_and_company(
    acme, globex, client_for, make_user, monkeypatch
):
    """The writer a compiled list keeps is bound to each request's serializer: its month names
    are in the user's language, its statuses counted with the company's warning window."""
    monkeypatch.setattr(page_sql, "_compiled", Recent(page_sql.MAX_COMPILED))
    globex.expiry_warning_days = 400
    globex.save()
    today = dt.date.today()
    for company in (acme, globex):
        connection.set_tenant(company)
        FuelRecordFactory(year=2026, month=3)
        InsuranceFactory(start_date=today, end_date=today + dt.timedelta(days=100))
    served = served_by_compiled_sql(monkeypatch)

    def first(company, language: str, prefix: str) -> dict:
        client = client_for(company, make_user(company, Role.GUEST, language=language))
        return client.get(f"/api/v1/{prefix}/").json()["results"][0]

    assert first(acme, "en", "fuel-records")["month_name"] == "March"
    assert first(acme, "ru", "fuel-records")["month_name"] == "Март"
    assert first(globex, "en", "fuel-records")["month_name"] == "March"
    assert first(acme, "en", "insurances")["status"] == "active"
    assert first(globex, "en", "insurances")["status"] == "expiring"
    assert first(acme, "en", "insurances")["status"] == "active"
    assert len(served) == 6


def test_a_page_holds_no_more_rows_than_its_count_as_drfs_page(acme_as, every_kind_of_row):
    """Rows written without the ORM's signals (`bulk_create`) leave the cached count behind
    until the next version change; the page is then cut at the count, as Django's paginator
    cuts DRF's."""
    client = acme_as(Role.GUEST)
    assert client.get("/api/v1/cars/").json()["count"] == 2
    Car.objects.bulk_create([CarFactory.build(numplate="01KG000AAA")])

    body = client.get("/api/v1/cars/").json()
    assert body["count"] == 2
    assert [car["numplate"] for car in body["results"]] == ["01KG000AAA", "01KG001FUL"]


@pytest.mark.parametrize("zone", ["Europe/Amsterdam", "Africa/Monrovia", "Asia/Bishkek"])
def test_datetimes_of_every_era_are_written_as_drf_writes_them(
    in_acme, acme_as, monkeypatch, settings, zone
):
    """Before 1972 some zones' offsets had seconds (Amsterdam `+00:19:32` until 1937, Monrovia
    `-00:44:30` until 1972), which orjson would round: those take `isoformat`, as DRF."""
    settings.TIME_ZONE = zone  # the zone the API writes datetimes in
    stamps = [
        dt.datetime(1900, 7, 5, 3, 4, 5, 120000, tzinfo=dt.UTC),
        dt.datetime(1971, 7, 5, tzinfo=dt.UTC),
        dt.datetime(1972, 6, 30, 23, 59, 59, 999999, tzinfo=dt.UTC),
        dt.datetime(1972, 7, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 29, 1, 30, 0, 5, tzinfo=dt.UTC),
    ]
    for stamp in stamps:
        Spare.objects.filter(pk=SpareFactory().pk).update(created_at=stamp, updated_at=stamp)
    client = acme_as(Role.GUEST)
    served = served_by_compiled_sql(monkeypatch)
    ours = client.get("/api/v1/spares/?ordering=id&page_size=10")
    monkeypatch.setattr(page_sql, "page_response", lambda view, request: None)  # DRF's path
    theirs = client.get("/api/v1/spares/?ordering=id&page_size=10")

    assert served
    assert ours.content == theirs.content
    written = [spare["created_at"] for spare in ours.json()["results"]]
    assert written == [spare["updated_at"] for spare in ours.json()["results"]]
    assert written == [
        serializers.DateTimeField(default_timezone=ZoneInfo(zone)).to_representation(stamp)
        for stamp in stamps
    ]
    # The page leaves to orjson what it writes as DRF does: a date, a datetime from 1972 on.
    assert getattr(ours, DATES_FOR_ORJSON) is True
    rows = ours.data["results"]
    assert [type(spare["created_at"]) for spare in rows] == [
        str,
        str,
        str,
        dt.datetime,
        dt.datetime,
    ]
    assert {type(spare["installed_at"]) for spare in rows} == {dt.date}
    assert [spare["created_at"].tzinfo for spare in rows[3:]] == [ZoneInfo(zone)] * 2


def test_a_page_leaves_its_dates_to_orjson_unless_a_field_makes_its_own_values(
    acme_as, in_acme, monkeypatch
):
    """A fuel record's `month_name` is a method field, whose value the writer cannot vouch for:
    that page keeps its datetimes' text and does not tell the renderer to write dates."""
    SpareFactory()
    FuelRecordFactory()
    client = acme_as(Role.GUEST)
    served = served_by_compiled_sql(monkeypatch)
    spares, fuel = client.get("/api/v1/spares/"), client.get("/api/v1/fuel-records/")

    assert len(served) == 2
    assert getattr(spares, DATES_FOR_ORJSON) is True
    assert type(spares.data["results"][0]["created_at"]) is dt.datetime
    assert getattr(fuel, DATES_FOR_ORJSON) is False
    assert type(fuel.data["results"][0]["created_at"]) is str
