"""The renderer chosen for an `Accept` header is DRF's, whether negotiated or remembered
(`shared_apps.core.negotiation`), and refusals stay refusals."""

import pytest
from django.test import RequestFactory
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request

from shared_apps.accounts.roles import Role
from shared_apps.core import negotiation
from shared_apps.core.memo import Recent
from shared_apps.core.negotiation import ContentNegotiation
from shared_apps.core.renderers import JSONRenderer

HEADERS = [
    None,  # no header: anything
    "*/*",
    "application/json",
    "application/json, text/plain, */*",  # axios
    "application/json; indent=4",
    "application/*",
    "text/plain;q=0.9, application/json;q=0.5",
    "application/vnd.oai.openapi",
    "application/vnd.oai.openapi+json, */*;q=0.1",
]
RENDERER_LISTS = [
    [JSONRenderer],
    [OpenApiYamlRenderer, OpenApiJsonRenderer],
    [OpenApiJsonRenderer, JSONRenderer],
]


@pytest.fixture(autouse=True)
def nothing_remembered(monkeypatch):
    monkeypatch.setattr(negotiation, "_chosen", Recent(negotiation.MAX_REMEMBERED))


def request_with(accept: str | None, query: str = "") -> Request:
    extra = {} if accept is None else {"HTTP_ACCEPT": accept}
    return Request(RequestFactory().get(f"/api/v1/cars/{query}", **extra))


def chosen(negotiator, accept, renderer_classes, query: str = "", suffix=None):
    renderers = [renderer_class() for renderer_class in renderer_classes]
    try:
        renderer, media_type = negotiator.select_renderer(
            request_with(accept, query), renderers, suffix
        )
    except NotAcceptable:
        return "406"
    assert any(renderer is given for given in renderers)  # this request's, not a kept one
    return type(renderer), media_type


@pytest.mark.parametrize("renderer_classes", RENDERER_LISTS)
def test_every_header_gets_drfs_renderer_the_first_time_and_every_time_after(renderer_classes):
    ours = ContentNegotiation()
    for accept in HEADERS:
        theirs = chosen(DefaultContentNegotiation(), accept, renderer_classes)
        answers = [chosen(ours, accept, renderer_classes) for _ in range(3)]
        assert answers == [theirs] * 3, accept


def test_a_remembered_choice_serves_only_its_header_and_renderers():
    ours = ContentNegotiation()
    assert chosen(ours, "application/json", [JSONRenderer]) == (JSONRenderer, "application/json")
    assert chosen(ours, "application/json; indent=4", [JSONRenderer]) == (
        JSONRenderer,
        "application/json; indent=4",
    )
    assert chosen(ours, "application/json", [OpenApiJsonRenderer, JSONRenderer]) == (
        JSONRenderer,
        "application/json",
    )
    assert len(negotiation._chosen) == 3


def test_refusals_formats_and_long_headers_are_negotiated_each_time():
    ours = ContentNegotiation()
    assert chosen(ours, "text/html", [JSONRenderer]) == "406"
    assert chosen(ours, "text/html", [JSONRenderer]) == "406"
    assert chosen(ours, None, [JSONRenderer], "?format=json") == (JSONRenderer, "application/json")
    long = "application/json, " + ", ".join(f"text/x-{n}" for n in range(40))
    assert len(long) > negotiation.MAX_HEADER_LENGTH
    assert chosen(ours, long, [JSONRenderer]) == (JSONRenderer, "application/json")
    assert len(negotiation._chosen) == 0


def test_the_api_answers_each_accept_header_as_drf_does(acme_as):
    client = acme_as(Role.GUEST)
    for _ in range(2):
        pretty = client.get("/api/v1/cars/", HTTP_ACCEPT="application/json; indent=4")
        refused = client.get("/api/v1/cars/", HTTP_ACCEPT="text/html")
        assert pretty.status_code == 200
        assert pretty.content.startswith(b'{\n    "count": 0,')
        assert refused.status_code == 406
        assert refused.json()["type"] == "client_error"


def test_a_format_is_honoured_after_a_choice_was_remembered_for_the_header():
    ours = ContentNegotiation()
    openapi = [OpenApiYamlRenderer, OpenApiJsonRenderer]
    assert chosen(ours, None, openapi)[0] is OpenApiYamlRenderer  # remembered for `*/*`
    assert chosen(ours, None, openapi, "?format=json")[0] is OpenApiJsonRenderer
    assert chosen(ours, None, openapi, suffix="json")[0] is OpenApiJsonRenderer
    assert chosen(ours, None, openapi)[0] is OpenApiYamlRenderer
