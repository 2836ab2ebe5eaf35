"""What every answer carries, whoever answers it (the health check, the unknown host, a
suspended company, the API, a path no route matches), and what the React client may read and
send across origins. Found by a black-box test and a trial of the API from a browser."""

import json
import logging
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import override_settings
from rest_framework.test import APIClient

from shared_apps.accounts.roles import Role
from shared_apps.core.logging import RequestContextFilter

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
GENERATED_ID = re.compile(r"[0-9a-f]{32}")
NOT_FOUND = {
    "type": "client_error",
    "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
}


def headers_of(response) -> dict[str, str]:
    return {name: response.get(name) for name in SECURITY_HEADERS}


@pytest.fixture
def suspended(acme):
    acme.is_active = False
    acme.save(update_fields=["is_active"])
    return acme


@pytest.mark.parametrize(
    ("host", "path", "status"),
    [
        ("localhost", "/healthz", 200),
        ("acme.localhost", "/healthz/", 200),
        ("unknown.localhost", "/api/v1/cars/", 404),
        ("acme.localhost", "/api/v1/cars/", 401),
        ("acme.localhost", "/api/v1/no-such-thing/", 404),
        ("acme.localhost", "/media/acme/cars/photos/missing.jpg", 404),
        ("localhost", "/api/v1/cars/", 404),
    ],
)
def test_every_answer_carries_the_security_headers_and_a_request_id(acme, host, path, status):
    response = APIClient(HTTP_HOST=host).get(path)

    assert response.status_code == status
    assert headers_of(response) == SECURITY_HEADERS
    assert GENERATED_ID.fullmatch(response["X-Request-ID"])


def test_a_suspended_company_answer_carries_them_too(suspended):
    response = APIClient(HTTP_HOST="acme.localhost").get("/api/v1/auth/me/")

    assert response.status_code == 403
    assert headers_of(response) == SECURITY_HEADERS


def test_each_request_gets_its_own_id(acme):
    client = APIClient(HTTP_HOST="acme.localhost")
    ids = {client.get("/healthz")["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("0b6f3a4e-2d1c-4f5a-9b8e-7c6d5e4f3a2b", True),
        ("req:web.1700000000.42", True),
        ("short", False),
        ("has spaces in it", False),
        ("<script>alert(1)</script>", False),
        ("x" * 129, False),
    ],
)
def test_the_caller_request_id_is_kept_when_it_is_plausible(acme, sent, kept):
    response = APIClient(HTTP_HOST="acme.localhost").get("/healthz", HTTP_X_REQUEST_ID=sent)

    if kept:
        assert response["X-Request-ID"] == sent
    else:
        assert GENERATED_ID.fullmatch(response["X-Request-ID"])


class Collected(logging.Handler):
    """The formatted lines of one logger, as the console handler of the settings writes them."""

    def __init__(self, formatter_name: str):
        super().__init__()
        formatter = django_settings.LOGGING["formatters"][formatter_name]
        if "()" in formatter:
            factory = formatter["()"]
            module, _, name = factory.rpartition(".")
            options = {k: v for k, v in formatter.items() if k != "()"}
            self.setFormatter(getattr(__import__(module, fromlist=[name]), name)(**options))
        else:
            self.setFormatter(logging.Formatter(formatter["format"]))
        self.addFilter(RequestContextFilter())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def request_log():
    def collect(formatter_name: str) -> Collected:
        handler = Collected(formatter_name)
        logging.getLogger("django.request").addHandler(handler)
        handlers.append(handler)
        return handler

    handlers: list[Collected] = []
    yield collect
    for handler in handlers:
        logging.getLogger("django.request").removeHandler(handler)


def test_a_log_line_names_the_request_the_company_and_the_user(acme_as, in_acme, request_log):
    log = request_log("json")
    client = acme_as(Role.DISPATCHER)

    response = client.get("/api/v1/cars/999999/", HTTP_X_REQUEST_ID="trace-0001-abcdef")

    assert response.status_code == 404
    assert len(log.lines) == 1
    line = json.loads(log.lines[0])
    assert {k: line[k] for k in ("level", "logger", "request_id", "schema", "user_id")} == {
        "level": "WARNING",
        "logger": "django.request",
        "request_id": "trace-0001-abcdef",
        "schema": "acme",
        "user_id": client.user.pk,
    }
    assert line["message"] == "Not Found: /api/v1/cars/999999/"


def test_the_plain_format_carries_the_same_context(client_for, acme, request_log):
    log = request_log("plain")

    client_for(acme).get("/api/v1/cars/", HTTP_X_REQUEST_ID="trace-0002-abcdef")

    assert len(log.lines) == 1
    assert log.lines[0].endswith(
        "WARNING django.request [trace-0002-abcdef acme user=None] Unauthorized: /api/v1/cars/"
    )


