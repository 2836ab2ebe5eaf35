import pytest
from django.test import override_settings

SERVER_ERROR = {
    "type": "server_error",
    "errors": [{"code": "error", "detail": "Server Error (500)", "attr": None}],
}


@pytest.mark.parametrize("path", ["/api-fail/", "/django-fail/"])
@override_settings(ROOT_URLCONF="tests.core.urls_failing")
def test_unexpected_errors_leave_as_500_envelope_without_details(acme, client_for, path):
    client = client_for(acme)
    client.raise_request_exception = False

    response = client.get(path)

    assert response.status_code == 500
    assert response.json() == SERVER_ERROR
    assert b"boom" not in response.content
