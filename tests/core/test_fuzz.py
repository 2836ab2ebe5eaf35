"""API fuzzing: schemathesis sends generated requests to every operation of the company API.

The schema is the one `GET /api/schema/` serves on a company host (the first test proves it).
Each operation gets MAX_EXAMPLES generated requests, valid and invalid ones, reproducibly
(derandomized), sent in-process through Django's WSGI handler to `acme.localhost` with the token
of an acme COMPANY_ADMIN, inside the test's transaction. No answer may be a 5xx (see CHECKS for
the schema-conformance checks that are to follow).

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

from shared_apps.accounts.roles import Role
from shared_apps.accounts.tokens import refresh_token_for
from shared_apps.core.docs import schema_view
from tenant_apps.ai.models import AIAuditEntry
from tenant_apps.fleet.models import CarPhoto
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
# No answer may be a 5xx: enforced. The schema-conformance checks (every status code, content
# type and body documented exactly) are the next step of issue 6: 26 operations still answer
# something the schema does not describe (project error codes missing from drf-standardized-
# errors' lists, nested `actions.0.*` attrs, 401 codes of the token endpoints, ...). Each was
# listed in the session's closing note; adding them to this list is that work's acceptance test.
CHECKS = [not_a_server_error]
SCHEMA_CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


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
