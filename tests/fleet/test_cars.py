"""Cars: normalisation, validation against the dictionaries, uniqueness, filters, search,
ordering, the detail view's aggregates and the delete rule."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from shared_apps.accounts.roles import Role
from tenant_apps.fleet.fields import person_name_normalize
from tenant_apps.fleet.models import Car
from tests.factories import (
    AccumulatorFactory,
    CarFactory,
    FuelRecordFactory,
    InspectionFactory,
    InsuranceFactory,
    SpareFactory,
    TiresFactory,
)

CARS = "/api/v1/cars/"

NEW_CAR = {
    "region": "chui",
    "brand": "toyota",
    "title": "Land Cruiser 200",
    "numplate": "01 kg 123 abc",
    "year": 2019,
    "vin": "jtmhv05j804123456",
    "fuel_type": "diesel",
    "vehicle_type": "suv",
    "driver_name": "иванов иван  иванович",
    "driver_phone": "+996 555 123 456",
    "fuel_card": "7788-0011",
    "status": "active",
    "commissioned_at": "2019-05-20",
}


@pytest.fixture
def dispatcher(acme_as):
    return acme_as(Role.DISPATCHER)


def test_create_normalises_and_returns_every_field(dispatcher, in_acme):
    response = dispatcher.post(CARS, NEW_CAR, format="json")

    assert response.status_code == 201
    body = response.json()
    car = Car.objects.get()
    assert body == {
        "id": car.pk,
        "region": "chui",
        "brand": "toyota",
        "title": "Land Cruiser 200",
        "numplate": "01KG123ABC",
        "year": 2019,
        "vin": "JTMHV05J804123456",
        "fuel_type": "diesel",
        "vehicle_type": "suv",
        "driver_name": "Иванов Иван Иванович",
        "driver_phone": "+996 555 123 456",
        "driver": None,
        "fuel_card": "7788-0011",
        "status": "active",
        "commissioned_at": "2019-05-20",
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert (car.numplate, car.vin, car.driver_name) == (
        "01KG123ABC",
        "JTMHV05J804123456",
        "Иванов Иван Иванович",
    )


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("иванов иван  иванович", "Иванов Иван Иванович"),
        ("  ПЕТРОВ-ВОДКИН   кузьма ", "Петров-Водкин Кузьма"),
        ("асанов бакыт УУЛУ", "Асанов Бакыт уулу"),
        ("o'neil JOHN", "O'neil John"),
        ("", ""),
    ],
)
def test_driver_name_normalisation(raw, normalised):
    assert person_name_normalize(raw) == normalised


def test_update_normalises_too_and_keeps_other_fields(dispatcher, in_acme):
    car = CarFactory(numplate="01KG001AAA", title="Camry")

    response = dispatcher.patch(
        f"{CARS}{car.pk}/",
        {"numplate": "02 kg 777-bbb", "driver_name": "ПЕТРОВ пётр"},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["numplate"], response.json()["driver_name"]) == (
        "02KG777BBB",
        "Петров Пётр",
    )
    car.refresh_from_db()
    assert (car.numplate, car.title) == ("02KG777BBB", "Camry")


def test_exact_lookup_finds_a_plate_however_it_is_written(in_acme):
    car = CarFactory(numplate="01 kg 555 xyz")
    assert Car.objects.get(numplate="01KG555XYZ") == car
    assert Car.objects.get(numplate=" 01-kg-555 xyz ") == car


@pytest.mark.parametrize(
    ("field", "value", "code", "detail"),
    [
        ("region", "moscow", "invalid_choice", "'moscow' is not in the regions dictionary."),
        (
            "brand",
            "lada-kalina",
            "invalid_choice",
            "'lada-kalina' is not in the brands dictionary.",
        ),
        ("fuel_type", "coal", "invalid_choice", "'coal' is not in the fuel_types dictionary."),
        ("vehicle_type", "", "blank", "This field may not be blank."),
        ("status", "stolen", "invalid_choice", '"stolen" is not a valid choice.'),
        (
            "numplate",
            "01 KG !!",
            "invalid_numplate",
            "Enter a number plate of 2 to 16 letters and digits, e.g. 01KG123ABC.",
        ),
        (
            "vin",
            "JTMHV05J80412345O",
            "invalid_vin",
            "A VIN has 17 characters: digits and Latin letters except I, O and Q.",
        ),
        (
            "vin",
            "123",
            "invalid_vin",
            "A VIN has 17 characters: digits and Latin letters except I, O and Q.",
        ),
        ("year", 1800, "min_value", "Ensure this value is greater than or equal to 1950."),
        (
            "commissioned_at",
            "20.05.2019",
            "invalid",
            "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
        ),
        ("driver", 999999, "does_not_exist", 'Invalid pk "999999" - object does not exist.'),
        ("title", "x" * 121, "max_length", "Ensure this field has no more than 120 characters."),
    ],
)
def test_invalid_fields_are_refused_with_their_attr(
    dispatcher, in_acme, field, value, code, detail
):
    response = dispatcher.post(CARS, {**NEW_CAR, field: value}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [{"code": code, "detail": detail, "attr": field}],
    }
    assert not Car.objects.exists()


def test_required_fields(dispatcher, in_acme):
    response = dispatcher.post(CARS, {}, format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert sorted((e["attr"], e["code"]) for e in errors) == [
        ("brand", "required"),
        ("fuel_type", "required"),
        ("numplate", "required"),
        ("region", "required"),
        ("title", "required"),
        ("vehicle_type", "required"),
    ]


def test_driver_must_be_a_user_of_this_company(dispatcher, acme, globex, make_user, in_acme):
    own_driver = make_user(acme, Role.DRIVER)
    other_driver = make_user(globex, Role.DRIVER)

    refused = dispatcher.post(CARS, {**NEW_CAR, "driver": other_driver.pk}, format="json")
    accepted = dispatcher.post(CARS, {**NEW_CAR, "driver": own_driver.pk}, format="json")

    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {
            "code": "does_not_exist",
            "detail": f'Invalid pk "{other_driver.pk}" - object does not exist.',
            "attr": "driver",
        }
    ]
    assert accepted.status_code == 201
    assert accepted.json()["driver"] == own_driver.pk


def test_a_retired_dictionary_code_stays_valid_on_the_car_that_has_it(dispatcher, in_acme):
    from shared_apps.dictionaries.models import DictionaryEntry
    from shared_apps.dictionaries.selectors import dictionaries_cache_clear

    car = CarFactory(brand="daewoo")
    DictionaryEntry.objects.filter(kind="brands", code="daewoo").update(is_active=False)
    dictionaries_cache_clear()

    kept = dispatcher.put(
        f"{CARS}{car.pk}/", {**NEW_CAR, "brand": "daewoo", "numplate": car.numplate}, format="json"
    )
    new = dispatcher.post(CARS, {**NEW_CAR, "brand": "daewoo"}, format="json")

    assert kept.status_code == 200
    assert new.status_code == 400
    assert new.json()["errors"][0]["attr"] == "brand"


@pytest.mark.parametrize(
    ("existing", "duplicate", "attr", "detail"),
    [
        (
            {"numplate": "01KG123ABC"},
            {"numplate": "01 kg 123-abc"},
            "numplate",
            "A car with this number plate already exists.",
        ),
        (
            {"vin": "JTMHV05J804123456"},
            {"vin": "jtmhv05j804123456", "numplate": "B1"},
            "vin",
            "A car with this VIN already exists.",
        ),
    ],
)
def test_duplicates_are_400_with_attr(dispatcher, in_acme, existing, duplicate, attr, detail):
    CarFactory(**existing)

    response = dispatcher.post(CARS, {**NEW_CAR, **duplicate}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [{"code": "unique", "detail": detail, "attr": attr}],
    }
    assert Car.objects.count() == 1


def errors_of(response) -> set[tuple[str, str]]:
    assert response.status_code == 400
    return {(e["attr"], e["code"]) for e in response.json()["errors"]}


def test_a_duplicate_is_reported_with_the_other_errors(dispatcher, in_acme):
    """Fixing the year and the brand must not be followed by a second refusal for the plate."""
    CarFactory(numplate="01KG123ABC", vin="JTMHV05J804123456")

    response = dispatcher.post(CARS, {**NEW_CAR, "year": 1800, "brand": "nope"}, format="json")

    assert errors_of(response) == {
        ("year", "min_value"),
        ("brand", "invalid_choice"),
        ("numplate", "unique"),
        ("vin", "unique"),
    }
    details = {e["attr"]: e["detail"] for e in response.json()["errors"]}
    assert details["numplate"] == "A car with this number plate already exists."
    assert details["vin"] == "A car with this VIN already exists."
    assert Car.objects.count() == 1


def test_an_update_is_no_duplicate_of_itself_nor_of_an_invalid_value(dispatcher, in_acme):
    car = CarFactory(numplate="01KG123ABC", vin="")
    CarFactory(numplate="02KG222BBB", vin="")

    own = dispatcher.patch(f"{CARS}{car.pk}/", {"numplate": "01 kg 123abc", "year": 1800})
    other = dispatcher.patch(f"{CARS}{car.pk}/", {"numplate": "02KG222BBB", "year": 1800})
    unchanged = dispatcher.patch(f"{CARS}{car.pk}/", {"year": 1800})
    bad_plate = dispatcher.post(CARS, {**NEW_CAR, "numplate": "!", "year": 1800}, format="json")

    assert errors_of(own) == {("year", "min_value")}
    assert errors_of(other) == {("year", "min_value"), ("numplate", "unique")}
    assert errors_of(unchanged) == {("year", "min_value")}
    assert errors_of(bad_plate) == {("year", "min_value"), ("numplate", "invalid_numplate")}
    car.refresh_from_db()
    assert car.numplate == "01KG123ABC"


def test_cars_without_vin_do_not_collide(dispatcher, in_acme):
    CarFactory(vin="")
    response = dispatcher.post(CARS, {**NEW_CAR, "vin": ""}, format="json")
    assert response.status_code == 201
    assert Car.objects.filter(vin="").count() == 2


def test_list_is_brief_paginated_and_ordered_by_numplate(dispatcher, in_acme):
    CarFactory(numplate="02KG002BBB", title="Sprinter", brand="mercedes-benz")
    CarFactory(numplate="01KG001AAA", title="Nexia", brand="daewoo")

    response = dispatcher.get(CARS)

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (2, None, None)
    assert [c["numplate"] for c in body["results"]] == ["01KG001AAA", "02KG002BBB"]
    assert set(body["results"][0]) == {
        "id",
        "numplate",
        "title",
        "brand",
        "region",
        "vehicle_type",
        "fuel_type",
        "year",
        "status",
        "driver_name",
        "driver",
    }


@pytest.fixture
def small_fleet(in_acme):
    return {
        "sprinter": CarFactory(
            numplate="01KG100AAA",
            brand="mercedes-benz",
            region="bishkek",
            vehicle_type="van",
            fuel_type="diesel",
            status="active",
            title="Sprinter",
            driver_name="Асанов Бакыт",
        ),
        "camry": CarFactory(
            numplate="03KG200BBB",
            brand="toyota",
            region="osh",
            vehicle_type="car",
            fuel_type="petrol",
            status="repair",
            title="Camry",
            year=2018,
        ),
        "kamaz": CarFactory(
            numplate="01KG300CCC",
            brand="kamaz",
            region="bishkek",
            vehicle_type="truck",
            fuel_type="diesel",
            status="decommissioned",
            title="65115",
            year=2010,
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("region=bishkek", ["kamaz", "sprinter"]),
        ("brand=toyota", ["camry"]),
        ("vehicle_type=truck", ["kamaz"]),
        ("fuel_type=diesel", ["kamaz", "sprinter"]),
        ("status=repair", ["camry"]),
        ("numplate=kg 2", ["camry"]),
        ("numplate=01kg", ["kamaz", "sprinter"]),
        ("search=асанов", ["sprinter"]),
        ("search=camry", ["camry"]),
        ("region=bishkek&fuel_type=diesel&status=active", ["sprinter"]),
        ("ordering=-year", ["sprinter", "camry", "kamaz"]),
        ("ordering=brand", ["kamaz", "sprinter", "camry"]),
    ],
)
def test_filters_search_and_ordering(dispatcher, small_fleet, query, expected):
    response = dispatcher.get(f"{CARS}?{query}")

    assert response.status_code == 200
    ids = {car.pk: name for name, car in small_fleet.items()}
    names = [ids[c["id"]] for c in response.json()["results"]]
    if "ordering" not in query:
        names = sorted(names)
    assert names == expected


@pytest.mark.parametrize(
    ("query", "attr", "code"),
    [
        ("status=stolen", "status", "invalid_choice"),
        ("driver=abc", "driver", "invalid_choice"),
        ("page=0", None, "not_found"),
    ],
)
def test_malformed_filters_are_4xx(dispatcher, small_fleet, query, attr, code):
    response = dispatcher.get(f"{CARS}?{query}")

    assert response.status_code in (400, 404)
    assert response.json()["errors"][0]["attr"] == attr
    assert response.json()["errors"][0]["code"] == code


def test_detail_adds_this_years_aggregates_and_next_documents(dispatcher, acme, in_acme):
    today = dt.date.today()
    this_year, last_year = today.year, today.year - 1
    car = CarFactory()
    other = CarFactory()
    FuelRecordFactory(
        car=car, year=this_year, month=1, liters=Decimal("40.00"), total_cost=Decimal("2800.00")
    )
    FuelRecordFactory(
        car=car, year=this_year, month=2, liters=Decimal("2.50"), total_cost=Decimal("175.50")
    )
    FuelRecordFactory(car=car, year=last_year, month=12, liters=Decimal("99.00"))
    FuelRecordFactory(car=other, year=this_year, month=1, liters=Decimal("77.00"))
    SpareFactory(
        car=car,
        part_price=Decimal("1000.00"),
        work_price=Decimal("250.50"),
        installed_at=dt.date(this_year, 1, 5),
    )
    SpareFactory(car=car, part_price=Decimal("5000.00"), installed_at=dt.date(last_year, 6, 1))
    TiresFactory(car=car, price=Decimal("20000.00"), installed_at=dt.date(this_year, 1, 2))
    AccumulatorFactory(car=car, price=Decimal("7000.00"), installed_at=dt.date(this_year, 1, 3))
    InspectionFactory(
        car=car,
        cost=Decimal("1100.00"),
        inspected_at=dt.date(this_year, 1, 1),
        valid_until=today + dt.timedelta(days=40),
    )
    InsuranceFactory(
        car=car,
        number="OLD",
        start_date=today - dt.timedelta(days=400),
        end_date=today - dt.timedelta(days=35),
    )
    later = InsuranceFactory(
        car=car, number="LATER", start_date=today, end_date=today + dt.timedelta(days=300)
    )
    soon = InsuranceFactory(
        car=car,
        number="SOON",
        insurance_type="casco",
        start_date=today - dt.timedelta(days=300),
        end_date=today + dt.timedelta(days=10),
    )

    response = dispatcher.get(f"{CARS}{car.pk}/")

    assert response.status_code == 200
    summary = response.json()["summary"]
    inspection = car.inspections.get()
    assert summary == {
        "year": this_year,
        "fuel_liters": "42.50",
        "fuel_cost": "2975.50",
        # 1250.50 repair + 20000 tyres + 7000 battery + 1100 inspection
        "maintenance_cost": "29350.50",
        "next_insurance": {
            "id": soon.pk,
            "insurance_type": "casco",
            "number": "SOON",
            "end_date": (today + dt.timedelta(days=10)).isoformat(),
            "days_left": 10,
        },
        "next_inspection": {
            "id": inspection.pk,
            "number": inspection.number,
            "valid_until": (today + dt.timedelta(days=40)).isoformat(),
            "days_left": 40,
        },
        # The compliance report's rows of the car: no kit, so both items are missing; then the
        # soonest due. OSAGO is covered by LATER (OLD lapsed 35 days ago); no battery warranty.
        "compliance": [
            compliance(car, "fire_extinguisher", "missing"),
            compliance(car, "first_aid_kit", "missing"),
            compliance(car, "casco", "expiring", 10, soon, today=today),
            compliance(car, "inspection", "active", 40, inspection, today=today),
            compliance(car, "osago", "active", 300, later, today=today),
        ],
    }


def compliance(car, obligation, status, due=None, document=None, *, today=None) -> dict:
    """A row of the car's compliance, `due` in days from today."""
    return {
        "car": car.pk,
        "numplate": car.numplate,
        "obligation": obligation,
        "status": status,
        "due": None if due is None else (today + dt.timedelta(days=due)).isoformat(),
        "days_left": due,
        "document": None if document is None else document.pk,
    }


