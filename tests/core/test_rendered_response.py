"""An API answer, its view and its DRF request are freed by reference counting once the answer
has been sent (`core.middleware.RenderedResponseMiddleware`), not left in reference cycles for
the garbage collector; the answer itself is unchanged."""

import gc
import weakref

import pytest
from rest_framework.views import APIView

from shared_apps.accounts.roles import Role
from tests.factories import CarFactory, InsuranceFactory


@pytest.fixture
def finalized(monkeypatch) -> list:
    """Weak references to each view and DRF request that finalized a response (a spy that
    calls through)."""
    seen = []
    original = APIView.finalize_response

    def finalize_response(self, request, response, *args, **kwargs):
        seen.append((weakref.ref(self), weakref.ref(request)))
        return original(self, request, response, *args, **kwargs)

    monkeypatch.setattr(APIView, "finalize_response", finalize_response)
    return seen


@pytest.fixture
def no_collector():
    gc.collect()
    gc.disable()
    yield
    gc.enable()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cars/",  # a list page, from its compiled SQL (asked once before)
        "/api/v1/insurances/?ordering=-end_date",
        "/api/v1/cars/999999/",  # a refusal (404)
    ],
)
def test_the_view_and_its_request_are_freed_without_the_garbage_collector(
    acme_as, in_acme, finalized, no_collector, path
):
    """Where DRF made no serializer (a serializer and its bound fields refer to one another,
    and its context to the view: that cycle is DRF's own)."""
    InsuranceFactory(car=CarFactory(title="Camry"))
    client = acme_as(Role.GUEST)
    assert client.get(path).status_code in (200, 404)  # (a list compiles its SQL)
    finalized.clear()
    response = client.get(path)
    assert response.status_code in (200, 404)
    assert response.renderer_context == {}
    del response

    ((view, request),) = finalized
    assert (view(), request()) == (None, None)


def test_the_answer_is_what_it_was(acme_as, in_acme):
    car = CarFactory(title="Camry")
    response = acme_as(Role.GUEST).get(f"/api/v1/cars/{car.pk}/")
    assert response.status_code == 200
    assert response.json()["title"] == "Camry"
    assert response.data["title"] == "Camry"  # the data stays on the response