def settings_value(name: str, module: str, **env) -> str:
    """A setting as a fresh process computes it from the environment."""
    code = f"from django.conf import settings; print(repr(settings.{name}))"
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": module, **env}
    result = subprocess.run(  # noqa: S603 - our own code, from this test
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_production_logs_are_json_and_development_logs_plain():
    key = "k" * 60
    prod = settings_value("LOGGING['handlers']['console']", "config.settings.prod", SECRET_KEY=key)
    dev = settings_value("LOGGING['handlers']['console']", "config.settings.dev")
    assert "'formatter': 'json'" in prod
    assert "'formatter': 'plain'" in dev
    assert "'filters': ['request_context']" in prod


# --- CORS: what the React client reads and sends ---------------------------------------------

ORIGIN = "https://acme.fleet.example"


@override_settings(CORS_ALLOWED_ORIGIN_REGEXES=[r"^https://[a-z0-9-]+\.fleet\.example$"])
def test_a_preflight_allows_the_client_tracing_headers(acme):
    response = APIClient(HTTP_HOST="acme.localhost").options(
        "/api/v1/cars/",
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization,content-type,x-request-id,"
        "sentry-trace,baggage",
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    allowed = set(response["Access-Control-Allow-Headers"].split(", "))
    assert {"authorization", "content-type", "x-request-id", "sentry-trace", "baggage"} <= allowed


@override_settings(CORS_ALLOWED_ORIGIN_REGEXES=[r"^https://[a-z0-9-]+\.fleet\.example$"])
def test_a_cross_origin_answer_exposes_download_name_retry_and_request_id(acme):
    response = APIClient(HTTP_HOST="acme.localhost").get("/api/v1/cars/", HTTP_ORIGIN=ORIGIN)

    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert set(response["Access-Control-Expose-Headers"].split(", ")) == {
        "Content-Disposition",
        "Retry-After",
        "X-Request-ID",
    }


@override_settings(CORS_ALLOWED_ORIGIN_REGEXES=[r"^https://[a-z0-9-]+\.fleet\.example$"])
def test_an_origin_outside_the_patterns_is_not_allowed(acme):
    response = APIClient(HTTP_HOST="acme.localhost").get(
        "/api/v1/cars/", HTTP_ORIGIN="https://fleet.example.evil.com"
    )
    assert "Access-Control-Allow-Origin" not in response


def test_the_origin_patterns_come_from_the_environment():
    value = settings_value(
        "CORS_ALLOWED_ORIGIN_REGEXES",
        "config.settings.dev",
        CORS_ALLOWED_ORIGIN_REGEXES=r"^https://a\.example$,^https://b\.example$",
    )
    assert value == r"['^https://a\\.example$', '^https://b\\.example$']"


# --- Paths no route matches -----------------------------------------------------------------


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_api_path_is_the_json_404_also_in_debug(acme_as, debug, settings):
    settings.DEBUG = debug
    client = acme_as(Role.DISPATCHER)
    for path in ("/api/v1/no-such-thing/", "/api/v2/cars/", "/api/", "/api/v1/cars/abc/x/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json", path
        assert response.json() == NOT_FOUND, path


@pytest.mark.parametrize("debug", [False, True])
def test_a_missing_media_file_is_the_json_404_also_in_debug(client_for, acme, debug, settings):
    settings.DEBUG = debug
    response = client_for(acme).get("/media/acme/cars/photos/missing.jpg")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_without_the_trailing_slash_is_refused_not_redirected(
    acme_as, in_acme, method, debug, settings
):
    """Redirected, a POST would come back as a GET (and in DEBUG Django raises instead)."""
    settings.DEBUG = debug
    response = getattr(acme_as(Role.DISPATCHER), method)(
        "/api/v1/cars", {"numplate": "01KG123ABC"}, format="json"
    )

    assert response.status_code == 404
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "not_found",
                "detail": "Not found. API paths end with a slash: /api/v1/cars/",
                "attr": None,
            }
        ],
    }


def test_a_read_without_the_trailing_slash_is_redirected(acme_as):
    response = acme_as(Role.DISPATCHER).get("/api/v1/cars", {"status": "active"})

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/cars/?status=active"


def test_the_slash_hint_speaks_russian(acme_as):
    response = acme_as(Role.DISPATCHER).post(
        "/api/v1/cars", {}, format="json", HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.json()["errors"][0]["detail"] == (
        "Не найдено. Адреса API заканчиваются косой чертой: /api/v1/cars/"
    )


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_to_no_route_is_the_json_404_not_a_csrf_page(acme, acme_admin, method):
    """With a session cookie's CSRF check on (as in a browser), a write that no route matches
    still gets the API's JSON 404, not Django's HTML 403."""
    client = APIClient(HTTP_HOST="acme.localhost", enforce_csrf_checks=True)
    client.force_login(acme_admin)

    response = getattr(client, method)("/api/v1/cars/not-a-number/", {}, format="json")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
