"""The first screens in the user's language: the login error, the token errors and the 429 of
both the API and the admin logins, under `Accept-Language: ru`. Kyrgyz has no translations of
its own yet and falls back to Russian (see locale/ky)."""

from datetime import timedelta

import pytest
from django.test import Client

from shared_apps.accounts.models import User
from shared_apps.accounts.roles import Role
from shared_apps.accounts.tokens import refresh_token_for
from tests.accounts.test_auth import LOGIN, ME, REFRESH
from tests.factories import PASSWORD

LANGUAGES = ["ru", "ky"]


def only_error(response, status: int) -> tuple[str, str]:
    assert response.status_code == status
    body = response.json()
    assert body["type"] == "client_error"
    [error] = body["errors"]
    assert error["attr"] is None
    return error["code"], error["detail"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_login_error_is_russian(acme, make_user, client_for, language):
    make_user(acme, username="disp")

    response = client_for(acme).post(
        LOGIN, {"username": "disp", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE=language
    )

    assert only_error(response, 401) == (
        "no_active_account",
        "Активная учётная запись с такими данными не найдена.",
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_token_errors_are_russian(acme, globex, make_user, client_for, language):
    user = make_user(acme, Role.DISPATCHER)
    expired = refresh_token_for(user).access_token
    expired.set_exp(lifetime=-timedelta(seconds=1))
    revoked = str(refresh_token_for(user).access_token)
    User.objects.filter(pk=user.pk).update(token_version=1)
    other_company = str(refresh_token_for(make_user(globex)).access_token)

    def me(token: str):
        return client_for(acme).get(
            ME, HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE=language
        )

    assert only_error(me(str(expired)), 401) == ("token_expired", "Срок действия токена истёк.")
    assert only_error(me(revoked), 401) == ("token_revoked", "Токен отозван; войдите заново.")
    assert only_error(me("x"), 401) == ("token_not_valid", "Токен недействителен.")
    assert only_error(me(other_company), 401) == (
        "token_not_valid",
        "Токен недействителен для этой компании.",
    )
    no_token = client_for(acme).get(ME, HTTP_ACCEPT_LANGUAGE=language)
    assert only_error(no_token, 401) == (
        "not_authenticated",
        "Учетные данные не были предоставлены.",
    )
    two_values = me("x y")
    assert only_error(two_values, 401) == (
        "bad_authorization_header",
        "Заголовок Authorization должен содержать два значения через пробел: Bearer и токен.",
    )
    refresh = client_for(acme).post(
        REFRESH, {"refresh": "x"}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert only_error(refresh, 401) == ("token_not_valid", "Токен недействителен.")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_429_is_russian(acme, make_user, client_for, language):
    make_user(acme, username="disp")
    for _ in range(5):
        client_for(acme).post(LOGIN, {"username": "disp", "password": "wrong"})

    response = client_for(acme).post(
        LOGIN, {"username": "disp", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE=language
    )

    retry_after = int(response["Retry-After"])
    assert 55 <= retry_after <= 60  # all "секунд"
    assert only_error(response, 429) == (
        "throttled",
        f"Слишком много запросов; повторите через {retry_after} секунд.",
    )


@pytest.mark.parametrize("host", ["localhost", "acme.localhost"])
def test_the_admin_logins_429_is_russian(acme, host):
    User.objects.create_superuser("root", "root@example.com", "Platform-Pass-1")
    browser = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="ru")
    for _ in range(5):
        browser.post("/admin/login/", {"username": "root", "password": "wrong"})

    response = browser.post("/admin/login/", {"username": "root", "password": "wrong"})

    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 55 <= retry_after <= 60
    assert response.content.decode() == (
        f"Слишком много запросов; повторите через {retry_after} секунд."
    )


def test_english_stays_english(acme, make_user, client_for):
    make_user(acme, username="disp")

    response = client_for(acme).post(
        LOGIN, {"username": "disp", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert only_error(response, 401) == (
        "no_active_account",
        "No active account found with the given credentials.",
    )
