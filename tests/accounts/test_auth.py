import pytest

from shared_apps.accounts.roles import Role
from tests.factories import PASSWORD

LOGIN = "/api/v1/auth/login/"
REFRESH = "/api/v1/auth/refresh/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/auth/me/"

BAD_CREDENTIALS = {
    "type": "client_error",
    "errors": [
        {
            "code": "no_active_account",
            "detail": "No active account found with the given credentials.",
            "attr": None,
        }
    ],
}


TOKEN_REVOKED = {
    "type": "client_error",
    "errors": [
        {
            "code": "token_revoked",
            "detail": "The token has been revoked; log in again.",
            "attr": None,
        }
    ],
}
TOKEN_NOT_VALID = {
    "type": "client_error",
    "errors": [{"code": "token_not_valid", "detail": "The token is not valid.", "attr": None}],
}


def login(client, username, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password}, format="json")


def test_login_returns_token_pair_and_user(acme, make_user, client_for):
    user = make_user(acme, Role.DISPATCHER, username="disp", phone="+996 555 123 456")

    response = login(client_for(acme), "disp")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh", "user"}
    assert body["user"] == {
        "id": user.pk,
        "username": "disp",
        "first_name": "Test",
        "last_name": user.last_name,
        "email": "disp@example.com",
        "phone": "+996 555 123 456",
        "language": "en",
        "region": "",
        "notify_email": True,
        "role": "DISPATCHER",
        "company": "acme",
        "is_active": True,
    }
    me = client_for(acme).get(ME, HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert me.status_code == 200
    assert me.json()["username"] == "disp"


def test_wrong_password_is_401(acme, make_user, client_for):
    make_user(acme, username="disp")
    response = login(client_for(acme), "disp", "wrong-password")
    assert response.status_code == 401
    assert response.json() == BAD_CREDENTIALS


def test_user_of_another_company_gets_the_wrong_password_answer(
    acme, globex, make_user, client_for
):
    make_user(acme, Role.COMPANY_ADMIN, username="acme-user")
    response = login(client_for(globex), "acme-user")
    assert response.status_code == 401
    assert response.json() == BAD_CREDENTIALS


def test_login_on_public_host_is_not_served(make_user, acme, client_for):
    make_user(acme, username="disp")
    response = login(client_for(None), "disp")
    assert response.status_code == 404
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
    }


def test_token_of_another_company_is_refused(acme, globex, make_user, client_for):
    acme_user = make_user(acme, Role.COMPANY_ADMIN)
    token = client_for(acme, acme_user).access

    response = client_for(globex).get(ME, HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 401
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "token_not_valid",
                "detail": "Token is not valid for this company.",
                "attr": None,
            }
        ],
    }


def test_token_without_company_claim_is_refused(acme, make_user, client_for):
    from rest_framework_simplejwt.tokens import AccessToken

    user = make_user(acme)
    bare = AccessToken.for_user(user)  # no company claim: fail closed

    response = client_for(acme).get(ME, HTTP_AUTHORIZATION=f"Bearer {bare}")

    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "token_not_valid"


def test_anonymous_is_401(acme, client_for):
    response = client_for(acme).get(ME)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_refresh_rotates_and_blacklists_the_old_token(acme, make_user, client_for, settings):
    settings.JWT_REFRESH_GRACE_SECONDS = 0  # no grace: see test_refresh_grace.py
    make_user(acme, username="disp")
    tokens = login(client_for(acme), "disp").json()

    first = client_for(acme).post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert first.status_code == 200
    rotated = first.json()
    assert set(rotated) == {"access", "refresh"}
    assert rotated["refresh"] != tokens["refresh"]

    reuse = client_for(acme).post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert reuse.status_code == 401
    assert reuse.json() == TOKEN_REVOKED

    again = client_for(acme).post(REFRESH, {"refresh": rotated["refresh"]}, format="json")
    assert again.status_code == 200


def test_refresh_of_another_company_is_refused(acme, globex, make_user, client_for):
    user = make_user(acme)
    refresh = client_for(acme, user).refresh
    response = client_for(globex).post(REFRESH, {"refresh": refresh}, format="json")
    assert response.status_code == 401
    # ... and the token was not consumed on the wrong host.
    assert client_for(acme).post(REFRESH, {"refresh": refresh}, format="json").status_code == 200


