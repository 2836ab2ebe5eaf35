"""A password change or reset, and a deactivation, revoke every token issued before it: refresh
tokens no longer rotate and access tokens are refused, both with 401 `token_revoked`."""

from django.contrib.auth.hashers import make_password
from django.test import Client

from shared_apps.accounts.models import User
from shared_apps.accounts.roles import Role
from tests.accounts.test_auth import ME, REFRESH, TOKEN_REVOKED, login
from tests.factories import PASSWORD

NEW_PASSWORD = "Brand-New-Pass-9"


def refresh(client_for, company, token: str):
    return client_for(company).post(REFRESH, {"refresh": token}, format="json")


def test_a_password_set_by_the_company_admin_revokes_the_users_tokens(
    acme, acme_admin, make_user, client_for
):
    user = make_user(acme, Role.DISPATCHER)
    victim = client_for(acme, user)  # the pair a thief may hold
    assert victim.get(ME).status_code == 200

    response = client_for(acme, acme_admin).patch(
        f"/api/v1/users/{user.pk}/", {"password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 200

    old_refresh = refresh(client_for, acme, victim.refresh)
    assert old_refresh.status_code == 401
    assert old_refresh.json() == TOKEN_REVOKED
    old_access = victim.get(ME)  # access tokens too, at once
    assert old_access.status_code == 401
    assert old_access.json() == TOKEN_REVOKED
    # The new password gives tokens that work.
    fresh = login(client_for(acme), user.username, NEW_PASSWORD).json()
    assert client_for(acme).get(ME, HTTP_AUTHORIZATION=f"Bearer {fresh['access']}").json()[
        "username"
    ] == (user.username)
    assert refresh(client_for, acme, fresh["refresh"]).status_code == 200


def test_an_admin_changing_their_own_password_logs_their_own_tokens_out(
    acme, acme_admin, client_for
):
    admin = client_for(acme, acme_admin)
    response = admin.patch(
        f"/api/v1/users/{acme_admin.pk}/", {"password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert admin.get(ME).json() == TOKEN_REVOKED
    assert login(client_for(acme), "acme-boss", NEW_PASSWORD).status_code == 200


def test_a_refused_password_revokes_nothing(acme, acme_admin, make_user, client_for):
    user = make_user(acme, Role.DISPATCHER)
    victim = client_for(acme, user)

    response = client_for(acme, acme_admin).patch(
        f"/api/v1/users/{user.pk}/", {"password": "123"}, format="json"
    )

    assert response.status_code == 400
    assert victim.get(ME).status_code == 200
    assert refresh(client_for, acme, victim.refresh).status_code == 200


def test_a_profile_change_revokes_nothing(acme, acme_admin, make_user, client_for):
    user = make_user(acme, Role.DISPATCHER)
    victim = client_for(acme, user)

    response = client_for(acme, acme_admin).patch(
        f"/api/v1/users/{user.pk}/", {"role": Role.MECHANIC, "first_name": "Ann"}, format="json"
    )
    assert response.status_code == 200
    assert victim.patch(ME, {"last_name": "Lee"}, format="json").status_code == 200

    assert victim.get(ME).status_code == 200
    assert refresh(client_for, acme, victim.refresh).status_code == 200


def test_deactivation_revokes_tokens_for_good(acme, acme_admin, make_user, client_for):
    user = make_user(acme, Role.DISPATCHER)
    victim = client_for(acme, user)
    admin = client_for(acme, acme_admin)

    assert admin.delete(f"/api/v1/users/{user.pk}/").status_code == 204
    assert admin.patch(
        f"/api/v1/users/{user.pk}/", {"is_active": True}, format="json"
    ).status_code == (200)

    # Active again, but what was issued before the deactivation stays revoked.
    assert refresh(client_for, acme, victim.refresh).json() == TOKEN_REVOKED
    assert victim.get(ME).json() == TOKEN_REVOKED
    assert login(client_for(acme), user.username).status_code == 200


def test_the_platform_admins_password_form_revokes_tokens(acme, make_user, client_for):
    user = make_user(acme, Role.DISPATCHER)
    victim = client_for(acme, user)
    # Twice: the user is now in the user cache too, which the form must make forget them.
    assert victim.get(ME).status_code == victim.get(ME).status_code == 200
    staff = User.objects.create_superuser("root", "root@example.com", "Platform-Pass-1")
    browser = Client(HTTP_HOST="localhost")
    browser.force_login(staff)

    response = browser.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302
    assert refresh(client_for, acme, victim.refresh).json() == TOKEN_REVOKED
    assert victim.get(ME).json() == TOKEN_REVOKED


def test_the_platform_admins_user_form_deactivation_revokes_tokens(acme, make_user, client_for):
    user = make_user(acme, Role.DISPATCHER)
    victim = client_for(acme, user)
    staff = User.objects.create_superuser("root", "root@example.com", "Platform-Pass-1")
    browser = Client(HTTP_HOST="localhost")
    browser.force_login(staff)

    response = browser.post(  # the change form with "Active" unticked
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "company": acme.pk,
            "role": Role.DISPATCHER,
            "language": "en",
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active is False
    # Re-activated by hand: what was issued before stays revoked.
    user.is_active = True
    user.save()
    assert refresh(client_for, acme, victim.refresh).json() == TOKEN_REVOKED
    assert victim.get(ME).json() == TOKEN_REVOKED


def test_the_re_hash_at_login_revokes_nothing(acme, make_user, client_for, settings):
    """A login re-hashes a password of an older hasher; that is not a password change."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    user = make_user(acme, Role.DISPATCHER)
    User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="md5"))
    user.refresh_from_db()
    earlier = client_for(acme, user)

    assert login(client_for(acme), user.username).status_code == 200

    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$")
    assert user.token_version == 0
    assert earlier.get(ME).status_code == 200
    assert refresh(client_for, acme, earlier.refresh).status_code == 200
