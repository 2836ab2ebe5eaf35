"""Another company's ids never reach its data. Ids are per schema, so globex's rows get ids that
acme's schema does not have (asserted), and every way of naming them from acme's host - a URL,
a filter, a body, a media path - is refused without a change on either side."""

from contextlib import contextmanager

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from shared_apps.accounts.roles import Role
from shared_apps.core.permissions import RolePermission
from tenant_apps.fleet.models import (
    Accumulator,
    Car,
    CarPhoto,
    FuelRecord,
    Inspection,
    Insurance,
    Kit,
    MonthlyMileage,
    Recorder,
    Spare,
    Tires,
)
from tenant_apps.fleet.views import CarViewSet
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
    png_bytes,
)

API = "/api/v1"
GLOBEX_ID = 900_001  # far above anything acme's sequences reach in a test run

NOT_FOUND = {
    "type": "client_error",
    "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
}
UNKNOWN_CAR_FILTER = {
    "type": "validation_error",
    "errors": [
        {
            "code": "invalid_choice",
            "detail": "Select a valid choice. That choice is not one of the available choices.",
            "attr": "car",
        }
    ],
}


def does_not_exist(attr: str, pk: int) -> dict:
    return {
        "type": "validation_error",
        "errors": [
            {
                "code": "does_not_exist",
                "detail": f'Invalid pk "{pk}" - object does not exist.',
                "attr": attr,
            }
        ],
    }


PNG = png_bytes()

# A car's records by URL name: the model, a factory, and a valid body for a new record (no car).
RECORDS = {
    "spares": (
        Spare,
        SpareFactory,
        {"name": "Oil filter", "category": "filters", "installed_at": "2026-04-02"},
    ),
    "tires": (
        Tires,
        TiresFactory,
        {"model": "Michelin X-Ice", "size": "215/60 R16", "installed_at": "2026-10-20"},
    ),
    "accumulators": (
        Accumulator,
        AccumulatorFactory,
        {"model": "Bosch S5", "capacity_ah": 74, "installed_at": "2026-05-05"},
    ),
    "fuel-records": (
        FuelRecord,
        FuelRecordFactory,
        {"year": 2025, "month": 7, "liters": "61.40", "total_cost": "4298.00", "mileage_km": 614},
    ),
    "insurances": (
        Insurance,
        InsuranceFactory,
        {
            "insurance_type": "casco",
            "number": "CASCO-777",
            "start_date": "2026-06-01",
            "end_date": "2027-05-31",
        },
    ),
    "inspections": (
        Inspection,
        InspectionFactory,
        {"number": "TO-777", "inspected_at": "2026-09-01", "valid_until": "2027-08-31"},
    ),
    "recorders": (Recorder, RecorderFactory, {"model": "70mai A800S", "serial_number": "XM-42"}),
    "kits": (Kit, KitFactory, {"has_jack": True}),
    "monthly-mileages": (
        MonthlyMileage,
        MonthlyMileageFactory,
        {"month": "2026-02", "mileage_km": 1830},
    ),
}
FLEET_MODELS = [Car, CarPhoto, *(model for model, _, _ in RECORDS.values())]


@contextmanager
def schema_of(company):
    """Run the ORM in `company`'s schema, then go back to acme's (where the tests live)."""
    connection.set_tenant(company)
    try:
        yield
    finally:
        connection.set_tenant(company.__class__.objects.get(slug="acme"))


@pytest.fixture
def globex_fleet(globex, in_acme):
    """globex's car and one record of each kind, all with id GLOBEX_ID, which acme lacks."""
    with schema_of(globex):
        car = CarFactory(id=GLOBEX_ID, numplate="02KG900GLX")
        fleet = {"cars": car}
        for name, (_, factory, _) in RECORDS.items():
            fleet[name] = factory(id=GLOBEX_ID, car=car)
        fleet["photos"] = CarPhoto.objects.create(
            id=GLOBEX_ID, car=car, image=SimpleUploadedFile("g.png", PNG, "image/png")
        )
    for model in FLEET_MODELS:
        assert not model.objects.filter(pk=GLOBEX_ID).exists(), model
    return fleet


@pytest.fixture
def acme_fleet(in_acme):
    """acme's own car with one record of each kind (ids from acme's sequences)."""
    car = CarFactory(numplate="01KG100ACM")
    fleet = {"cars": car, **{name: factory(car=car) for name, (_, factory, _) in RECORDS.items()}}
    fleet["photos"] = CarPhoto.objects.create(
        car=car, image=SimpleUploadedFile("a.png", PNG, "image/png")
    )
    return fleet


