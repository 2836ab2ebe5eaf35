"""API fuzzing: schemathesis sends generated requests to every operation of the company API.

The schema is the one `GET /api/schema/` serves on a company host (the first test proves it).
Each operation gets MAX_EXAMPLES generated requests, valid and invalid ones, reproducibly
(derandomized), sent in-process through Django's WSGI handler to `acme.localhost` with the token
of an acme COMPANY_ADMIN, inside the test's transaction. No answer may be a 5xx, and every
answer must be one the schema describes: its status code, content type and body (CHECKS).

Every request runs in a savepoint that is rolled back afterwards, so each example finds the same
seeded company (a car with one of each record, a photo, an export job, a second user), whatever
earlier examples deleted or created. Half of the generated ids and car references are replaced by
seeded ones, so that successes and their bodies are checked, not only 404s."""

import json
import sys
import traceback

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import RequestFactory
from django.utils import translation
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shared_apps.accounts.models import User
from shared_apps.accounts.roles import Role
from shared_apps.accounts.tokens import refresh_token_for
from shared_apps.companies.models import Company
from shared_apps.core.docs import schema_view
from tenant_apps.ai.models import AIAuditEntry
from tenant_apps.fleet.models import Car, CarPhoto
from tenant_apps.reports.models import ExportJob
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
    UserFactory,
    png_bytes,
)

HOST = "acme.localhost"
BASE_URL = f"http://{HOST}"
MAX_EXAMPLES = 10  # per operation: about 750 requests in all, under a minute
# No 5xx, and every status code, content type and body as documented. The answers the schema
# once missed are pinned below (`test_answers_the_schema_once_missed_are_documented`).
SCHEMA_CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]
CHECKS = [not_a_server_error, *SCHEMA_CHECKS]


def served_schema() -> dict:
    """What `GET /api/schema/?format=json` answers on acme's host (acme speaks English). Asked of
    the view directly: modules are collected before the test database exists."""
    request = RequestFactory().get("/api/schema/", {"format": "json"}, HTTP_HOST=HOST)
    with translation.override("en"):
        response = schema_view(request)
        response.render()
    assert response.status_code == 200, response.content
    return json.loads(response.content)


SCHEMA_DOCUMENT = served_schema()
# Examples from the schema, then Hypothesis (valid and invalid requests). The coverage phase is
# off: it sends every boundary value of every parameter (hundreds of requests for one operation,
# whatever max-examples says), which does not fit a CI budget.
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES},
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_dict(SCHEMA_DOCUMENT, config=CONFIG)
schema.app = WSGIHandler()

# The seeded rows, by the collection a path's `{id}` belongs to (`cars/photos` for
# `/api/v1/cars/photos/{id}/`, `cars` for `/api/v1/cars/{id}/photos/`); filled by `seeded`.
SEEDED: dict[str, list] = {}


def collection_of(path: str) -> str:
    return path.removeprefix("/api/v1/").split("/{", 1)[0].strip("/")


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    ids = SEEDED.get(collection_of(context.operation.path))
    if not (ids and path_parameters and "id" in path_parameters):
        return st.just(path_parameters)
    seeded = st.sampled_from(ids).map(lambda pk: {**path_parameters, "id": pk})
    return st.one_of(st.just(path_parameters), seeded)


@schema.hook
def flatmap_body(context, body):
    cars = SEEDED.get("cars")
    if not (cars and isinstance(body, dict) and "car" in body):
        return st.just(body)
    return st.one_of(st.just(body), st.sampled_from(cars).map(lambda pk: {**body, "car": pk}))


@pytest.fixture
def admin(acme, make_user):
    return make_user(acme, Role.COMPANY_ADMIN)


@pytest.fixture
def seeded(in_acme, admin):
    car = CarFactory()
    records = {
        "spares": SpareFactory(car=car),
        "tires": TiresFactory(car=car),
        "accumulators": AccumulatorFactory(car=car),
        "fuel-records": FuelRecordFactory(car=car),
        "monthly-mileages": MonthlyMileageFactory(car=car),
        "insurances": InsuranceFactory(car=car),
        "inspections": InspectionFactory(car=car),
        "recorders": RecorderFactory(car=car),
        "kits": KitFactory(car=car),
    }
    photo = CarPhoto.objects.create(
        car=car, image=SimpleUploadedFile("front.png", png_bytes((8, 6), "navy"))
    )
    job = ExportJob.objects.create(report="fuel-consumption", format="csv", created_by=admin)
    driver = UserFactory(company=in_acme, role=Role.DRIVER)
    SEEDED.update(
        {
            "cars": [car.pk],
            **{collection: [row.pk] for collection, row in records.items()},
            "cars/photos": [photo.pk],
            "reports/exports": [str(job.pk)],
            "users": [admin.pk, driver.pk],
        }
    )
    yield
    SEEDED.clear()


