from shared_apps.accounts.roles import Role

ME = "/api/v1/auth/me/"


def test_me_updates_own_profile_but_never_role_company_or_active(
    acme, globex, make_user, client_for
):
    user = make_user(acme, Role.DRIVER)
    client = client_for(acme, user)

    response = client.patch(
        ME,
        {
            "first_name": "Нурлан",
            "language": "en",
            "phone": "+996 555 000 001",
            "role": "COMPANY_ADMIN",
            "company": "globex",
            "is_active": False,
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["first_name"], body["language"], body["role"], body["company"]) == (
        "Нурлан",
        "en",
        "DRIVER",
        "acme",
    )
    user.refresh_from_db()
    assert (user.first_name, user.language, user.phone) == ("Нурлан", "en", "+996 555 000 001")
    assert (user.role, user.company_id, user.is_active) == (Role.DRIVER, acme.pk, True)


def test_me_rejects_put_with_405_envelope(acme, make_user, client_for):
    client = client_for(acme, make_user(acme))
    response = client.put(ME, {"first_name": "x"}, format="json")
    assert response.status_code == 405
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {"code": "method_not_allowed", "detail": 'Method "PUT" not allowed.', "attr": None}
        ],
    }


def test_messages_follow_user_language_unless_accept_language_given(acme, make_user, client_for):
    client = client_for(acme, make_user(acme, language="ru"))

    russian = client.patch(ME, {"email": "nope"}, format="json").json()
    assert russian["errors"] == [
        {
            "code": "invalid",
            "detail": "Введите правильный адрес электронной почты.",
            "attr": "email",
        }
    ]
    english = client.patch(ME, {"email": "nope"}, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["errors"][0]["detail"] == "Enter a valid email address."
