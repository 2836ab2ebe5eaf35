"""The fleet in a company host's admin: every model listed, searched, filtered and edited by
platform staff, and only that company's rows."""

import pytest
from django.db import connection
from django.test import Client

from shared_apps.accounts.models import User
from tenant_apps.fleet.models import Car, Kit
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

MODELS = [
    "car",
    "spare",
    "tires",
    "accumulator",
    "fuelrecord",
    "insurance",
    "inspection",
    "recorder",
    "kit",
    "monthlymileage",
    "accident",
    "transferact",
]


@pytest.fixture
def staff_browser(db):
    staff = User.objects.create_superuser("root", "root@example.com", "Platform-Pass-1")
    client = Client(HTTP_HOST="acme.localhost")
    client.force_login(staff)
    return client


@pytest.fixture
def fleet(in_acme, globex):
    car = CarFactory(numplate="01KG777ADM")
    for factory in (
        SpareFactory,
        TiresFactory,
        AccumulatorFactory,
        FuelRecordFactory,
        InsuranceFactory,
        InspectionFactory,
        RecorderFactory,
        KitFactory,
        MonthlyMileageFactory,
    ):
        factory(car=car)
    connection.set_tenant(globex)
    CarFactory(numplate="01KG999GLX")
    connection.set_tenant(in_acme)
    return car


@pytest.mark.parametrize("model", MODELS)
def test_changelists_search_and_add_pages_open(staff_browser, fleet, model):
    base = f"/admin/fleet/{model}/"
    listing = staff_browser.get(base)
    searched = staff_browser.get(base, {"q": "01KG777"})
    add = staff_browser.get(f"{base}add/")

    assert (listing.status_code, searched.status_code, add.status_code) == (200, 200, 200)
    assert "01KG999GLX" not in listing.content.decode()


def test_car_changelist_filters_and_shows_only_this_company(staff_browser, fleet):
    page = staff_browser.get("/admin/fleet/car/", {"status__exact": "active", "q": "01kg"})
    content = page.content.decode()
    assert "01KG777ADM" in content
    assert "01KG999GLX" not in content


def test_admin_edit_normalises_and_clears_kit_dates(staff_browser, fleet):
    kit = Kit.objects.get(car=fleet)
    response = staff_browser.post(
        f"/admin/fleet/kit/{kit.pk}/change/",
        {
            "car": fleet.pk,
            "has_jack": "on",
            "fire_extinguisher_expires_at": "2030-01-01",
            "first_aid_kit_expires_at": "2030-01-01",
        },
    )
    assert response.status_code == 302
    kit.refresh_from_db()
    assert (kit.has_jack, kit.fire_extinguisher_expires_at, kit.first_aid_kit_expires_at) == (
        True,
        None,
        None,
    )

    data = {
        "region": "bishkek",
        "brand": "toyota",
        "fuel_type": "petrol",
        "vehicle_type": "car",
        "title": "Corolla",
        "numplate": "01 kg 555 new",
        "driver_name": "сидоров  сидор",
        "status": "active",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
    }
    response = staff_browser.post("/admin/fleet/car/add/", data)
    assert response.status_code == 302
    car = Car.objects.get(numplate="01KG555NEW")
    assert car.driver_name == "Сидоров Сидор"
