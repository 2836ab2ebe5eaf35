"""What a refused token answers: 401 `token_expired` (refresh the access token; log in for an
expired refresh token), `token_revoked` and `token_not_valid` (log in again), on Bearer
authentication, `auth/refresh/` and `auth/logout/`; and the schema lists those codes."""

from datetime import timedelta

import jwt
import pytest

from shared_apps.accounts.roles import Role
from shared_apps.accounts.tokens import refresh_token_for
from tests.accounts.test_auth import LOGOUT, ME, REFRESH, TOKEN_NOT_VALID, TOKEN_REVOKED

TOKEN_EXPIRED = {
    "type": "client_error",
    "errors": [{"code": "token_expired", "detail": "The token has expired.", "attr": None}],
}
NOT_FOR_THIS_COMPANY = {
    "type": "client_error",
    "errors": [
        {"code": "token_not_valid", "detail": "Token is not valid for this company.", "attr": None}
    ],
}
CARS = "/api/v1/cars/"


def expired(token):
    token.set_exp(lifetime=-timedelta(seconds=1))
    return str(token)


def forged(token) -> str:
    return jwt.encode(token.payload, "not-our-signing-key-0123456789abcdef", algorithm="HS256")


@pytest.fixture
def user(acme, make_user):
    return make_user(acme, Role.DISPATCHER)


def bearer(client_for, company, token: str, url: str = ME):
    return client_for(company).get(url, HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.mark.parametrize("url", [ME, CARS])
def test_an_expired_access_token_is_token_expired(acme, user, client_for, url):
    response = bearer(client_for, acme, expired(refresh_token_for(user).access_token), url)

    assert response.status_code == 401
    assert response.json() == TOKEN_EXPIRED
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_an_expired_token_with_a_bad_signature_is_not_valid(acme, user, client_for):
    access = refresh_token_for(user).access_token
    access.set_exp(lifetime=-timedelta(seconds=1))

    response = bearer(client_for, acme, forged(access))

    assert response.status_code == 401
    assert response.json() == TOKEN_NOT_VALID


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda user: "x", id="garbage"),
        pytest.param(lambda user: forged(refresh_token_for(user).access_token), id="forged"),
        pytest.param(lambda user: str(refresh_token_for(user)), id="refresh-as-access"),
    ],
)
@pytest.mark.parametrize("url", [ME, CARS])
def test_a_token_that_is_not_ours_is_not_valid(acme, user, client_for, make_token, url):
    response = bearer(client_for, acme, make_token(user), url)

    assert response.status_code == 401
    assert response.json() == TOKEN_NOT_VALID


@pytest.mark.parametrize("url", [ME, CARS])
def test_a_deactivated_users_access_token_is_revoked(acme, user, client_for, url):
    access = str(refresh_token_for(user).access_token)
    user.is_active = False
    user.save()

    response = bearer(client_for, acme, access, url)

    assert response.status_code == 401
    assert response.json() == TOKEN_REVOKED


def test_an_expired_refresh_token_is_token_expired(acme, user, client_for):
    token = expired(refresh_token_for(user))

    for url in (REFRESH, LOGOUT):
        response = client_for(acme).post(url, {"refresh": token}, format="json")
        assert response.status_code == 401
        assert response.json() == TOKEN_EXPIRED


def test_a_refresh_token_that_is_not_ours_is_not_valid(acme, user, client_for):
    tokens = [
        "x",
        forged(refresh_token_for(user)),
        str(refresh_token_for(user).access_token),  # an access token is no refresh token
    ]
    for url in (REFRESH, LOGOUT):
        for token in tokens:
            response = client_for(acme).post(url, {"refresh": token}, format="json")
            assert response.status_code == 401
            assert response.json() == TOKEN_NOT_VALID


def test_a_refresh_token_of_another_company_is_not_valid(acme, globex, user, client_for):
    token = str(refresh_token_for(user))

    for url in (REFRESH, LOGOUT):
        response = client_for(globex).post(url, {"refresh": token}, format="json")
        assert response.status_code == 401
        assert response.json() == NOT_FOR_THIS_COMPANY
    assert client_for(acme).post(LOGOUT, {"refresh": token}, format="json").status_code == 204


def test_a_logged_out_refresh_token_is_revoked(acme, user, client_for):
    token = str(refresh_token_for(user))
    assert client_for(acme).post(LOGOUT, {"refresh": token}, format="json").status_code == 204

    for url in (REFRESH, LOGOUT):
        response = client_for(acme).post(url, {"refresh": token}, format="json")
        assert response.status_code == 401
        assert response.json() == TOKEN_REVOKED


def test_a_deactivated_users_refresh_token_is_revoked(acme, user, client_for):
    token = str(refresh_token_for(user))
    user.is_active = False
    user.save()

    for url in (REFRESH, LOGOUT):
        response = client_for(acme).post(url, {"refresh": token}, format="json")
        assert response.status_code == 401
        assert response.json() == TOKEN_REVOKED


def test_the_schema_lists_the_token_codes(acme, client_for):
    schema = client_for(acme).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]

    def codes(path: str, method: str) -> list[str]:
        response = schema["paths"][path][method]["responses"]["401"]
        envelope = response["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
        error = components[envelope]["properties"]["errors"]["items"]["$ref"].split("/")[-1]
        enum = components[error]["properties"]["code"]["$ref"].split("/")[-1]
        return components[enum]["enum"]

    bearer_codes = ["not_authenticated", "bad_authorization_header"]
    token_codes = ["token_expired", "token_revoked", "token_not_valid"]
    assert codes("/api/v1/auth/me/", "get") == bearer_codes + token_codes
    assert codes("/api/v1/cars/", "get") == bearer_codes + token_codes
    assert codes("/api/v1/auth/refresh/", "post") == token_codes
    assert codes("/api/v1/auth/logout/", "post") == token_codes
    assert codes("/api/v1/auth/login/", "post") == ["no_active_account"]
