"""The records of a car: computed fields, rules between fields, one-per-car and one-per-month
records, and the car / period / status filters, with exact values."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shared_apps.accounts.roles import Role
from tenant_apps.fleet.models import FuelRecord, Kit, MonthlyMileage, Recorder, Spare
from tenant_apps.fleet.selectors import with_consumption
from tests.factories import (
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


@pytest.fixture
def dispatcher(acme_as):
    return acme_as(Role.DISPATCHER)


@pytest.fixture
def car(in_acme):
    return CarFactory(numplate="01KG123ABC")


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def only_error(response) -> dict:
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["type"] == "validation_error"
    assert len(body["errors"]) == 1, body
    return body["errors"][0]


# --- Spares ---------------------------------------------------------------------------------------


def test_spare_total_price_is_parts_plus_work(dispatcher, car):
    response = dispatcher.post(
        "/api/v1/spares/",
        {
            "car": car.pk,
            "name": "Тормозные колодки",
            "category": "brakes",
            "part_price": "1500.5",
            "work_price": "499.5",
            "installed_at": "2026-03-10",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "car": car.pk,
        "car_numplate": "01KG123ABC",
        "name": "Тормозные колодки",
        "category": "brakes",
        "description": "",
        "part_price": "1500.50",
        "work_description": "",
        "work_price": "499.50",
        "total_price": "2000.00",
        "installed_at": "2026-03-10",
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }

    patched = dispatcher.patch(f"/api/v1/spares/{body['id']}/", {"work_price": "0"}, format="json")
    assert patched.json()["total_price"] == "1500.50"
    assert Spare.objects.get().total_price == Decimal("1500.50")


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("part_price", "-1", "min_value"),
        ("work_price", "abc", "invalid"),
        ("part_price", "12345678901.00", "max_digits"),
        ("part_price", "1.005", "max_decimal_places"),
        ("category", "rockets", "invalid_choice"),
        ("installed_at", "", "invalid"),
        ("car", None, "null"),
        ("car", "one", "incorrect_type"),
    ],
)
def test_spare_bad_input(dispatcher, car, field, value, code):
    payload = {"car": car.pk, "name": "Oil", "installed_at": "2026-03-10", field: value}
    error = only_error(dispatcher.post("/api/v1/spares/", payload, format="json"))
    assert (error["attr"], error["code"]) == (field, code)
    assert not Spare.objects.exists()


def test_spares_filter_by_car_period_and_category(dispatcher, car):
    other = CarFactory()
    march = SpareFactory(car=car, installed_at=dt.date(2026, 3, 1), category="brakes")
    april = SpareFactory(car=car, installed_at=dt.date(2026, 4, 30), category="engine")
    SpareFactory(car=car, installed_at=dt.date(2026, 5, 1), category="other")
    SpareFactory(car=other, installed_at=dt.date(2026, 4, 1))

    url = "/api/v1/spares/"
    assert ids(dispatcher.get(f"{url}?car={car.pk}&date_from=2026-03-01&date_to=2026-04-30")) == [
        april.pk,
        march.pk,
    ]
    assert ids(dispatcher.get(f"{url}?car={car.pk}&category=brakes")) == [march.pk]
    error = only_error(dispatcher.get(f"{url}?date_from=2026-13-01"))
    assert (error["attr"], error["code"]) == ("date_from", "invalid")


# --- Tyres and batteries --------------------------------------------------------------------------


def test_tyres_cannot_be_removed_before_installed(dispatcher, car):
    payload = {
        "car": car.pk,
        "model": "Nokian",
        "size": "205/55 R16",
        "price": "24000",
        "installed_at": "2026-03-10",
        "removed_at": "2026-03-09",
    }
    error = only_error(dispatcher.post("/api/v1/tires/", payload, format="json"))
    assert error == {
        "code": "invalid",
        "detail": "Tyres cannot be removed before they were installed.",
        "attr": "removed_at",
    }

    ok = dispatcher.post("/api/v1/tires/", {**payload, "removed_at": "2026-03-10"}, format="json")
    assert ok.status_code == 201
    assert (ok.json()["price"], ok.json()["photo"]) == ("24000.00", None)


def test_tyres_filter_mounted(dispatcher, car):
    mounted = TiresFactory(car=car)
    TiresFactory(car=car, installed_at=dt.date(2025, 10, 1), removed_at=dt.date(2026, 3, 1))
    assert ids(dispatcher.get("/api/v1/tires/?mounted=true")) == [mounted.pk]


def test_battery_rules(dispatcher, car):
    payload = {
        "car": car.pk,
        "model": "Varta",
        "capacity_ah": 60,
        "price": "7500",
        "installed_at": "2026-02-01",
        "valid_until": "2028-02-01",
    }
    created = dispatcher.post("/api/v1/accumulators/", payload, format="json")
    assert created.status_code == 201
    assert created.json()["capacity_ah"] == 60

    error = only_error(
        dispatcher.post(
            "/api/v1/accumulators/", {**payload, "valid_until": "2026-01-31"}, format="json"
        )
    )
    assert (error["attr"], error["detail"]) == (
        "valid_until",
        "A battery cannot expire before it was installed.",
    )
    error = only_error(
        dispatcher.post("/api/v1/accumulators/", {**payload, "capacity_ah": 0}, format="json")
    )
    assert (error["attr"], error["code"]) == ("capacity_ah", "min_value")


# --- Fuel -----------------------------------------------------------------------------------------

FUEL = "/api/v1/fuel-records/"


@pytest.mark.parametrize(
    ("liters", "km", "consumption"),
    [
        ("42.5", 500, "8.50"),
        ("42.5", 0, None),
        ("10", 3, "333.33"),
        ("0", 100, "0.00"),
        ("55.55", 777, "7.15"),
    ],
)
def test_fuel_consumption(dispatcher, car, liters, km, consumption):
    payload = {
        "car": car.pk,
        "year": 2026,
        "month": 3,
        "liters": liters,
        "total_cost": "2975",
        "mileage_km": km,
    }
    response = dispatcher.post(FUEL, payload, format="json")

    assert response.status_code == 201
    assert response.json()["consumption_l_per_100km"] == consumption
    stored = with_consumption(FuelRecord.objects).get().consumption_l_per_100km
    assert stored == (Decimal(consumption) if consumption else None)


def test_fuel_record_in_full_and_recomputed_on_update(dispatcher, car):
    record = FuelRecordFactory(car=car, year=2026, month=3)

    response = dispatcher.patch(f"{FUEL}{record.pk}/", {"mileage_km": 850}, format="json")

    body = response.json()
    assert body == {
        "id": record.pk,
        "car": car.pk,
        "car_numplate": "01KG123ABC",
        "year": 2026,
        "month": 3,
        "month_name": "March",
        "liters": "42.50",
        "total_cost": "2975.00",
        "mileage_km": 850,
        "consumption_l_per_100km": "5.00",
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }


@pytest.mark.parametrize(
    ("language", "accept_language", "name"),
    [("en", None, "March"), ("ru", None, "Март"), ("ky", None, "Март"), ("en", "ru", "Март")],
)
def test_month_name_follows_the_users_language(acme_as, car, language, accept_language, name):
    FuelRecordFactory(car=car, month=3)
    client = acme_as(Role.GUEST, language=language)
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}

    assert client.get(FUEL, **headers).json()["results"][0]["month_name"] == name


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("month", 13, "max_value"),
        ("month", 0, "min_value"),
        ("year", 1989, "min_value"),
        ("liters", "-0.01", "min_value"),
        ("mileage_km", -5, "min_value"),
        ("mileage_km", 2**40, "max_value"),
    ],
)
def test_fuel_bad_input(dispatcher, car, field, value, code):
    payload = {"car": car.pk, "year": 2026, "month": 3, "liters": "1", "total_cost": "1"}
    payload |= {"mileage_km": 10, field: value}
    error = only_error(dispatcher.post(FUEL, payload, format="json"))
    assert (error["attr"], error["code"]) == (field, code)


def test_one_fuel_record_per_car_and_month(dispatcher, car):
    FuelRecordFactory(car=car, year=2026, month=3)
    other_car = CarFactory()
    payload = {"year": 2026, "month": 3, "liters": "1", "total_cost": "1", "mileage_km": 1}

    error = only_error(dispatcher.post(FUEL, {**payload, "car": car.pk}, format="json"))
    other = dispatcher.post(FUEL, {**payload, "car": other_car.pk}, format="json")
    next_month = dispatcher.post(FUEL, {**payload, "car": car.pk, "month": 4}, format="json")

    assert error == {
        "code": "unique",
        "detail": "This car already has a fuel record for this month.",
        "attr": "month",
    }
    assert (other.status_code, next_month.status_code) == (201, 201)
    assert FuelRecord.objects.count() == 3


def test_a_duplicate_month_is_reported_with_the_other_errors(dispatcher, car):
    FuelRecordFactory(car=car, year=2026, month=3)
    payload = {"car": car.pk, "year": 2026, "month": 3, "liters": "-1", "total_cost": "1"}
    payload |= {"mileage_km": 500}

    duplicate = dispatcher.post(FUEL, payload, format="json")
    invalid_month = dispatcher.post(FUEL, {**payload, "month": 13}, format="json")

    assert [(e["attr"], e["code"]) for e in duplicate.json()["errors"]] == [
        ("liters", "min_value"),
        ("month", "unique"),
    ]
    assert [(e["attr"], e["code"]) for e in invalid_month.json()["errors"]] == [
        ("month", "max_value"),
        ("liters", "min_value"),
    ]
    assert FuelRecord.objects.count() == 1


def test_fuel_filters_by_period_across_a_year_boundary(dispatcher, car):
    records = {
        (year, month): FuelRecordFactory(car=car, year=year, month=month)
        for year, month in [(2025, 10), (2025, 11), (2025, 12), (2026, 1), (2026, 2), (2026, 3)]
    }
    pick = lambda *keys: [records[k].pk for k in keys]  # noqa: E731

    assert ids(dispatcher.get(f"{FUEL}?date_from=2025-11&date_to=2026-02")) == pick(
        (2026, 2), (2026, 1), (2025, 12), (2025, 11)
    )
    # A day selects its whole month.
    assert ids(dispatcher.get(f"{FUEL}?date_from=2025-12-31&date_to=2026-01-01")) == pick(
        (2026, 1), (2025, 12)
    )
    assert ids(dispatcher.get(f"{FUEL}?year=2025&month=11")) == pick((2025, 11))
    assert ids(dispatcher.get(f"{FUEL}?date_from=2027-01")) == []
    error = only_error(dispatcher.get(f"{FUEL}?date_to=2026-13"))
    assert error == {
        "code": "invalid",
        "detail": "Enter a month (YYYY-MM) or a date (YYYY-MM-DD).",
        "attr": "date_to",
    }


def test_fuel_ordering_by_consumption(dispatcher, car):
    thirsty = FuelRecordFactory(car=car, month=1, liters=Decimal("80"), mileage_km=500)
    frugal = FuelRecordFactory(car=car, month=2, liters=Decimal("30"), mileage_km=500)
    parked = FuelRecordFactory(car=car, month=3, liters=Decimal("0"), mileage_km=0)

    assert ids(dispatcher.get(f"{FUEL}?ordering=-consumption_l_per_100km")) == [
        parked.pk,  # NULL sorts first in descending order in PostgreSQL
        thirsty.pk,
        frugal.pk,
    ]


def test_fuel_consumption_uses_the_car_month_mileage(dispatcher, car):
    """80 l with `mileage_km = 0`, and 1,000 km in `monthly-mileages/`: 8.00 l/100 km; 30 l over
    its own 500 km, overridden by a mileage record of 200 km: 15.00. Ordering follows."""
    recorded = FuelRecordFactory(car=car, year=2026, month=1, liters=Decimal("80"), mileage_km=0)
    MonthlyMileageFactory(car=car, month=dt.date(2026, 1, 1), mileage_km=1000)
    overridden = FuelRecordFactory(
        car=car, year=2026, month=2, liters=Decimal("30"), mileage_km=500
    )
    MonthlyMileageFactory(car=car, month=dt.date(2026, 2, 1), mileage_km=200)
    own = FuelRecordFactory(car=car, year=2026, month=3, liters=Decimal("50"), mileage_km=400)

    listed = dispatcher.get(f"{FUEL}?ordering=-consumption_l_per_100km").json()["results"]
    detail = dispatcher.get(f"{FUEL}{recorded.pk}/").json()

    assert [(r["id"], r["mileage_km"], r["consumption_l_per_100km"]) for r in listed] == [
        (overridden.pk, 500, "15.00"),
        (own.pk, 400, "12.50"),
        (recorded.pk, 0, "8.00"),
    ]
    assert detail["consumption_l_per_100km"] == "8.00"


# --- Insurances and inspections -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_from_today", "status"),
    [(-1, "expired"), (0, "expiring"), (30, "expiring"), (31, "active"), (400, "active")],
)
def test_insurance_status_from_the_warning_window(dispatcher, car, days_from_today, status):
    today = dt.datetime.now(ZoneInfo("Asia/Bishkek")).date()
    end = today + dt.timedelta(days=days_from_today)
    start = min(end - dt.timedelta(days=365), today)  # started: not `upcoming`
    policy = InsuranceFactory(car=car, start_date=start, end_date=end)

    body = dispatcher.get(f"/api/v1/insurances/{policy.pk}/").json()

    assert (body["status"], body["days_left"]) == (status, days_from_today)
    assert ids(dispatcher.get(f"/api/v1/insurances/?status={status}")) == [policy.pk]


def test_a_policy_that_has_not_started_is_upcoming_and_covers_nothing(dispatcher, car):
    """OSAGO lapsed 5 days ago, the renewal starts in 20 days: neither is `active`."""
    today = dt.datetime.now(ZoneInfo("Asia/Bishkek")).date()
    day = lambda n: today + dt.timedelta(days=n)  # noqa: E731
    lapsed = InsuranceFactory(car=car, start_date=day(-370), end_date=day(-5))
    renewal = InsuranceFactory(car=car, start_date=day(20), end_date=day(384))
    starts_today = InsuranceFactory(car=car, start_date=today, end_date=day(364))

    statuses = {
        r["id"]: (r["status"], r["days_left"])
        for r in dispatcher.get("/api/v1/insurances/").json()["results"]
    }

    assert statuses == {
        lapsed.pk: ("expired", -5),
        renewal.pk: ("upcoming", 384),
        starts_today.pk: ("active", 364),
    }
    for status, expected in [
        ("upcoming", [renewal.pk]),
        ("active", [starts_today.pk]),
        ("expired", [lapsed.pk]),
        ("expiring", []),
    ]:
        assert ids(dispatcher.get(f"/api/v1/insurances/?status={status}")) == expected, status


def test_an_inspection_dated_in_the_future_is_upcoming(dispatcher, car):
    today = dt.datetime.now(ZoneInfo("Asia/Bishkek")).date()
    future = InspectionFactory(
        car=car,
        inspected_at=today + dt.timedelta(days=3),
        valid_until=today + dt.timedelta(days=368),
    )

    body = dispatcher.get(f"/api/v1/inspections/{future.pk}/").json()

    assert (body["status"], body["days_left"]) == ("upcoming", 368)
    assert ids(dispatcher.get("/api/v1/inspections/?status=upcoming")) == [future.pk]
    assert ids(dispatcher.get("/api/v1/inspections/?status=active")) == []


def test_a_document_status_is_not_a_car_status_in_russian():
    from django.utils import translation

    from tenant_apps.fleet.models import CarStatus, DocumentStatus

    with translation.override("ru"):
        assert [str(label) for label in DocumentStatus.labels] == [
            "Ещё не действует",
            "Действует",
            "Истекает",
            "Просрочен",
        ]
        assert str(CarStatus.ACTIVE.label) == "В работе"


def test_status_uses_the_companys_timezone_and_window(dispatcher, acme, car):
    acme.timezone = "Pacific/Kiritimati"  # UTC+14: often a day ahead of the server
    acme.expiry_warning_days = 10
    acme.save()
    today = dt.datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    yesterday = InsuranceFactory(
        car=car,
        start_date=today.replace(year=today.year - 1),
        end_date=today - dt.timedelta(days=1),
    )
    in_ten = InspectionFactory(
        car=car, inspected_at=today, valid_until=today + dt.timedelta(days=10)
    )
    in_eleven = InspectionFactory(
        car=car, inspected_at=today, valid_until=today + dt.timedelta(days=11)
    )

    assert dispatcher.get(f"/api/v1/insurances/{yesterday.pk}/").json()["status"] == "expired"
    statuses = {
        row["id"]: row["status"] for row in dispatcher.get("/api/v1/inspections/").json()["results"]
    }
    assert statuses == {in_ten.pk: "expiring", in_eleven.pk: "active"}
    assert ids(dispatcher.get("/api/v1/inspections/?status=active")) == [in_eleven.pk]


def test_insurance_rules_and_filters(dispatcher, car):
    payload = {
        "car": car.pk,
        "insurance_type": "casco",
        "number": "KG-CASCO-1",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "cost": "45000",
    }
    assert dispatcher.post("/api/v1/insurances/", payload, format="json").status_code == 201
    error = only_error(
        dispatcher.post("/api/v1/insurances/", {**payload, "end_date": "2025-12-31"}, format="json")
    )
    assert error == {
        "code": "invalid",
        "detail": "The policy cannot end before it starts.",
        "attr": "end_date",
    }
    error = only_error(
        dispatcher.post("/api/v1/insurances/", {**payload, "insurance_type": "life"}, format="json")
    )
    assert (error["attr"], error["code"]) == ("insurance_type", "invalid_choice")

    osago = InsuranceFactory(
        car=car,
        insurance_type="osago",
        start_date=dt.date(2025, 6, 1),
        end_date=dt.date(2026, 5, 31),
    )
    url = "/api/v1/insurances/"
    assert ids(dispatcher.get(f"{url}?insurance_type=osago")) == [osago.pk]
    # Valid at some time within the period.
    assert ids(dispatcher.get(f"{url}?date_from=2025-01-01&date_to=2025-12-31")) == [osago.pk]
    assert len(ids(dispatcher.get(f"{url}?date_from=2026-05-31&date_to=2026-06-01"))) == 2
    error = only_error(dispatcher.get(f"{url}?status=lapsed"))
    assert (error["attr"], error["code"]) == ("status", "invalid_choice")


def test_inspection_cannot_expire_before_it_happened(dispatcher, car):
    payload = {
        "car": car.pk,
        "number": "TO-1",
        "inspected_at": "2026-03-01",
        "valid_until": "2026-02-28",
        "cost": "1100",
    }
    error = only_error(dispatcher.post("/api/v1/inspections/", payload, format="json"))
    assert (error["attr"], error["detail"]) == (
        "valid_until",
        "A certificate cannot expire before the inspection.",
    )


# --- Recorders and kits: one per car --------------------------------------------------------------


def test_second_recorder_for_a_car_is_refused(dispatcher, car):
    RecorderFactory(car=car)
    payload = {"car": car.pk, "model": "Xiaomi", "serial_number": "X1"}

    error = only_error(dispatcher.post("/api/v1/recorders/", payload, format="json"))
    other = dispatcher.post(
        "/api/v1/recorders/", {**payload, "car": CarFactory().pk}, format="json"
    )

    assert error == {
        "code": "unique",
        "detail": "A recorder with this car already exists.",
        "attr": "car",
    }
    assert other.status_code == 201
    assert Recorder.objects.count() == 2


def test_kit_clears_dates_of_absent_items(dispatcher, car):
    response = dispatcher.post(
        "/api/v1/kits/",
        {
            "car": car.pk,
            "has_jack": True,
            "has_fire_extinguisher": False,
            "fire_extinguisher_expires_at": "2027-01-01",
            "has_first_aid_kit": True,
            "first_aid_kit_expires_at": "2027-06-30",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["fire_extinguisher_expires_at"], body["first_aid_kit_expires_at"]) == (
        None,
        "2027-06-30",
    )

    patched = dispatcher.patch(
        f"/api/v1/kits/{body['id']}/", {"has_first_aid_kit": False}, format="json"
    )
    assert patched.json()["first_aid_kit_expires_at"] is None
    kit = Kit.objects.get()
    assert (kit.has_jack, kit.first_aid_kit_expires_at) == (True, None)

    error = only_error(dispatcher.post("/api/v1/kits/", {"car": car.pk}, format="json"))
    assert (error["attr"], error["code"]) == ("car", "unique")


def test_kit_list_filters_by_car(dispatcher, car):
    kit = KitFactory(car=car)
    KitFactory()
    assert ids(dispatcher.get(f"/api/v1/kits/?car={car.pk}")) == [kit.pk]


# --- Monthly mileage ------------------------------------------------------------------------------

MILEAGE = "/api/v1/monthly-mileages/"


def test_mileage_month_is_yyyy_mm(dispatcher, car):
    response = dispatcher.post(
        MILEAGE, {"car": car.pk, "month": "2026-03", "mileage_km": 1234}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["month"] == "2026-03"
    assert MonthlyMileage.objects.get().month == dt.date(2026, 3, 1)


@pytest.mark.parametrize(
    "month",
    [
        "2026-3",
        "2026-13",
        "2026-00",
        "03-2026",
        "2026-03-01",
        202603,
        "",
        None,
        "0000-03",
        "1989-12",
        "2101-01",
        "\u0662\u0660\u0662\u0666-03",  # Arabic-Indic digits
        "2026-04\n",
    ],
)
def test_malformed_months_are_refused(dispatcher, car, month):
    error = only_error(
        dispatcher.post(MILEAGE, {"car": car.pk, "month": month, "mileage_km": 1}, format="json")
    )
    assert error["attr"] == "month"
    assert error["code"] in {"invalid", "null"}
    assert not MonthlyMileage.objects.exists()


def test_one_mileage_per_car_and_month(dispatcher, car):
    MonthlyMileageFactory(car=car, month=dt.date(2026, 3, 1))
    error = only_error(
        dispatcher.post(
            MILEAGE, {"car": car.pk, "month": "2026-03", "mileage_km": 5}, format="json"
        )
    )
    assert error == {
        "code": "unique",
        "detail": "This car already has a mileage for this month.",
        "attr": "month",
    }


def test_mileage_filters(dispatcher, car):
    dec = MonthlyMileageFactory(car=car, month=dt.date(2025, 12, 1))
    jan = MonthlyMileageFactory(car=car, month=dt.date(2026, 1, 1))
    MonthlyMileageFactory(month=dt.date(2026, 1, 1))

    assert ids(dispatcher.get(f"{MILEAGE}?car={car.pk}&date_from=2025-12&date_to=2026-01")) == [
        jan.pk,
        dec.pk,
    ]
    assert ids(dispatcher.get(f"{MILEAGE}?car={car.pk}&date_to=2025-12-31")) == [dec.pk]
