"""Many creates at once (the import's path): `services.records_insert` writes checked records
by COPY, keeping their ids; a constraint one of them breaks is named on its write by the batch
engine, with the API's error."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import IntegrityError

from shared_apps.accounts.roles import Role
from tenant_apps.fleet import services
from tenant_apps.fleet.batch import CREATE, Outcome, Write, writes_apply
from tenant_apps.fleet.models import FuelRecord, Insurance
from tenant_apps.fleet.serializers import (
    CarSerializer,
    FuelRecordSerializer,
    InsuranceSerializer,
    fields_checked_as_the_model_would,
)
from tests.factories import CarFactory, FuelRecordFactory


@pytest.fixture
def car(in_acme):
    return CarFactory(numplate="01KG700AAA")


def fuel(car, month: int, **fields) -> FuelRecord:
    values = {"liters": Decimal("40.50"), "total_cost": Decimal("2835.00"), "mileage_km": 400}
    return services.record_new(
        model_class=FuelRecord, car=car, year=2026, month=month, **{**values, **fields}
    )


def test_records_insert_writes_the_records_with_their_ids(car):
    records = [fuel(car, 1), fuel(car, 2, liters=Decimal("12.25"))]

    services.records_insert(instances=records)

    assert records[0].pk is not None
    assert records[1].pk == records[0].pk + 1  # drawn from the table's sequence, in order
    assert [(r._state.adding, r._state.db) for r in records] == [(False, "default")] * 2
    stored = FuelRecord.objects.order_by("month")
    assert [(r.pk, r.car_id, r.year, r.month, r.period) for r in stored] == [
        (records[0].pk, car.pk, 2026, 1, dt.date(2026, 1, 1)),
        (records[1].pk, car.pk, 2026, 2, dt.date(2026, 2, 1)),
    ]
    assert [(r.liters, r.total_cost, r.mileage_km) for r in stored] == [
        (Decimal("40.50"), Decimal("2835.00"), 400),
        (Decimal("12.25"), Decimal("2835.00"), 400),
    ]
    # The timestamps a save would set, on the rows and on the instances.
    assert records[0].created_at is not None
    assert (stored[0].created_at, stored[0].updated_at) == (
        records[0].created_at,
        records[0].updated_at,
    )
    # A record inserted so is saved again as an update, not a second row.
    services.record_update(instance=records[0], liters=Decimal("41.00"))
    assert FuelRecord.objects.get(pk=records[0].pk).liters == Decimal("41.00")
    assert FuelRecord.objects.count() == 2
    # Then the next id follows on from the inserted ones.
    assert FuelRecordFactory(car=car, year=2026, month=3).pk == records[1].pk + 1


def test_records_insert_breaking_a_constraint_inserts_none(car):
    FuelRecordFactory(car=car, year=2026, month=2)
    records = [fuel(car, 1), fuel(car, 2), fuel(car, 3)]

    with pytest.raises(IntegrityError, match="fuel_record_one_per_car_month"):
        services.records_insert(instances=records)

    # Its savepoint alone was undone: the transaction goes on, without any of the three.
    assert sorted(FuelRecord.objects.values_list("month", flat=True)) == [2]


def test_a_batch_that_breaks_a_constraint_names_the_writes_that_broke_it(car, make_user, acme):
    """All new, so the engine inserts them in one COPY; the month the database has already
    fails it, and each write is then saved alone to learn which: the API's error on it."""
    FuelRecordFactory(car=car, year=2026, month=2)
    user = make_user(acme, Role.DISPATCHER)
    data = {"car": car.pk, "year": 2026, "liters": "40.50", "total_cost": "2835", "mileage_km": 4}
    writes = [Write(CREATE, FuelRecord, data={**data, "month": month}) for month in (1, 2, 3, 3)]

    outcomes = writes_apply(
        writes=writes,
        user=user,
        dry_run=False,
        context={},
        all_or_nothing=True,
        describe=False,
    )

    duplicate = [
        {
            "code": "unique",
            "detail": "This car already has a fuel record for this month.",
            "attr": "month",
        }
    ]
    assert [o.ok for o in outcomes] == [True, False, True, False]
    assert outcomes[1] == Outcome(ok=False, errors=duplicate)
    assert outcomes[3] == Outcome(ok=False, errors=duplicate)
    # All or nothing: the good ones were undone with the refused.
    assert sorted(FuelRecord.objects.values_list("month", flat=True)) == [2]


# --- The model's checks are not run twice ---------------------------------------------------------


def test_the_fields_a_serializer_checks_as_the_model_would():
    """The fields ModelSerializer built from the model's, with every validator of theirs; not
    the relation, nor the fields declared by hand (the dictionaries' codes, the driver)."""
    assert fields_checked_as_the_model_would(FuelRecordSerializer()) == {
        "year",
        "month",
        "liters",
        "total_cost",
        "mileage_km",
    }
    assert fields_checked_as_the_model_would(CarSerializer()) == {
        "numplate",
        "title",
        "year",
        "vin",
        "driver_name",
        "driver_phone",
        "fuel_card",
        "status",
        "commissioned_at",
    }


@pytest.fixture
def km_limit(monkeypatch):
    """A model validator DRF does not carry over: of two MaxValueValidators, its field keeps
    the first limit (PostgreSQL's integer range) and drops the second."""
    field = FuelRecord._meta.get_field("mileage_km")
    limit = MaxValueValidator(1_000_000)
    monkeypatch.setitem(field.__dict__, "validators", [*field.validators, limit])
    return limit


def test_a_model_validator_the_serializer_lacks_is_still_run(km_limit, car, make_user, acme):
    assert "mileage_km" not in fields_checked_as_the_model_would(FuelRecordSerializer())
    user = make_user(acme, Role.DISPATCHER)
    data = {"car": car.pk, "year": 2026, "month": 1, "liters": "1", "total_cost": "1"}
    writes = [Write(CREATE, FuelRecord, data={**data, "mileage_km": 1_000_001})]

    outcomes = writes_apply(
        writes=writes, user=user, dry_run=False, context={}, all_or_nothing=True, describe=False
    )

    assert outcomes == [
        Outcome(
            ok=False,
            errors=[
                {
                    "code": "max_value",
                    "detail": "Ensure this value is less than or equal to 1000000.",
                    "attr": "mileage_km",
                }
            ],
        )
    ]
    assert not FuelRecord.objects.exists()


def test_the_api_refuses_what_only_the_models_validator_refuses(km_limit, car, acme_as):
    payload = {"car": car.pk, "year": 2026, "month": 1, "liters": "1", "total_cost": "1"}

    response = acme_as(Role.DISPATCHER).post(
        "/api/v1/fuel-records/", {**payload, "mileage_km": 1_000_001}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "max_value",
            "detail": "Ensure this value is less than or equal to 1000000.",
            "attr": "mileage_km",
        }
    ]


def test_record_new_runs_clean_even_when_every_field_was_checked(car):
    """`checked` spares the fields' validators only; the rules between fields still hold."""
    fields = {
        "car": car,
        "insurance_type": "osago",
        "number": "P-1",
        "start_date": dt.date(2026, 3, 1),
        "end_date": dt.date(2026, 2, 1),
    }
    checked = fields_checked_as_the_model_would(InsuranceSerializer())
    assert {"start_date", "end_date", "insurance_type", "number"} <= checked

    with pytest.raises(ValidationError) as caught:
        services.record_new(model_class=Insurance, checked=checked, **fields)

    assert caught.value.message_dict == {"end_date": ["The policy cannot end before it starts."]}
