"""The refresh grace: a refresh token presented again within JWT_REFRESH_GRACE_SECONDS of its
rotation gets the very pair the rotation gave; later, after a logout, a password change or a
deactivation, or without the cache, the reuse is refused (401 `token_revoked`), never a 500.
Three tabs refreshing at once: tests/accounts/test_concurrency.py."""

import time

import pytest
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from shared_apps.accounts.roles import Role
from tests.accounts.test_auth import LOGOUT, ME, REFRESH, TOKEN_REVOKED


@pytest.fixture
def tab(acme, make_user, client_for):
    """A logged-in client of acme: its `refresh` is what every tab holds."""
    return client_for(acme, make_user(acme, Role.DISPATCHER))


def post(client_for, company, url: str, token: str):
    return client_for(company).post(url, {"refresh": token}, format="json")


def test_the_same_token_again_within_the_grace_gets_the_same_pair(acme, tab, client_for):
    first = post(client_for, acme, REFRESH, tab.refresh)
    second = post(client_for, acme, REFRESH, tab.refresh)

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == first.json()
    assert OutstandingToken.objects.filter(user=tab.user).count() == 2  # rotated once
    pair = first.json()
    me = client_for(acme).get(ME, HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert me.status_code == 200
    assert post(client_for, acme, REFRESH, pair["refresh"]).status_code == 200


def test_after_the_grace_the_reuse_is_revoked(acme, tab, client_for, settings):
    settings.JWT_REFRESH_GRACE_SECONDS = 1
    assert post(client_for, acme, REFRESH, tab.refresh).status_code == 200

    time.sleep(1.2)
    reuse = post(client_for, acme, REFRESH, tab.refresh)

    assert reuse.status_code == 401
    assert reuse.json() == TOKEN_REVOKED


def test_no_grace_once_the_new_token_is_logged_out(acme, tab, client_for):
    pair = post(client_for, acme, REFRESH, tab.refresh).json()
    assert post(client_for, acme, LOGOUT, pair["refresh"]).status_code == 204

    reuse = post(client_for, acme, REFRESH, tab.refresh)

    assert reuse.status_code == 401
    assert reuse.json() == TOKEN_REVOKED


def test_no_grace_once_the_new_token_is_rotated_in_turn(acme, tab, client_for):
    pair = post(client_for, acme, REFRESH, tab.refresh).json()
    assert post(client_for, acme, REFRESH, pair["refresh"]).status_code == 200

    assert post(client_for, acme, REFRESH, tab.refresh).json() == TOKEN_REVOKED


def test_logging_out_with_the_old_token_within_the_grace_ends_the_session(acme, tab, client_for):
    pair = post(client_for, acme, REFRESH, tab.refresh).json()

    assert post(client_for, acme, LOGOUT, tab.refresh).status_code == 204

    assert post(client_for, acme, REFRESH, pair["refresh"]).json() == TOKEN_REVOKED
    assert post(client_for, acme, REFRESH, tab.refresh).json() == TOKEN_REVOKED


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda user: setattr(user, "is_active", False), id="deactivated"),
        pytest.param(lambda user: user.set_password("Brand-New-Pass-9"), id="password-changed"),
    ],
)
def test_no_grace_after_a_revocation(acme, tab, client_for, change):
    assert post(client_for, acme, REFRESH, tab.refresh).status_code == 200
    change(tab.user)
    tab.user.save()

    reuse = post(client_for, acme, REFRESH, tab.refresh)

    assert reuse.status_code == 401
    assert reuse.json() == TOKEN_REVOKED


def test_without_the_cache_rotation_works_and_the_reuse_is_refused(acme, tab, client_for, settings):
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }

    first = post(client_for, acme, REFRESH, tab.refresh)
    reuse = post(client_for, acme, REFRESH, tab.refresh)

    assert first.status_code == 200
    assert reuse.status_code == 401
    assert reuse.json() == TOKEN_REVOKED
    assert post(client_for, acme, REFRESH, first.json()["refresh"]).status_code == 200