def test_garbage_refresh_is_401_not_500(acme, client_for):
    response = client_for(acme).post(REFRESH, {"refresh": "not-a-jwt"}, format="json")
    assert response.status_code == 401
    assert response.json() == TOKEN_NOT_VALID
    missing = client_for(acme).post(REFRESH, {}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["attr"] == "refresh"


def test_logout_blacklists_the_refresh_token(acme, make_user, client_for):
    make_user(acme, username="disp")
    tokens = login(client_for(acme), "disp").json()

    response = client_for(acme).post(LOGOUT, {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 204

    after = client_for(acme).post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert after.status_code == 401
    assert after.json() == TOKEN_REVOKED  # a logged-out token gets no grace
    twice = client_for(acme).post(LOGOUT, {"refresh": tokens["refresh"]}, format="json")
    assert twice.status_code == 401
    assert twice.json() == TOKEN_REVOKED


def test_deactivated_user_is_locked_out_at_once(acme, make_user, client_for):
    user = make_user(acme, Role.DISPATCHER)
    client = client_for(acme, user)
    assert client.get(ME).status_code == 200

    user.is_active = False
    user.save()

    response = client.get(ME)
    assert response.status_code == 401
    assert response.json() == TOKEN_REVOKED
    refresh = client_for(acme).post(REFRESH, {"refresh": client.refresh}, format="json")
    assert refresh.status_code == 401
    assert refresh.json() == TOKEN_REVOKED
    assert login(client_for(acme), user.username).status_code == 401


def test_user_moved_to_another_company_loses_old_tokens(acme, globex, make_user, client_for):
    user = make_user(acme)
    client = client_for(acme, user)
    user.company = globex
    user.save()
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json() == TOKEN_REVOKED


def test_login_is_throttled_per_username(acme, make_user, client_for):
    make_user(acme, username="disp")
    statuses = [login(client_for(acme), "disp", "wrong").status_code for _ in range(5)]
    assert statuses == [401] * 5

    blocked = login(client_for(acme), "disp")  # even the right password now waits
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert blocked.json()["errors"][0]["code"] == "throttled"
    # Another username from the same IP is still served.
    make_user(acme, username="other")
    assert login(client_for(acme), "other").status_code == 200


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param([" disp", "disp ", "  disp  ", "\tdisp\n", "disp"], id="spaces"),
        pytest.param(["DISP", "Disp", "dIsP", "disP", "disp"], id="case"),
    ],
)
def test_a_username_however_typed_has_one_budget(acme, make_user, client_for, typed):
    """The login trims a padded username, so " disp " guesses disp's password: it must spend
    disp's budget, not get one of its own. Usernames count case-insensitively."""
    make_user(acme, username="disp")
    statuses = [login(client_for(acme), username, "wrong").status_code for username in typed]
    assert statuses == [401] * 5

    for spelling in ("disp", " disp ", "DISP", "\tDisp"):  # even with the right password
        blocked = login(client_for(acme), spelling)
        assert blocked.status_code == 429, spelling
        assert blocked.json()["errors"][0]["code"] == "throttled"


def test_login_is_throttled_per_ip(acme, make_user, client_for):
    statuses = [login(client_for(acme), f"nobody{i}", "x").status_code for i in range(21)]
    assert statuses == [401] * 20 + [429]


@pytest.mark.parametrize(
    ("payload", "attrs"),
    [
        ({}, ["username", "password"]),
        ({"username": "x"}, ["password"]),
        ({"username": ["a"], "password": "p"}, ["username"]),
        ({"username": "x" * 151, "password": "p"}, ["username"]),
    ],
)
def test_malformed_login_is_400(acme, client_for, payload, attrs):
    response = client_for(acme).post(LOGIN, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert [error["attr"] for error in body["errors"]] == attrs


def test_login_still_works_when_redis_is_down(acme, make_user, client_for, settings):
    # The throttle fails open: a cache outage must not lock every user out.
    make_user(acme, username="disp")
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    assert login(client_for(acme), "disp").status_code == 200