@pytest.fixture
def server_errors():
    """Requests go through Django's WSGI handler, so, as Django's test client does, a request's
    end must not close the connection (it holds the test's transaction). The tracebacks of
    unhandled exceptions are kept for the failure report."""
    tracebacks: list[str] = []

    def keep(sender, **kwargs):
        tracebacks.append("".join(traceback.format_exception(*sys.exc_info())))

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(keep)
    yield tracebacks
    got_request_exception.disconnect(keep)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_fuzzed_schema_is_the_one_served_with_every_operation(acme, client_for):
    response = client_for(acme).get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert response.json() == SCHEMA_DOCUMENT
    documented = {
        f"{method.upper()} {path}"
        for path, operations in SCHEMA_DOCUMENT["paths"].items()
        for method in operations
    }
    loaded = [result for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert sorted(result.ok().label for result in loaded) == sorted(documented)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        # The fixtures are shared by the examples on purpose: each example is rolled back.
        HealthCheck.function_scoped_fixture,
    ],
)
def test_api(case, admin, seeded, server_errors):
    headers = {"Authorization": f"Bearer {refresh_token_for(admin).access_token}"}
    server_errors.clear()
    with transaction.atomic():  # rolled back, also after a database error in the request
        try:
            case.call_and_validate(base_url=BASE_URL, headers=headers, checks=CHECKS)
        except (Exception, FailureGroup) as failure:
            for server_error in server_errors:
                failure.add_note(server_error)
            raise
        finally:
            transaction.set_rollback(True)


# --- What the fuzzer found, pinned so that it does not depend on the draw ------------------------
# PostgreSQL stores no U+0000 in text or jsonb. Free-form JSON (export `params`, an action's
# `data`) reached the database as sent: a 500. DRF's own string fields refuse NUL with a 400;
# these fields should do the same.

NUL_REFUSED = "Null characters are not allowed."


def test_export_params_with_a_nul_character_are_refused(acme_as, in_acme):
    response = acme_as(Role.DISPATCHER).post(
        "/api/v1/reports/exports/",
        {"report": "fuel-consumption", "format": "csv", "params": {"note": "a\0b"}},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [
            {"code": "null_characters_not_allowed", "detail": NUL_REFUSED, "attr": "params"}
        ],
    }
    assert not ExportJob.objects.exists()


