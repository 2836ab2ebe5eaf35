"""The token's user is cached (shared_apps/accounts/user_cache.py): a request after the first
does not query it, and every way a user changes holds from the very next request. Each test
makes a request first, so that the user is cached when it changes."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from shared_apps.accounts.models import User
from shared_apps.accounts.roles import Role
from shared_apps.accounts.user_cache import user_by_id, user_rows
from tests.accounts.test_auth import ME, TOKEN_REVOKED
from tests.factories import PASSWORD

USERS = "/api/v1/users/"
NEW_PASSWORD = "Brand-New-Pass-9"


def counted_get(client, url: str = ME):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


@pytest.fixture
def admin_client(acme, acme_admin, client_for):
    return client_for(acme, acme_admin)


def test_a_request_after_the_first_queries_neither_the_host_nor_the_user(acme_as):
    client = acme_as(Role.GUEST)
    first, first_queries = counted_get(client)
    again, again_queries = counted_get(client)

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    # The first: `SET search_path` to public, the host's domain and company, `SET search_path`
    # to the company, the token's user. `/auth/me/` answers the user it has: nothing more.
    assert (first_queries, again_queries) == (4, 0)


def test_the_user_cache_saves_its_query(acme_as, settings):
    settings.TENANT_HOST_CACHE_SECONDS = 0
    client = acme_as(Role.GUEST)
    counted_get(client)

    assert counted_get(client)[1] == 2  # `SET search_path` to public and the host's company
    settings.AUTH_USER_CACHE_SECONDS = 0
    assert counted_get(client)[1] == 4


def _deactivate_by_the_api(user, admin_client, globex) -> None:
    assert admin_client.delete(f"{USERS}{user.pk}/").status_code == 204


def _deactivate_by_save(user, admin_client, globex) -> None:  # the Django admin's form
    user.is_active = False
    user.save()


def _deactivate_by_update(user, admin_client, globex) -> None:
    User.objects.filter(pk=user.pk).update(is_active=False)


def _deactivate_by_bulk_update(user, admin_client, globex) -> None:
    user.is_active = False
    User.objects.bulk_update([user], ["is_active"])


def _new_password_by_the_api(user, admin_client, globex) -> None:
    response = admin_client.patch(f"{USERS}{user.pk}/", {"password": NEW_PASSWORD}, format="json")
    assert response.status_code == 200


def _new_password_by_save(user, admin_client, globex) -> None:  # `manage.py changepassword`
    user.set_password(NEW_PASSWORD)
    user.save()


def _tokens_revoked_by_update(user, admin_client, globex) -> None:
    User.objects.filter(pk=user.pk).update(token_version=F("token_version") + 1)


def _moved_to_another_company(user, admin_client, globex) -> None:
    user.company = globex
    user.save()


def _deleted(user, admin_client, globex) -> None:  # the API and admins deactivate; a script may
    user.delete()


def _deleted_by_queryset(user, admin_client, globex) -> None:
    User.objects.filter(pk=user.pk).delete()


@pytest.mark.parametrize(
    "change",
    [
        _deactivate_by_the_api,
        _deactivate_by_save,
        _deactivate_by_update,
        _deactivate_by_bulk_update,
        _new_password_by_the_api,
        _new_password_by_save,
        _tokens_revoked_by_update,
        _moved_to_another_company,
        _deleted,
        _deleted_by_queryset,
    ],
)
def test_a_refused_user_is_refused_at_the_next_request(
    acme, globex, make_user, client_for, admin_client, change
):
    user = make_user(acme, Role.DISPATCHER)
    client = client_for(acme, user)
    assert client.get(ME).status_code == client.get(ME).status_code == 200  # cached

    change(user, admin_client, globex)

    response = client.get(ME)
    assert response.status_code == 401
    assert response.json() == TOKEN_REVOKED


def _demote_by_the_api(user, admin_client) -> None:
    response = admin_client.patch(f"{USERS}{user.pk}/", {"role": Role.GUEST}, format="json")
    assert response.status_code == 200


def _demote_by_save(user, admin_client) -> None:
    user.role = Role.GUEST
    user.save()


def _demote_by_update(user, admin_client) -> None:
    User.objects.filter(pk=user.pk).update(role=Role.GUEST)


@pytest.mark.parametrize("demote", [_demote_by_the_api, _demote_by_save, _demote_by_update])
def test_a_role_taken_away_is_taken_away_at_the_next_request(
    acme, make_user, client_for, admin_client, demote
):
    second_admin = make_user(acme, Role.COMPANY_ADMIN)
    client = client_for(acme, second_admin)
    assert client.get(USERS).status_code == client.get(USERS).status_code == 200

    demote(second_admin, admin_client)

    response = client.get(USERS)
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "permission_denied"


def test_a_role_given_is_given_at_the_next_request(acme, make_user, client_for):
    user = make_user(acme, Role.GUEST)
    client = client_for(acme, user)
    assert client.get(USERS).status_code == client.get(USERS).status_code == 403

    user.role = Role.COMPANY_ADMIN
    user.save()

    assert client.get(USERS).status_code == 200


def test_an_own_profile_change_shows_at_the_next_request(acme_as):
    client = acme_as(Role.GUEST)
    assert client.get(ME).json()["language"] == "en"

    response = client.patch(ME, {"language": "ky", "phone": "+996 555 1"}, format="json")
    assert response.status_code == 200
    me = client.get(ME).json()

    assert (me["language"], me["phone"]) == ("ky", "+996 555 1")


def test_the_cached_user_holds_no_password_hash(acme, make_user, client_for):
    user = make_user(acme, Role.GUEST)
    client_for(acme, user).get(ME)

    entry = cache.get(user_rows.key(user.pk))

    assert entry is not None
    assert "password" not in user_rows.fields
    assert user.password not in entry
    # Asked for, the password is read from the database.
    cached = user_by_id(user.pk)
    assert "password" in cached.get_deferred_fields()
    assert cached.check_password(PASSWORD)


def test_a_cached_user_saved_again_keeps_its_password(acme, make_user, client_for):
    user = make_user(acme, Role.GUEST)
    client_for(acme, user).get(ME)
    cached = user_by_id(user.pk)

    cached.first_name = "Renamed"
    cached.save()  # only the fields it holds: the unread password is left as it is

    user.refresh_from_db()
    assert (user.first_name, user.check_password(PASSWORD)) == ("Renamed", True)


def test_requests_work_when_redis_is_down(acme_as, settings):
    client = acme_as(Role.GUEST)
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }

    first, first_queries = counted_get(client)
    again, again_queries = counted_get(client)

    assert first.status_code == again.status_code == 200
    assert first_queries == again_queries == 4  # both read from the database
