"""The error envelope, unknown hosts, the public host, health and docs."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from shared_apps.accounts.roles import Role


def envelope(status_type, code, detail, attr=None):
    return {"type": status_type, "errors": [{"code": code, "detail": detail, "attr": attr}]}


def test_unknown_host_is_json_404(client_for, db):
    from rest_framework.test import APIClient

    response = APIClient(HTTP_HOST="nosuch.localhost").get("/api/v1/auth/me/")
    assert response.status_code == 404
    assert response.json() == envelope(
        "client_error", "unknown_host", "No company is served on this host."
    )


def test_disallowed_host_is_json_404(db):
    from rest_framework.test import APIClient

    response = APIClient(HTTP_HOST="evil.example.com").get("/api/v1/auth/me/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "unknown_host"


def test_public_host_serves_no_company_api(acme, acme_admin, client_for):
    public = client_for(None)
    public.credentials(HTTP_AUTHORIZATION=f"Bearer {client_for(acme, acme_admin).access}")
    for path in ("/api/v1/users/", "/api/v1/auth/me/", "/api/docs/", "/api/schema/"):
        response = public.get(path)
        assert response.status_code == 404, path
        assert response.json() == envelope("client_error", "not_found", "Not found.")


def test_unknown_path_on_company_host_is_json_404(acme, client_for):
    response = client_for(acme).get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == envelope("client_error", "not_found", "Not found.")


def test_suspended_company_is_refused(acme, acme_admin, client_for):
    client = client_for(acme, acme_admin)
    acme.is_active = False
    acme.save()
    response = client.get("/api/v1/auth/me/")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "company_inactive"


def test_envelope_for_400_malformed_json(acme, acme_admin, client_for):
    client = client_for(acme, acme_admin)
    response = client.generic(
        "POST", "/api/v1/users/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "client_error"
    assert body["errors"][0]["code"] == "parse_error"


def test_envelope_for_415_unsupported_media_type(acme, acme_admin, client_for):
    client = client_for(acme, acme_admin)
    response = client.generic("POST", "/api/v1/users/", "<x/>", content_type="application/xml")
    assert response.status_code == 415
    assert response.json()["errors"][0]["code"] == "unsupported_media_type"


def test_envelope_for_403(acme, make_user, client_for):
    client = client_for(acme, make_user(acme, Role.GUEST))
    response = client.get("/api/v1/users/")
    assert response.status_code == 403
    assert response.json() == envelope(
        "client_error", "permission_denied", "Your role does not allow this action."
    )


def test_envelope_for_401(acme, client_for):
    response = client_for(acme).get("/api/v1/users/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == envelope(
        "client_error", "not_authenticated", "Authentication credentials were not provided."
    )


def test_invalid_page_is_404_envelope(acme, acme_admin, client_for):
    response = client_for(acme, acme_admin).get("/api/v1/users/", {"page": 99})
    assert response.status_code == 404
    assert response.json() == envelope("client_error", "not_found", "Invalid page.")


def test_page_size_is_capped_at_200(acme, acme_admin, client_for):
    from tests.factories import UserFactory

    UserFactory.create_batch(205, company=acme)
    body = client_for(acme, acme_admin).get("/api/v1/users/", {"page_size": 1000}).json()
    assert body["count"] == 206
    assert len(body["results"]) == 200


@pytest.mark.parametrize("host", ["localhost", "acme.localhost", "unknown.localhost"])
def test_healthz_answers_on_every_host(db, host):
    from rest_framework.test import APIClient

    response = APIClient(HTTP_HOST=host).get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_healthz_reports_redis_down(db, settings):
    from rest_framework.test import APIClient

    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = APIClient(HTTP_HOST="localhost").get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "unavailable"},
    }


def test_docs_and_schema_are_served_on_company_hosts(acme, client_for):
    docs = client_for(acme).get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    schema = client_for(acme).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/auth/login/", "/api/v1/users/", "/api/v1/users/{id}/"} <= set(paths)
    assert schema.json()["components"]["securitySchemes"] == {
        "jwtAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    }


def test_schema_documents_the_error_responses(acme, client_for):
    paths = client_for(acme).get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]

    def statuses(path, method):
        return sorted(paths[path][method]["responses"])

    common = ["400", "401", "403", "404", "405", "406", "415", "500"]
    assert statuses("/api/v1/cars/{id}/", "delete") == sorted(["204", "409", *common])
    assert statuses("/api/v1/cars/{id}/photos/", "post") == sorted(["201", "413", *common])
    # 413 wherever a request body is read, and only there.
    assert statuses("/api/v1/fuel-records/", "post") == sorted(["201", "413", *common])
    assert statuses("/api/v1/fuel-records/", "get") == sorted(["200", *common])
    assert statuses("/api/v1/auth/login/", "post") == sorted(
        ["200", "400", "401", "404", "405", "406", "413", "415", "429", "500"]
    )
    error = paths["/api/v1/cars/{id}/"]["delete"]["responses"]["409"]
    assert error["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorResponse409CarHasHistory"
    }


@override_settings(DOCS_PUBLIC=False)
def test_private_docs_need_a_company_login(acme, globex, make_user, client_for):
    assert client_for(acme).get("/api/docs/").status_code == 401
    assert client_for(acme, make_user(acme)).get("/api/docs/").status_code == 200
    foreign = client_for(globex, make_user(globex)).access
    response = client_for(acme).get("/api/docs/", HTTP_AUTHORIZATION=f"Bearer {foreign}")
    assert response.status_code == 401


def test_schema_generation_has_no_warnings(tmp_path):
    # --fail-on-warn turns every drf-spectacular warning into a failure; --validate checks
    # the result against the OpenAPI 3 JSON schema.
    out = tmp_path / "schema.yaml"
    call_command(
        "spectacular",
        "--urlconf",
        "config.urls_tenant",
        "--fail-on-warn",
        "--validate",
        "--file",
        str(out),
    )
    assert "/api/v1/users/{id}/:" in out.read_text()


def test_no_missing_migrations(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_oversized_body_is_a_4xx_envelope_not_500(acme, client_for):
    client = client_for(acme)
    client.raise_request_exception = False
    huge = '{"username": "' + "x" * (3 * 1024 * 1024) + '", "password": "p"}'
    response = client.generic("POST", "/api/v1/auth/login/", huge, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == envelope(
        "client_error", "request_too_large", "The request body is too large."
    )
