"""CONTRACT §6 for the fleet: every role reads every resource; only the roles named there create,
change and delete, and a refused write is a 403 that leaves the rows (and files) as they were.

One test per verb runs over every resource × role; the matrix is written out here from the
contract rather than imported from the app, so that a wrong role group in the code shows up."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models

from shared_apps.accounts.roles import Role
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
FLEET_MANAGERS = frozenset({Role.COMPANY_ADMIN, Role.DISPATCHER})
MAINTENANCE_STAFF = FLEET_MANAGERS | {Role.MECHANIC}
FINANCE_STAFF = FLEET_MANAGERS | {Role.ACCOUNTANT}

PERMISSION_DENIED = {
    "type": "client_error",
    "errors": [
        {
            "code": "permission_denied",
            "detail": "Your role does not allow this action.",
            "attr": None,
        }
    ],
}


PNG = png_bytes()


def _photo_of_a_car() -> CarPhoto:
    return CarPhoto.objects.create(
        car=CarFactory(), image=SimpleUploadedFile("old.png", PNG, "image/png")
    )


@dataclass(frozen=True)
class Resource:
    """One fleet endpoint: who may write it, how to make an existing row, a valid body for a
    new row of `car` (`body`) with the values it stores (`row`), and a one-field change
    `(field, value sent, value stored)`."""

    name: str
    model: type[models.Model]
    writers: frozenset[str]
    make: Callable[[], models.Model]
    body: Callable[[Car], dict]
    row: dict
    change: tuple[str, object, object] | None
    has_car: bool = True

    def list_url(self, obj) -> str:
        return f"{API}/{self.name}/"

    def detail_url(self, obj) -> str:
        return f"{API}/{self.name}/{obj.pk}/"

    def create_url(self, car) -> str:
        return f"{API}/{self.name}/"

    def create(self, client, car):
        return client.post(self.create_url(car), self.body(car), format="json")

    def stored(self, pk: int) -> dict:
        fields = ["car", *self.row] if self.has_car else list(self.row)
        return self.model.objects.values(*fields).get(pk=pk)

    def expected(self, car) -> dict:
        return {"car": car.pk, **self.row} if self.has_car else dict(self.row)


class PhotoResource(Resource):
    """Car photos: listed and uploaded under their car, read and deleted on their own."""

    def list_url(self, obj) -> str:
        return f"{API}/cars/{obj.car_id}/photos/"

    def detail_url(self, obj) -> str:
        return f"{API}/cars/photos/{obj.pk}/"

    def create_url(self, car) -> str:
        return f"{API}/cars/{car.pk}/photos/"

    def create(self, client, car):
        return client.post(self.create_url(car), self.body(car), format="multipart")


RESOURCES = [
    Resource(
        name="cars",
        model=Car,
        writers=FLEET_MANAGERS,
        make=CarFactory,
        body=lambda car: {
            "region": "bishkek",
            "brand": "toyota",
            "title": "Corolla",
            "numplate": "01 kg 777 xyz",
            "year": 2021,
            "fuel_type": "petrol",
            "vehicle_type": "car",
        },
        row={
            "region": "bishkek",
            "brand": "toyota",
            "title": "Corolla",
            "numplate": "01KG777XYZ",
            "year": 2021,
            "fuel_type": "petrol",
            "vehicle_type": "car",
        },
        change=("title", "Land Cruiser", "Land Cruiser"),
        has_car=False,
    ),
    PhotoResource(
        name="car photos",
        model=CarPhoto,
        writers=FLEET_MANAGERS,
        make=_photo_of_a_car,
        body=lambda car: {
            "image": SimpleUploadedFile("front.png", PNG, "image/png"),
            "comment": "Front view",
        },
        row={"comment": "Front view"},
        change=None,  # a photo is replaced by deleting it and uploading another
    ),
    Resource(
        name="spares",
        model=Spare,
        writers=MAINTENANCE_STAFF,
        make=SpareFactory,
        body=lambda car: {
            "car": car.pk,
            "name": "Oil filter",
            "category": "filters",
            "part_price": "900.00",
            "work_price": "300.50",
            "installed_at": "2026-04-02",
        },
        row={
            "name": "Oil filter",
            "category": "filters",
            "part_price": Decimal("900.00"),
            "work_price": Decimal("300.50"),
            "total_price": Decimal("1200.50"),
            "installed_at": dt.date(2026, 4, 2),
        },
        change=("name", "Timing belt", "Timing belt"),
    ),
    Resource(
        name="tires",
        model=Tires,
        writers=MAINTENANCE_STAFF,
        make=TiresFactory,
        body=lambda car: {
            "car": car.pk,
            "model": "Michelin X-Ice",
            "size": "215/60 R16",
            "price": "31000.00",
            "installed_at": "2026-10-20",
        },
        row={
            "model": "Michelin X-Ice",
            "size": "215/60 R16",
            "price": Decimal("31000.00"),
            "installed_at": dt.date(2026, 10, 20),
            "removed_at": None,
        },
        change=("removed_at", "2026-11-01", dt.date(2026, 11, 1)),
    ),
    Resource(
        name="accumulators",
        model=Accumulator,
        writers=MAINTENANCE_STAFF,
        make=AccumulatorFactory,
        body=lambda car: {
            "car": car.pk,
            "model": "Bosch S5",
            "serial_number": "BS5-0001",
            "capacity_ah": 74,
            "price": "9800.00",
            "installed_at": "2026-05-05",
            "valid_until": "2029-05-05",
        },
        row={
            "model": "Bosch S5",
            "serial_number": "BS5-0001",
            "capacity_ah": 74,
            "price": Decimal("9800.00"),
            "installed_at": dt.date(2026, 5, 5),
            "valid_until": dt.date(2029, 5, 5),
        },
        change=("capacity_ah", 95, 95),
    ),
    Resource(
        name="fuel-records",
        model=FuelRecord,
        writers=FINANCE_STAFF,
        make=FuelRecordFactory,
        body=lambda car: {
            "car": car.pk,
            "year": 2025,
            "month": 7,
            "liters": "61.40",
            "total_cost": "4298.00",
            "mileage_km": 614,
        },
        row={
            "year": 2025,
            "month": 7,
            "liters": Decimal("61.40"),
            "total_cost": Decimal("4298.00"),
            "mileage_km": 614,
        },
        change=("total_cost", "4400.00", Decimal("4400.00")),
    ),
    Resource(
        name="insurances",
        model=Insurance,
        writers=FINANCE_STAFF,
        make=InsuranceFactory,
        body=lambda car: {
            "car": car.pk,
            "insurance_type": "casco",
            "number": "CASCO-777",
            "start_date": "2026-06-01",
            "end_date": "2027-05-31",
            "cost": "18000.00",
        },
        row={
            "insurance_type": "casco",
            "number": "CASCO-777",
            "start_date": dt.date(2026, 6, 1),
            "end_date": dt.date(2027, 5, 31),
            "cost": Decimal("18000.00"),
        },
        change=("number", "CASCO-778", "CASCO-778"),
    ),
    Resource(
        name="inspections",
        model=Inspection,
        writers=MAINTENANCE_STAFF,
        make=InspectionFactory,
        body=lambda car: {
            "car": car.pk,
            "number": "TO-777",
            "inspected_at": "2026-09-01",
            "valid_until": "2027-08-31",
            "cost": "1250.00",
        },
        row={
            "number": "TO-777",
            "inspected_at": dt.date(2026, 9, 1),
            "valid_until": dt.date(2027, 8, 31),
            "cost": Decimal("1250.00"),
        },
        change=("cost", "1300.00", Decimal("1300.00")),
    ),
    Resource(
        name="recorders",
        model=Recorder,
        writers=FLEET_MANAGERS,
        make=RecorderFactory,
        body=lambda car: {
            "car": car.pk,
            "model": "Xiaomi Mi Dash Cam 2",
            "serial_number": "XM-42",
            "installed_at": "2026-03-03",
        },
        row={
            "model": "Xiaomi Mi Dash Cam 2",
            "serial_number": "XM-42",
            "installed_at": dt.date(2026, 3, 3),
        },
        change=("serial_number", "XM-43", "XM-43"),
    ),
    Resource(
        name="kits",
        model=Kit,
        writers=FLEET_MANAGERS,
        make=KitFactory,
        body=lambda car: {
            "car": car.pk,
            "has_jack": True,
            "has_fire_extinguisher": True,
            "fire_extinguisher_expires_at": "2027-02-01",
            "has_first_aid_kit": False,
        },
        row={
            "has_jack": True,
            "has_wheel_wrench": False,
            "has_fire_extinguisher": True,
            "fire_extinguisher_expires_at": dt.date(2027, 2, 1),
            "has_first_aid_kit": False,
            "first_aid_kit_expires_at": None,
            "has_tow_rope": False,
        },
        change=("has_tow_rope", True, True),
    ),
    Resource(
        name="monthly-mileages",
        model=MonthlyMileage,
        writers=FINANCE_STAFF,
        make=MonthlyMileageFactory,
        body=lambda car: {"car": car.pk, "month": "2026-02", "mileage_km": 1830},
        row={"month": dt.date(2026, 2, 1), "mileage_km": 1830},
        change=("mileage_km", 1900, 1900),
    ),
]


def matrix(resources=RESOURCES):
    return [
        pytest.param(resource, role, id=f"{resource.name}-{role}")
        for resource in resources
        for role in Role.values
    ]


@pytest.fixture
def snapshot(tmp_path):
    """Every row of a model and every stored file, to show that a refused write changed
    nothing."""

    def take(model):
        rows = list(model.objects.order_by("pk").values())
        files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
        return rows, files

    return take


def ids(body) -> list[int]:
    rows = body["results"] if isinstance(body, dict) else body  # photos are not paginated
    return [row["id"] for row in rows]


# --- Reads: every role ----------------------------------------------------------------------------


@pytest.mark.parametrize(("resource", "role"), matrix())
def test_every_role_lists(in_acme, acme_as, resource, role):
    obj = resource.make()

    response = acme_as(role).get(resource.list_url(obj))

    assert response.status_code == 200
    assert ids(response.json()) == [obj.pk]


@pytest.mark.parametrize(("resource", "role"), matrix())
def test_every_role_retrieves(in_acme, acme_as, resource, role):
    obj = resource.make()

    response = acme_as(role).get(resource.detail_url(obj))

    assert response.status_code == 200
    assert response.json()["id"] == obj.pk


# --- Writes: the roles of CONTRACT §6 -------------------------------------------------------------


@pytest.mark.parametrize(("resource", "role"), matrix())
def test_create(in_acme, acme_as, snapshot, tmp_path, resource, role):
    car = CarFactory()
    client = acme_as(role)
    before = snapshot(resource.model)

    response = resource.create(client, car)

    if role not in resource.writers:
        assert (response.status_code, response.json()) == (403, PERMISSION_DENIED)
        assert snapshot(resource.model) == before
        return
    assert response.status_code == 201
    created = response.json()["id"]
    assert resource.model.objects.count() == len(before[0]) + 1
    assert resource.stored(created) == resource.expected(car)
    if resource.model is CarPhoto:
        photo = CarPhoto.objects.get(pk=created)
        assert photo.uploaded_by_id == client.user.pk
        assert (tmp_path / "acme" / photo.image.name).read_bytes() == PNG


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize(("resource", "role"), matrix([r for r in RESOURCES if r.change]))
def test_update(in_acme, acme_as, snapshot, resource, role, method):
    obj = resource.make()
    name, sent, stored = resource.change
    car = obj if resource.model is Car else obj.car
    body = {**resource.body(car), name: sent} if method == "put" else {name: sent}
    before = snapshot(resource.model)

    response = getattr(acme_as(role), method)(resource.detail_url(obj), body, format="json")

    if role not in resource.writers:
        assert (response.status_code, response.json()) == (403, PERMISSION_DENIED)
        assert snapshot(resource.model) == before
        return
    assert response.status_code == 200
    assert response.json()[name] == sent
    assert resource.model.objects.count() == len(before[0])
    obj.refresh_from_db()
    assert getattr(obj, name) == stored
    if method == "put":
        assert resource.stored(obj.pk) == {**resource.expected(car), name: stored}


@pytest.mark.parametrize(("resource", "role"), matrix())
def test_delete(in_acme, acme_as, snapshot, resource, role):
    obj = resource.make()
    before = snapshot(resource.model)

    response = acme_as(role).delete(resource.detail_url(obj))

    if role not in resource.writers:
        assert (response.status_code, response.json()) == (403, PERMISSION_DENIED)
        assert snapshot(resource.model) == before
        return
    assert response.status_code == 204
    assert response.content == b""
    assert not resource.model.objects.filter(pk=obj.pk).exists()
    assert resource.model.objects.count() == len(before[0]) - 1


def test_a_photo_cannot_be_edited(in_acme, acme_as):
    photo = _photo_of_a_car()

    response = acme_as(Role.COMPANY_ADMIN).patch(
        f"{API}/cars/photos/{photo.pk}/", {"comment": "Edited"}, format="json"
    )

    assert response.status_code == 405
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {"code": "method_not_allowed", "detail": 'Method "PATCH" not allowed.', "attr": None}
        ],
    }
    photo.refresh_from_db()
    assert photo.comment == ""


# --- Who the caller is ----------------------------------------------------------------------------

LIST_URLS = [
    *[f"{API}/{r.name}/" for r in RESOURCES if not isinstance(r, PhotoResource)],
    f"{API}/cars/1/photos/",
]


@pytest.mark.parametrize("url", LIST_URLS)
def test_anonymous_is_401(acme, client_for, url):
    response = client_for(acme).get(url)

    assert response.status_code == 401
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "not_authenticated",
                "detail": "Authentication credentials were not provided.",
                "attr": None,
            }
        ],
    }


@pytest.mark.parametrize("url", LIST_URLS)
def test_another_companys_token_is_401(acme, globex, make_user, client_for, url):
    globex_admin = make_user(globex, Role.COMPANY_ADMIN)

    response = client_for(acme, globex_admin).get(url)

    assert response.status_code == 401
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "token_not_valid",
                "detail": "Token is not valid for this company.",
                "attr": None,
            }
        ],
    }
