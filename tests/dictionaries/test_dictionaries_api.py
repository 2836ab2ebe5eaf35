import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shared_apps.accounts.models import User
from shared_apps.accounts.roles import Role
from shared_apps.dictionaries.models import DictionaryEntry, DictionaryKind

URL = "/api/v1/dictionaries/"


@pytest.fixture
def guest_client(acme, make_user, client_for):
    return client_for(acme, make_user(acme, Role.GUEST, language="en"))


def test_all_dictionaries_in_the_users_language(guest_client):
    response = guest_client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert list(body) == DictionaryKind.values
    assert body["car_statuses"] == [
        {"code": "active", "name": "Active"},
        {"code": "repair", "name": "In repair"},
        {"code": "reserve", "name": "In reserve"},
        {"code": "decommissioned", "name": "Decommissioned"},
    ]
    assert [r["code"] for r in body["regions"]] == [
        "bishkek",
        "osh_city",
        "chui",
        "osh",
        "jalal_abad",
        "issyk_kul",
        "naryn",
        "talas",
        "batken",
    ]
    assert len(body["brands"]) == 57
    assert {"code": "toyota", "name": "Toyota"} in body["brands"]
    assert body["insurance_types"] == [
        {"code": "casco", "name": "CASCO"},
        {"code": "osago", "name": "OSAGO (compulsory liability)"},
    ]
    assert body["currencies"][0] == {"code": "KGS", "name": "Kyrgyz som"}
    assert [r["code"] for r in body["roles"]] == Role.values


@pytest.mark.parametrize(
    ("language", "name"),
    [("ru", "Чуйская область"), ("ky", "Чүй облусу"), ("en", "Chui Region")],
)
def test_accept_language_overrides_names(guest_client, language, name):
    regions = guest_client.get(f"{URL}regions/", HTTP_ACCEPT_LANGUAGE=language).json()
    assert {"code": "chui", "name": name} in regions


def test_one_dictionary_and_unknown_name(guest_client):
    assert guest_client.get(f"{URL}fuel_types/").json()[:2] == [
        {"code": "petrol", "name": "Petrol"},
        {"code": "diesel", "name": "Diesel"},
    ]
    missing = guest_client.get(f"{URL}planets/")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["detail"] == "Unknown dictionary 'planets'."


def test_anonymous_is_refused_and_public_host_has_no_dictionaries(acme, client_for):
    assert client_for(acme).get(URL).status_code == 401
    assert client_for(None).get(URL).status_code == 404


def test_dictionaries_are_cached_per_process(guest_client):
    guest_client.get(URL)  # warm the cache
    with CaptureQueriesContext(connection) as ctx:
        assert guest_client.get(URL).status_code == 200
    assert not [q for q in ctx.captured_queries if "dictionaries_dictionaryentry" in q["sql"]]


def test_platform_admin_edit_is_visible_at_once(guest_client, db):
    guest_client.get(URL)
    root = User.objects.create_superuser("root", "root@example.com", "Platform-Pass-1")
    browser = Client(HTTP_HOST="localhost")
    browser.force_login(root)
    entry = DictionaryEntry.objects.get(kind="fuel_types", code="petrol")
    response = browser.post(
        f"/admin/dictionaries/dictionaryentry/{entry.pk}/change/",
        {
            "kind": "fuel_types",
            "code": "petrol",
            "name_ru": "Бензин АИ-92",
            "name_en": "Petrol A-92",
            "name_ky": "Бензин АИ-92",
            "sort_order": 0,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert guest_client.get(f"{URL}fuel_types/").json()[0] == {
        "code": "petrol",
        "name": "Petrol A-92",
    }
