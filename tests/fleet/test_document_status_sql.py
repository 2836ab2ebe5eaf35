"""A document list's `status` and `days_left` come from its SQL (`selectors.with_document_status`,
composed from `document_status_q`); a document's detail runs the rule in Python
(`document_status`). Both must answer alike at every edge of the rule, for every company's
today and warning window, and the SQL compiled once must read today when it runs."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from shared_apps.accounts.roles import Role
from shared_apps.core import page_sql
from shared_apps.core.memo import Recent
from tenant_apps.fleet import selectors
from tests.factories import InspectionFactory, InsuranceFactory

ZONE = "Pacific/Kiritimati"  # UTC+14: often a day ahead of the server


def edges(today: dt.date, window: int) -> list[tuple[dt.date, dt.date, str, int]]:
    """(start, end, status, days left) at every edge of the rule, counted by hand."""
    day = dt.timedelta(days=1)
    year = dt.timedelta(days=365)
    return [
        (today + day, today + year, "upcoming", 365),  # starts tomorrow
        (today, today + year, "active", 365),  # started today
        (today - year, today - day, "expired", -1),  # ended yesterday
        (today - year, today, "expiring", 0),  # ends today: still covered
        (today - year, today + window * day, "expiring", window),  # the window's last day
        (today - year, today + (window + 1) * day, "active", window + 1),
        (today, today, "expiring", 0),  # one day long
    ]


@pytest.fixture
def kiritimati(acme):
    acme.timezone = ZONE
    acme.expiry_warning_days = 10
    acme.save()
    connection.set_tenant(acme)
    return acme


@pytest.mark.parametrize(
    ("prefix", "factory", "start", "end"),
    [
        ("insurances", InsuranceFactory, "start_date", "end_date"),
        ("inspections", InspectionFactory, "inspected_at", "valid_until"),
    ],
)
def test_the_lists_sql_and_the_detail_agree_at_every_edge(
    kiritimati, acme_as, prefix, factory, start, end
):
    today = dt.datetime.now(ZoneInfo(ZONE)).date()
    expected = {}
    for first, last, status, days_left in edges(today, 10):
        document = factory(**{start: first, end: last})
        expected[document.pk] = (status, days_left)
    client = acme_as(Role.GUEST)

    listed = client.get(f"/api/v1/{prefix}/?page_size=50").json()["results"]
    by_list = {row["id"]: (row["status"], row["days_left"]) for row in listed}
    by_detail = {}
    for pk in expected:
        detail = client.get(f"/api/v1/{prefix}/{pk}/").json()
        by_detail[pk] = (detail["status"], detail["days_left"])
    filtered = {
        row["id"]: (row["status"], row["days_left"])
        for status in ("upcoming", "active", "expiring", "expired")
        for row in client.get(f"/api/v1/{prefix}/?status={status}").json()["results"]
    }

    assert by_list == expected
    assert by_detail == expected
    assert filtered == expected  # a filtered list (DRF's path) reads the same SQL


def test_a_compiled_list_reads_today_when_it_runs(kiritimati, acme_as, monkeypatch):
    monkeypatch.setattr(page_sql, "_compiled", Recent(page_sql.MAX_COMPILED))
    today = dt.datetime.now(ZoneInfo(ZONE)).date()
    InsuranceFactory(start_date=today - dt.timedelta(days=100), end_date=today)
    client = acme_as(Role.GUEST)
    assert [
        (row["status"], row["days_left"])
        for row in client.get("/api/v1/insurances/").json()["results"]
    ] == [("expiring", 0)]

    tomorrow = today + dt.timedelta(days=1)
    monkeypatch.setattr(selectors, "company_today", lambda company: tomorrow)
    assert len(page_sql._compiled) == 1  # the same SQL, run on another day
    assert [
        (row["status"], row["days_left"])
        for row in client.get("/api/v1/insurances/").json()["results"]
    ] == [("expired", -1)]
    assert len(page_sql._compiled) == 1