def test_detail_of_a_car_without_records(dispatcher, in_acme):
    car = CarFactory()

    summary = dispatcher.get(f"{CARS}{car.pk}/").json()["summary"]

    assert summary == {
        "year": dt.date.today().year,
        "fuel_liters": "0.00",
        "fuel_cost": "0.00",
        "maintenance_cost": "0.00",
        "next_insurance": None,
        "next_inspection": None,
        "compliance": [
            compliance(car, obligation, "missing")
            for obligation in ("osago", "inspection", "fire_extinguisher", "first_aid_kit")
        ],
    }


def test_a_car_without_history_can_be_deleted(dispatcher, in_acme):
    car = CarFactory()
    response = dispatcher.delete(f"{CARS}{car.pk}/")
    assert response.status_code == 204
    assert not Car.objects.filter(pk=car.pk).exists()


def test_a_car_with_history_is_kept_with_409(dispatcher, in_acme):
    car = CarFactory()
    FuelRecordFactory(car=car)
    InsuranceFactory(car=car)

    response = dispatcher.delete(f"{CARS}{car.pk}/")

    assert response.status_code == 409
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "car_has_history",
                "detail": "This car has history (fuel records, insurances); "
                "set its status to decommissioned instead.",
                "attr": None,
            }
        ],
    }
    assert Car.objects.filter(pk=car.pk).exists()