def test_action_data_with_a_nul_character_is_refused_and_nothing_is_written(acme_as, in_acme):
    car = CarFactory(title="Camry")
    response = acme_as(Role.DISPATCHER).post(
        "/api/v1/ai/actions/",
        {
            "dry_run": False,
            "actions": [
                {"action": "update", "entity": "car", "id": car.pk, "data": {"title": "X", "\0": 1}}
            ],
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [
            {
                "code": "null_characters_not_allowed",
                "detail": NUL_REFUSED,
                "attr": "actions.0.data",
            }
        ],
    }
    car.refresh_from_db()
    assert car.title == "Camry"
    assert not AIAuditEntry.objects.exists()


# --- Answers the schema once did not describe, pinned so that they do not depend on the draw ----
# Each request goes through the fuzzer's machinery; its answer must name exactly these
# (attr, code) pairs and pass the schema checks.


def _car_numplate_taken():
    other = CarFactory()
    taken = Car.objects.get(pk=SEEDED["cars"][0]).numplate
    return {"path_parameters": {"id": other.pk}, "body": {"numplate": taken}}


def _last_admin(body: dict | None = None):
    def make():
        admin = User.objects.get(pk=SEEDED["users"][0])
        User.objects.of_company(admin.company_id).exclude(pk=admin.pk).update(is_active=False)
        return {"path_parameters": {"id": admin.pk}, **({"body": body} if body else {})}

    return make


def _car(**kwargs):
    return lambda: {"path_parameters": {"id": SEEDED["cars"][0]}, **kwargs}


def _ai_disabled():
    Company.objects.filter(slug="acme").update(ai_enabled=False)
    return {"body": {"message": "Hi"}}


NOT_AN_IMAGE = b"GIF89a, not really"
PINNED = {
    "dictionary-code": (
        "PATCH /api/v1/cars/{id}/",
        _car(body={"brand": "no-such-brand"}),
        400,
        [("brand", "invalid_choice")],
    ),
    "numplate-and-vin": (
        "PATCH /api/v1/cars/{id}/",
        _car(body={"numplate": "!", "vin": "IOQ"}),
        400,
        [("numplate", "invalid_numplate"), ("vin", "invalid_vin")],
    ),
    "duplicate-numplate": (
        "PATCH /api/v1/cars/{id}/",
        _car_numplate_taken,
        400,
        [("numplate", "unique")],
    ),
    "second-dashcam": (
        "POST /api/v1/recorders/",
        lambda: {"body": {"car": SEEDED["cars"][0], "model": "X", "serial_number": "S1"}},
        400,
        [("car", "unique")],
    ),
    "record-photo": (
        "PATCH /api/v1/tires/{id}/",
        lambda: {
            "path_parameters": {"id": SEEDED["tires"][0]},
            "body": {"photo": NOT_AN_IMAGE},
            "media_type": "multipart/form-data",
        },
        400,
        [("photo", "invalid_image")],
    ),
    "car-photo": (
        "POST /api/v1/cars/{id}/photos/",
        _car(body={"image": NOT_AN_IMAGE}, media_type="multipart/form-data"),
        400,
        [("image", "invalid_image")],
    ),
    "month-filter": (
        "GET /api/v1/fuel-records/",
        lambda: {"query": {"date_from": "2026-13"}},
        400,
        [("date_from", "invalid")],
    ),
    "search-nul": (
        "GET /api/v1/cars/",
        lambda: {"query": {"search": "a\x00b"}},
        400,
        [(None, "null_characters_not_allowed")],
    ),
    "month-report": (
        "GET /api/v1/reports/fuel-consumption/",
        lambda: {"query": {"from": "2026-05", "to": "2026-01"}},
        400,
        [("from", "invalid_period")],
    ),
    "too-many-parameters": (
        "GET /api/v1/reports/fuel-consumption/",
        lambda: {"query": {"car": list(range(1, 1002))}},
        400,
        [(None, "bad_request")],
    ),
    "document-report": (
        "GET /api/v1/reports/insurance-inspection/",
        lambda: {"query": {"from": "2026-1", "days": "-1"}},
        400,
        [("from", "invalid"), ("days", "min_value")],
    ),
    "export-params": (
        "POST /api/v1/reports/exports/",
        lambda: {"body": {"report": "maintenance-costs", "format": "csv", "params": {"to": 5}}},
        400,
        [("params.to", "invalid")],
    ),
    "ai-actions": (
        "POST /api/v1/ai/actions/",
        lambda: {"body": {"actions": [{"action": "update", "entity": "car"}, None, "x"]}},
        400,
        [
            ("actions.1", "null"),
            ("actions.0.id", "required"),
            ("actions.2.non_field_errors", "invalid"),
        ],
    ),
    "ai-actions-missing": (
        "POST /api/v1/ai/actions/",
        lambda: {"body": {}},
        400,
        [("actions", "required")],
    ),
    "ai-disabled": ("POST /api/v1/ai/chat/", _ai_disabled, 403, [(None, "ai_disabled")]),
    "login": (
        "POST /api/v1/auth/login/",
        lambda: {"body": {"username": "acme-boss", "password": "wrong"}},
        401,
        [(None, "no_active_account")],
    ),
    "refresh": (
        "POST /api/v1/auth/refresh/",
        lambda: {"body": {"refresh": "x"}},
        401,
        [(None, "token_not_valid")],
    ),
    "logout": (
        "POST /api/v1/auth/logout/",
        lambda: {"body": {"refresh": "x"}},
        401,
        [(None, "token_not_valid")],
    ),
    "bearer-not-valid": (
        "GET /api/v1/cars/",
        lambda: {"headers": {"Authorization": "Bearer x"}},
        401,
        [(None, "token_not_valid")],
    ),
    "bearer-malformed": (
        "GET /api/v1/cars/",
        lambda: {"headers": {"Authorization": "Bearer x y"}},
        401,
        [(None, "bad_authorization_header")],
    ),
    "download-link": (
        "GET /api/v1/reports/exports/{id}/download/",
        lambda: {
            "path_parameters": {"id": SEEDED["reports/exports"][0]},
            "query": {"token": "forged"},
        },
        403,
        [(None, "link_invalid")],
    ),
    "last-admin-role": (
        "PATCH /api/v1/users/{id}/",
        _last_admin({"role": Role.DRIVER}),
        400,
        [("role", "last_company_admin")],
    ),
    "last-admin-deleted": (
        "DELETE /api/v1/users/{id}/",
        _last_admin(),
        400,
        [("is_active", "last_company_admin")],
    ),
    "oversized-body": (
        "POST /api/v1/fuel-records/",
        lambda: {"body": {"car": "x" * 3 * 2**20}},
        413,
        [(None, "request_too_large")],
    ),
    "company-timezone": (
        "PATCH /api/v1/company/",
        lambda: {"body": {"timezone": "Mars/Olympus"}},
        400,
        [("timezone", "invalid_timezone")],
    ),
    "blank-email": ("GET /api/v1/users/", dict, 200, None),  # acme-boss has `"email": ""`
}


@pytest.mark.parametrize("name", PINNED)
def test_answers_the_schema_once_missed_are_documented(name, admin, seeded, server_errors):
    label, make_case, status, errors = PINNED[name]
    method, path = label.split(" ")
    token = {"Authorization": f"Bearer {refresh_token_for(admin).access_token}"}
    with transaction.atomic():
        try:
            kwargs = make_case()
            if "body" in kwargs:
                kwargs.setdefault("media_type", "application/json")
            case = schema[path][method].Case(**kwargs)
            response = case.call(base_url=BASE_URL, headers={**token, **(case.headers or {})})
            case.validate_response(response, checks=CHECKS)
        finally:
            transaction.set_rollback(True)

    assert response.status_code == status
    body = response.json()
    if errors is None:
        assert "" in [user["email"] for user in body["results"]]
    else:
        assert [(error["attr"], error["code"]) for error in body["errors"]] == errors


# --- Answers typed by what they hold, against their one documented shape -------------------------
# The chat's `data` has a schema per `kind`, an export job's `params` one per report: real answers
# must match the shape their kind or report names (the fuzzer's messages mostly get no `data`).

TYPED = {
    "chat-fleet_summary": ("POST /api/v1/ai/chat/", {"message": "Fleet summary"}, "fleet_summary"),
    "chat-fuel_consumption": (
        "POST /api/v1/ai/chat/",
        {"message": "Fuel consumption this year"},
        "fuel_consumption",
    ),
    "chat-maintenance_costs": (
        "POST /api/v1/ai/chat/",
        {"message": "Maintenance costs this year"},
        "maintenance_costs",
    ),
    "chat-documents": ("POST /api/v1/ai/chat/", {"message": "What expires soon?"}, "documents"),
    "chat-top_cars": ("POST /api/v1/ai/chat/", {"message": "Top 3 cars by cost"}, "top_cars"),
    "export-params": (
        "POST /api/v1/reports/exports/",
        {
            "report": "insurance-inspection",
            "format": "csv",
            "params": {"status": "active", "days": 10, "history": True},
        },
        "insurance-inspection",
    ),
}


@pytest.mark.parametrize("name", TYPED)
def test_answers_typed_by_kind_are_the_documented_shape(name, admin, seeded, server_errors):
    label, body, kind = TYPED[name]
    method, path = label.split(" ")
    token = {"Authorization": f"Bearer {refresh_token_for(admin).access_token}"}
    with transaction.atomic():
        try:
            case = schema[path][method].Case(body=body, media_type="application/json")
            response = case.call(base_url=BASE_URL, headers=token)
            case.validate_response(response, checks=CHECKS)
        finally:
            transaction.set_rollback(True)

    assert response.status_code in (200, 202), response.text
    answer = response.json()
    assert (answer["data"]["kind"] if "data" in answer else answer["report"]) == kind
