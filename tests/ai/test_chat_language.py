"""The chat answers in the request's `language`; without it, in the question's own language;
when the question tells none (a plate, digits), in the user's language, unless `Accept-Language`
names another (as every other message of the API)."""

import pytest

from shared_apps.accounts.roles import Role
from tests.ai.test_assistant import HELP

CHAT = "/api/v1/ai/chat/"


@pytest.fixture(autouse=True)
def local_provider(settings):
    settings.AI_PROVIDER = "local"


def reply(client, *, language=None, message="???", **headers) -> str:
    """The reply to `message` (by default one in no language: the help text)."""
    body = {"message": message} | ({"language": language} if language else {})
    response = client.post(CHAT, body, format="json", **headers)
    assert response.status_code == 200, response.json()
    return response.json()["reply"]


def test_accept_language_overrides_the_users_language(acme_as):
    russian_user = acme_as(Role.GUEST, language="ru")
    english_user = acme_as(Role.GUEST, language="en")

    assert reply(russian_user, HTTP_ACCEPT_LANGUAGE="en") == HELP["en"]
    assert reply(english_user, HTTP_ACCEPT_LANGUAGE="ru") == HELP["ru"]
    assert reply(english_user, HTTP_ACCEPT_LANGUAGE="ky") == HELP["ky"]


def test_without_accept_language_the_users_language_answers(acme_as):
    assert reply(acme_as(Role.GUEST, language="ru")) == HELP["ru"]
    assert reply(acme_as(Role.GUEST, language="en")) == HELP["en"]


def test_the_language_field_wins(acme_as):
    russian_user = acme_as(Role.GUEST, language="ru")

    assert reply(russian_user, language="ru", HTTP_ACCEPT_LANGUAGE="en") == HELP["ru"]
    assert reply(russian_user, language="en", HTTP_ACCEPT_LANGUAGE="ru") == HELP["en"]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("asdf qwerty", "en"),
        ("what is this", "en"),
        ("абв гдеёж", "ru"),
        ("12345", None),  # digits tell nothing; the user's language answers
        ("???", None),
    ],
)
def test_the_question_is_answered_in_its_own_language(acme_as, message, expected):
    russian_user = acme_as(Role.GUEST, language="ru")
    english_user = acme_as(Role.GUEST, language="en")

    for client, own in ((russian_user, "ru"), (english_user, "en")):
        assert reply(client, message=message) == HELP[expected or own]
    # The `language` field still wins.
    assert reply(english_user, message=message, language="ru") == HELP["ru"]


def test_a_kyrgyz_question_is_answered_in_kyrgyz(acme_as):
    """Letters only Kyrgyz has make the question Kyrgyz, and the answer Kyrgyz."""
    english_user = acme_as(Role.GUEST, language="en")

    assert reply(english_user, message="бул эмне түшүнбөйм") == HELP["ky"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("сколько машин в ремонте", "ru"),
        ("канча машина оңдоодо", "ky"),
        ("how many cars are in repair", "en"),
        ("01KG123ABC", None),
        ("01KG123ABC 1 500 km", "en"),
        ("", None),
    ],
)
def test_question_language(text, language):
    from tenant_apps.ai.languages import question_language

    assert question_language(text) == language