def test_unknown_car_is_404(dispatcher, in_acme):
    for method in ("get", "patch", "delete"):
        response = getattr(dispatcher, method)(f"{CARS}424242/")
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "not_found"
    assert dispatcher.get(f"{CARS}abc/").status_code == 404


def test_public_host_has_no_fleet(client_for, acme_admin):
    response = client_for(None).get(CARS)
    assert response.status_code == 404
    connection.set_schema_to_public()


# --- Found in review ----------------------------------------------------------------------------


def test_cyrillic_lookalike_letters_make_the_same_plate(dispatcher, in_acme):
    CarFactory(numplate="01KG123ABC")

    response = dispatcher.post(CARS, {**NEW_CAR, "numplate": "01 КG 123 АВС"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "numplate"
    assert dispatcher.get(f"{CARS}?numplate=123АВС").json()["count"] == 1


def test_a_plate_that_bypasses_validation_is_still_refused_by_the_database(in_acme):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Car.objects.bulk_create([CarFactory.build(numplate="=HYPERLINK")])


def test_summary_of_a_car_with_huge_costs_is_not_a_500(dispatcher, in_acme):
    car = CarFactory()
    year = dt.date.today().year
    biggest = Decimal("9999999999.99")
    SpareFactory.create_batch(
        51, car=car, part_price=biggest, work_price=biggest, installed_at=dt.date(year, 1, 2)
    )

    response = dispatcher.get(f"{CARS}{car.pk}/")

    assert response.status_code == 200
    assert response.json()["summary"]["maintenance_cost"] == "1019999999998.98"


def test_a_deactivated_user_cannot_become_a_driver_but_stays_one(
    dispatcher, acme, make_user, in_acme
):
    former = make_user(acme, Role.DRIVER)
    car = CarFactory(driver=former)
    former.is_active = False
    former.save()

    kept = dispatcher.put(
        f"{CARS}{car.pk}/",
        {**NEW_CAR, "numplate": car.numplate, "driver": former.pk},
        format="json",
    )
    refused = dispatcher.post(CARS, {**NEW_CAR, "driver": former.pk}, format="json")

    assert kept.status_code == 200
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["attr"] == "driver"


def test_services_validate_fields_for_every_caller(in_acme):
    from django.core.exceptions import ValidationError

    from tenant_apps.fleet import services

    with pytest.raises(ValidationError) as caught:
        services.record_create(
            model_class=Car,
            numplate="!!",
            vin="IIIIIII",
            year=5,
            region="bishkek",
            brand="toyota",
            fuel_type="petrol",
            vehicle_type="car",
            title="Camry",
        )
    assert sorted(caught.value.message_dict) == ["numplate", "vin", "year"]
    assert not Car.objects.exists()


def test_an_update_of_a_record_deleted_meanwhile_does_not_bring_it_back(in_acme):
    from django.http import Http404

    from tenant_apps.fleet import services
    from tenant_apps.fleet.models import Spare

    spare = SpareFactory()
    Spare.objects.filter(pk=spare.pk).delete()

    with pytest.raises(Http404):
        services.record_update(instance=spare, name="Renamed")
    assert not Spare.objects.exists()


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("en", "A car with this number plate already exists."),
        ("ru", "Машина с таким госномером уже существует."),
        ("ky", "Машина с таким госномером уже существует."),  # Kyrgyz falls back to Russian
    ],
)
def test_our_own_messages_follow_the_users_language(acme_as, in_acme, language, detail):
    CarFactory(numplate="01KG123ABC")
    client = acme_as(Role.DISPATCHER, language=language)

    response = client.post(CARS, NEW_CAR, format="json")

    assert response.json()["errors"] == [{"code": "unique", "detail": detail, "attr": "numplate"}]


def test_the_409_names_the_history_in_russian(acme_as, in_acme):
    car = CarFactory()
    FuelRecordFactory(car=car)
    client = acme_as(Role.DISPATCHER, language="ru")

    response = client.delete(f"{CARS}{car.pk}/")

    assert response.json()["errors"][0]["detail"] == (
        "У машины есть история (заправки); вместо удаления установите статус «списан»."
    )
