"""Both admin logins (the platform's on the bare domain, the company data's on a company host)
are throttled like the API's login, per username and per IP (tests: 5 and 20 a minute): once a
budget is spent, a login attempt gets 429 with `Retry-After`, even with the right password."""

import pytest
from django.test import Client

from shared_apps.accounts.models import User

ADMIN_LOGIN = "/admin/login/"
STAFF_PASSWORD = "Platform-Pass-1"
WRONG_PASSWORD = "wrong-guess"
HOSTS = ["localhost", "acme.localhost"]


@pytest.fixture
def staff(acme):
    return User.objects.create_superuser("root", "root@example.com", STAFF_PASSWORD)


def attempt(host: str, username: str, password: str = WRONG_PASSWORD, **headers):
    browser = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en", **headers)
    return browser.post(ADMIN_LOGIN, {"username": username, "password": password})


def assert_throttled(response) -> None:
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 55 <= retry_after <= 60
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == f"Too many requests; try again in {retry_after} seconds."


@pytest.mark.parametrize("host", HOSTS)
def test_admin_login_is_throttled_per_username(host, staff, acme):
    wrong = [attempt(host, "root") for _ in range(5)]
    assert [response.status_code for response in wrong] == [200] * 5
    assert "Please enter the correct username and password" in wrong[0].content.decode()

    assert_throttled(attempt(host, "root", STAFF_PASSWORD))  # even the right password waits
    assert_throttled(attempt(host, " ROOT "))  # the same username, however it is typed
    # The login page still shows, and another username from the same IP is still served.
    assert Client(HTTP_HOST=host).get(ADMIN_LOGIN).status_code == 200
    User.objects.create_superuser("root2", "root2@example.com", STAFF_PASSWORD)
    assert attempt(host, "root2", STAFF_PASSWORD).status_code == 302


@pytest.mark.parametrize("host", HOSTS)
def test_admin_login_is_throttled_per_ip(host, staff, acme):
    statuses = [attempt(host, f"nobody{i}").status_code for i in range(20)]
    assert statuses == [200] * 20

    assert_throttled(attempt(host, "root", STAFF_PASSWORD))
    # Another IP is served.
    other_ip = attempt(host, "root", STAFF_PASSWORD, REMOTE_ADDR="10.0.0.7")
    assert other_ip.status_code == 302


def test_each_host_has_its_own_budget(staff, acme):
    for _ in range(5):
        attempt("localhost", "root")
    assert_throttled(attempt("localhost", "root"))

    assert attempt("acme.localhost", "root", STAFF_PASSWORD).status_code == 302


def test_the_api_login_and_the_admin_login_share_the_budget(staff, acme, client_for):
    for _ in range(5):
        attempt("acme.localhost", "root")

    response = client_for(acme).post(
        "/api/v1/auth/login/", {"username": "root", "password": STAFF_PASSWORD}, format="json"
    )

    assert response.status_code == 429
    assert response.json()["errors"][0]["code"] == "throttled"


def test_admin_login_still_works_when_redis_is_down(staff, acme, settings):
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    assert attempt("localhost", "root", STAFF_PASSWORD).status_code == 302
