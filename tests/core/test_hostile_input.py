"""Hostile JSON: a body nested ~1,000 deep reaches Python's recursion limit in the parser, and
free-form fields nested a few hundred deep reached it in whatever walked them next. Both were 500s;
each is a 400 in the envelope now, and nothing is written."""

import pytest
from rest_framework.exceptions import ValidationError

from shared_apps.accounts.roles import Role
from shared_apps.core.validators import MAX_JSON_DEPTH, limit_json_depth
from tenant_apps.ai.models import AIAuditEntry
from tenant_apps.reports.models import ExportJob
from tests.factories import CarFactory

pytestmark = pytest.mark.django_db

TOO_DEEP_BODY = {
    "type": "client_error",
    "errors": [
        {
            "code": "parse_error",
            "detail": "JSON parse error - the document is nested too deeply.",
            "attr": None,
        }
    ],
}
TOO_DEEP_FIELD = "Nested too deeply: at most 10 levels of objects and lists."


def nested_lists(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def nested_objects(depth: int) -> dict:
    value: dict = {"leaf": 1}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def raw_json_post(client, path: str, depth: int):
    body = '{"username": ' + "[" * depth + "]" * depth + ', "password": "x"}'
    return client.generic("POST", path, body, content_type="application/json")


def test_an_anonymous_login_nested_1000_deep_is_a_parse_error(client_for, acme):
    response = raw_json_post(client_for(acme), "/api/v1/auth/login/", 1000)

    assert response.status_code == 400
    assert response.json() == TOO_DEEP_BODY


def test_a_logged_in_write_nested_100000_deep_is_a_parse_error(acme_as, in_acme):
    response = raw_json_post(acme_as(Role.DISPATCHER), "/api/v1/cars/", 100_000)

    assert response.status_code == 400
    assert response.json() == TOO_DEEP_BODY


@pytest.mark.parametrize("depth", [11, 500])
def test_export_params_nested_too_deep_are_refused(acme_as, in_acme, depth):
    response = acme_as(Role.DISPATCHER).post(
        "/api/v1/reports/exports/",
        {"report": "fuel-consumption", "format": "csv", "params": nested_objects(depth)},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [{"code": "json_too_deep", "detail": TOO_DEEP_FIELD, "attr": "params"}],
    }
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("depth", [11, 500])
def test_action_data_nested_too_deep_is_refused_and_nothing_is_written(acme_as, in_acme, depth):
    car = CarFactory(title="Camry")
    response = acme_as(Role.DISPATCHER).post(
        "/api/v1/ai/actions/",
        {
            "dry_run": False,
            "actions": [
                {
                    "action": "update",
                    "entity": "car",
                    "id": car.pk,
                    "data": {"title": "X", "note": nested_lists(depth - 1)},
                }
            ],
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [{"code": "json_too_deep", "detail": TOO_DEEP_FIELD, "attr": "actions.0.data"}],
    }
    car.refresh_from_db()
    assert car.title == "Camry"
    assert not AIAuditEntry.objects.exists()


def test_the_depth_limit_counts_objects_and_lists():
    assert MAX_JSON_DEPTH == 10
    limit_json_depth({"a": 1, "b": "text"})
    limit_json_depth(nested_objects(10))
    limit_json_depth({"cars": nested_lists(9)})  # the object, then nine lists
    for too_deep in (nested_objects(11), {"cars": nested_lists(10)}, nested_lists(11)):
        with pytest.raises(ValidationError) as refused:
            limit_json_depth(too_deep)
        assert refused.value.detail[0].code == "json_too_deep"


def test_the_refusals_speak_russian(client_for, acme, acme_as, in_acme):
    login = client_for(acme).generic(
        "POST",
        "/api/v1/auth/login/",
        '{"username": ' + "[" * 1000 + "]" * 1000 + "}",
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    params = acme_as(Role.DISPATCHER).post(
        "/api/v1/reports/exports/",
        {"report": "fuel-consumption", "format": "csv", "params": nested_objects(11)},
        format="json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    assert login.json()["errors"][0]["detail"] == (
        "Ошибка разбора JSON: документ слишком глубоко вложен."
    )
    assert params.json()["errors"][0]["detail"] == (
        "Слишком глубокая вложенность: не более 10 уровней объектов и списков."
    )