@pytest.fixture
def globex_state(globex, tmp_path):
    """Every fleet row and media file of globex, to show that nothing there changed."""

    def take():
        with schema_of(globex):
            rows = {m.__name__: list(m.objects.order_by("pk").values()) for m in FLEET_MODELS}
        folder = tmp_path / "globex"
        files = {
            str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()
        }
        return rows, files

    return take


def acme_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in FLEET_MODELS}


@pytest.fixture
def dispatcher(acme_as):
    return acme_as(Role.DISPATCHER)


# --- A URL with another company's id --------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
@pytest.mark.parametrize("name", ["cars", *RECORDS])
def test_another_companys_row_is_404(
    globex_fleet, acme_fleet, globex_state, dispatcher, name, method
):
    before, counts = globex_state(), acme_counts()

    response = getattr(dispatcher, method)(
        f"{API}/{name}/{GLOBEX_ID}/", {"title": "Hijacked"}, format="json"
    )

    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert globex_state() == before
    assert acme_counts() == counts


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", f"{API}/cars/{GLOBEX_ID}/photos/"),
        ("post", f"{API}/cars/{GLOBEX_ID}/photos/"),
        ("get", f"{API}/cars/photos/{GLOBEX_ID}/"),
        ("delete", f"{API}/cars/photos/{GLOBEX_ID}/"),
    ],
)
def test_another_companys_photos_are_404(
    globex_fleet, acme_fleet, globex_state, dispatcher, method, url
):
    before, counts = globex_state(), acme_counts()

    upload = SimpleUploadedFile("x.png", PNG, "image/png")
    response = getattr(dispatcher, method)(url, {"image": upload}, format="multipart")

    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert globex_state() == before
    assert acme_counts() == counts


# --- A filter with another company's id -----------------------------------------------------------


@pytest.mark.parametrize("name", RECORDS)
def test_filtering_by_another_companys_car_is_400(
    globex_fleet, acme_fleet, globex_state, dispatcher, name
):
    before = globex_state()

    response = dispatcher.get(f"{API}/{name}/", {"car": GLOBEX_ID})

    assert (response.status_code, response.json()) == (400, UNKNOWN_CAR_FILTER)
    assert globex_state() == before


def test_filtering_cars_by_another_companys_driver_is_400(
    globex, make_user, globex_fleet, acme_fleet, dispatcher
):
    """Like an id that does not exist: an acme user cannot tell whether a globex user does."""
    globex_driver = make_user(globex, Role.DRIVER)

    refused = dispatcher.get(f"{API}/cars/", {"driver": globex_driver.pk})
    unknown = dispatcher.get(f"{API}/cars/", {"driver": 987_654_321})

    assert unknown.status_code == 400
    assert (refused.status_code, refused.json()) == (400, unknown.json())
    assert refused.json()["errors"][0]["attr"] == "driver"


# --- A body with another company's id -------------------------------------------------------------


@pytest.mark.parametrize("name", RECORDS)
def test_a_record_for_another_companys_car_is_400(
    globex_fleet, acme_fleet, globex_state, dispatcher, name
):
    _, _, body = RECORDS[name]
    before, counts = globex_state(), acme_counts()

    response = dispatcher.post(f"{API}/{name}/", {**body, "car": GLOBEX_ID}, format="json")

    assert (response.status_code, response.json()) == (400, does_not_exist("car", GLOBEX_ID))
    assert globex_state() == before
    assert acme_counts() == counts


@pytest.mark.parametrize("name", RECORDS)
def test_a_record_cannot_move_to_another_companys_car(
    globex_fleet, acme_fleet, globex_state, dispatcher, name
):
    model, _, _ = RECORDS[name]
    record = acme_fleet[name]
    before, acme_before = globex_state(), list(model.objects.order_by("pk").values())

    response = dispatcher.patch(f"{API}/{name}/{record.pk}/", {"car": GLOBEX_ID}, format="json")

    assert (response.status_code, response.json()) == (400, does_not_exist("car", GLOBEX_ID))
    assert globex_state() == before
    assert list(model.objects.order_by("pk").values()) == acme_before


