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


def test_admin_refuses_unknown_codes_and_other_companies_drivers(staff_browser, fleet, globex):
    from shared_apps.accounts.models import User as UserModel
    from tests.factories import UserFactory

    outsider = UserFactory(company=globex)
    data = {
        "region": "moscow",
        "brand": "toyota",
        "fuel_type": "petrol",
        "vehicle_type": "car",
        "title": "Corolla",
        "numplate": "01KG555NEW",
        "status": "active",
        "driver": outsider.pk,
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
    }
    response = staff_browser.post("/admin/fleet/car/add/", data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert sorted(errors) == ["driver", "region"]
    assert not Car.objects.filter(numplate="01KG555NEW").exists()
    assert UserModel.objects.filter(pk=outsider.pk).exists()


def test_admin_delete_removes_the_records_photo_file(
    staff_browser, fleet, media_root, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from tenant_apps.fleet.models import Recorder

    recorder = Recorder.objects.get(car=fleet)
    recorder.photo.save("x.png", ContentFile(b"png"), save=True)
    path = media_root / "acme" / recorder.photo.name
    assert path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_browser.post(
            f"/admin/fleet/recorder/{recorder.pk}/delete/", {"post": "yes"}
        )

    assert response.status_code == 302
    assert not Recorder.objects.filter(pk=recorder.pk).exists()
    assert not path.exists()
