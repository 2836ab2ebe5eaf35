"""The chat answers in the request's `language`; without it, in the user's language, unless
`Accept-Language` names another (as every other message of the API)."""

import pytest

from shared_apps.accounts.roles import Role
from tests.ai.test_assistant import HELP

CHAT = "/api/v1/ai/chat/"


@pytest.fixture(autouse=True)
def local_provider(settings):
    settings.AI_PROVIDER = "local"


def reply(client, *, language=None, **headers) -> str:
    body = {"message": "asdf"} | ({"language": language} if language else {})
    response = client.post(CHAT, body, format="json", **headers)
    assert response.status_code == 200, response.json()
    return response.json()["reply"]


def test_accept_language_overrides_the_users_language(acme_as):
    russian_user = acme_as(Role.GUEST, language="ru")
    english_user = acme_as(Role.GUEST, language="en")

    assert reply(russian_user, HTTP_ACCEPT_LANGUAGE="en") == HELP["en"]
    assert reply(english_user, HTTP_ACCEPT_LANGUAGE="ru") == HELP["ru"]
    assert reply(english_user, HTTP_ACCEPT_LANGUAGE="ky") == HELP["ru"]  # ky: Russian replies


def test_without_accept_language_the_users_language_answers(acme_as):
    assert reply(acme_as(Role.GUEST, language="ru")) == HELP["ru"]
    assert reply(acme_as(Role.GUEST, language="en")) == HELP["en"]


def test_the_language_field_wins(acme_as):
    russian_user = acme_as(Role.GUEST, language="ru")

    assert reply(russian_user, language="ru", HTTP_ACCEPT_LANGUAGE="en") == HELP["ru"]
    assert reply(russian_user, language="en", HTTP_ACCEPT_LANGUAGE="ru") == HELP["en"]