def test_a_car_cannot_have_another_companys_driver(
    acme, globex, make_user, globex_fleet, acme_fleet, globex_state, dispatcher
):
    globex_driver = make_user(globex, Role.DRIVER)
    car = acme_fleet["cars"]
    body = {
        "region": "bishkek",
        "brand": "toyota",
        "title": "Corolla",
        "numplate": "01KG777XYZ",
        "fuel_type": "petrol",
        "vehicle_type": "car",
    }
    before, counts = globex_state(), acme_counts()

    created = dispatcher.post(f"{API}/cars/", {**body, "driver": globex_driver.pk}, format="json")
    changed = dispatcher.patch(f"{API}/cars/{car.pk}/", {"driver": globex_driver.pk}, format="json")

    assert (created.status_code, created.json()) == (
        400,
        does_not_exist("driver", globex_driver.pk),
    )
    assert (changed.status_code, changed.json()) == (
        400,
        does_not_exist("driver", globex_driver.pk),
    )
    assert globex_state() == before
    assert acme_counts() == counts
    car.refresh_from_db()
    assert car.driver_id is None
    # The same body with a driver of acme is accepted: the refusal was about the company.
    acme_driver = make_user(acme, Role.DRIVER)
    accepted = dispatcher.post(f"{API}/cars/", {**body, "driver": acme_driver.pk}, format="json")
    assert accepted.status_code == 201
    assert Car.objects.get(numplate="01KG777XYZ").driver_id == acme_driver.pk


# --- Lists ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cars", *RECORDS])
def test_lists_hold_only_own_rows(globex_fleet, acme_fleet, dispatcher, name):
    response = dispatcher.get(f"{API}/{name}/")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [acme_fleet[name].pk]
    searched = dispatcher.get(f"{API}/{name}/", {"search": "02KG900GLX"})
    assert (searched.status_code, searched.json()["results"]) == (200, [])


def test_photo_list_holds_only_own_photos(globex_fleet, acme_fleet, dispatcher):
    response = dispatcher.get(f"{API}/cars/{acme_fleet['cars'].pk}/photos/")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [acme_fleet["photos"].pk]


# --- Media files ----------------------------------------------------------------------------------


@pytest.fixture
def globex_file(globex, tmp_path, in_acme):
    with schema_of(globex):
        name = default_storage.save("cars/photos/secret.png", SimpleUploadedFile("s.png", PNG))
    assert (tmp_path / "globex" / name).read_bytes() == PNG
    return name


def test_own_media_file_is_served(globex, globex_file, client_for):
    """The control for the refusals below: the file is there and its own host serves it."""
    response = client_for(globex).get(f"/media/globex/{globex_file}")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG


def test_another_companys_media_file_is_404(acme, globex_file, client_for, dispatcher):
    for client in (client_for(acme), dispatcher):
        response = client.get(f"/media/globex/{globex_file}")

        assert (response.status_code, response.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize(
    "path",
    [
        "/media/acme/{name}",
        "/media/acme/../globex/{name}",
        "/media/acme/%2e%2e/globex/{name}",
        "/media/acme/..%2fglobex/{name}",
        "/media/acme/cars/../../globex/{name}",
        "/media/acme/{root}/globex/{name}",
        "/media/acme//{root}/globex/{name}",
    ],
)
def test_media_path_traversal_is_404(acme, globex_file, client_for, tmp_path, path):
    url = path.format(name=globex_file, root=str(tmp_path).lstrip("/"))

    response = client_for(acme).get(url)

    assert response.status_code == 404
    assert not hasattr(response, "streaming_content")
    assert response.json() == NOT_FOUND


# --- Each layer on its own ------------------------------------------------------------------------
#
# A token of another company is refused by the authentication before any permission is asked
# (tests/fleet/test_permissions.py), and a media path of another company by the storage's folder
# (tests/fleet/test_photos.py). The permission class checks the company again, for a user that
# reached it some other way.


def role_permission(user, tenant, method: str) -> bool:
    """RolePermission's answer for `user` asking the car list on `tenant`'s host."""
    http = getattr(APIRequestFactory(), method)(f"{API}/cars/")
    http.tenant = tenant
    request = Request(http)
    request.user = user
    return RolePermission().has_permission(request, CarViewSet())


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_role_permission_refuses_a_user_of_another_company(acme, globex, make_user, method):
    globex_admin = make_user(globex, Role.COMPANY_ADMIN)

    assert role_permission(globex_admin, acme, method) is False
    assert role_permission(globex_admin, None, method) is False  # no company: the public host
    # The controls: the same user on its own company's host, and acme's admin on acme's.
    assert role_permission(globex_admin, globex, method) is True
    assert role_permission(make_user(acme, Role.COMPANY_ADMIN), acme, method) is True
