import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared_apps.accounts.models import User
from shared_apps.accounts.roles import Role
from tests.factories import PASSWORD, UserFactory

USERS = "/api/v1/users/"
NON_ADMIN_ROLES = [r for r in Role.values if r != Role.COMPANY_ADMIN]

NEW_USER = {
    "username": "new.driver",
    "password": "Another-Secret-77",
    "first_name": "Азамат",
    "last_name": "Исаков",
    "email": "azamat@example.com",
    "phone": "+996 700 000 111",
    "role": "DRIVER",
    "region": "chui",
    "language": "ky",
}


@pytest.fixture
def admin_client(acme, acme_admin, client_for):
    return client_for(acme, acme_admin)


def test_admin_lists_only_own_company_users(acme, globex, make_user, admin_client):
    make_user(acme, Role.DRIVER, username="acme-driver")
    make_user(globex, Role.DRIVER, username="globex-driver")

    response = admin_client.get(USERS)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [u["username"] for u in body["results"]] == ["acme-boss", "acme-driver"]
    assert set(body) == {"count", "next", "previous", "results"}


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_other_roles_cannot_read_or_write_users(acme, make_user, client_for, role):
    user = make_user(acme, role)
    client = client_for(acme, user)
    target = make_user(acme, Role.GUEST)

    assert client.get(USERS).status_code == 403
    assert client.get(f"{USERS}{target.pk}/").status_code == 403
    assert client.post(USERS, NEW_USER, format="json").status_code == 403
    assert (
        client.patch(f"{USERS}{target.pk}/", {"role": "COMPANY_ADMIN"}, format="json").status_code
        == 403
    )
    response = client.delete(f"{USERS}{target.pk}/")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "permission_denied"
    target.refresh_from_db()
    assert (target.role, target.is_active) == (Role.GUEST, True)
    assert not User.objects.filter(username="new.driver").exists()


def test_admin_creates_user_in_own_company(acme, admin_client, client_for):
    response = admin_client.post(USERS, NEW_USER, format="json")

    assert response.status_code == 201
    body = response.json()
    created = User.objects.get(username="new.driver")
    assert body["id"] == created.pk
    assert body["role"] == "DRIVER"
    assert body["language"] == "ky"
    assert "password" not in body
    assert created.company_id == acme.pk
    assert created.check_password("Another-Secret-77")
    login = client_for(acme).post(
        "/api/v1/auth/login/", {"username": "new.driver", "password": "Another-Secret-77"}
    )
    assert login.status_code == 200


@pytest.mark.parametrize(
    ("change", "attr"),
    [
        ({"username": "acme-boss"}, "username"),
        ({"password": "123"}, "password"),
        ({"password": "password"}, "password"),
        ({"role": "SUPERUSER"}, "role"),
        ({"language": "de"}, "language"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"username": "x" * 151}, "username"),
    ],
)
def test_invalid_user_is_400_with_attr(acme, admin_client, change, attr):
    before = User.objects.count()
    response = admin_client.post(USERS, {**NEW_USER, **change}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert attr in [error["attr"] for error in body["errors"]]
    assert User.objects.count() == before


def test_username_taken_in_another_company_is_refused(globex, make_user, admin_client):
    make_user(globex, username="new.driver")
    response = admin_client.post(USERS, NEW_USER, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "username"


def test_admin_cannot_reach_another_company_user_by_id(globex, make_user, admin_client):
    foreign = make_user(globex, Role.DISPATCHER, first_name="Foreign")

    assert admin_client.get(f"{USERS}{foreign.pk}/").status_code == 404
    patch = admin_client.patch(f"{USERS}{foreign.pk}/", {"first_name": "Hacked"}, format="json")
    assert patch.status_code == 404
    assert patch.json() == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
    }
    assert admin_client.delete(f"{USERS}{foreign.pk}/").status_code == 404
    foreign.refresh_from_db()
    assert (foreign.first_name, foreign.is_active) == ("Foreign", True)


def test_update_role_and_password(acme, make_user, admin_client, client_for):
    user = make_user(acme, Role.GUEST)

    response = admin_client.patch(
        f"{USERS}{user.pk}/", {"role": "MECHANIC", "password": "Brand-New-Pass-9"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["role"] == "MECHANIC"
    user.refresh_from_db()
    assert user.role == Role.MECHANIC
    assert user.check_password("Brand-New-Pass-9")


def test_delete_deactivates_and_keeps_the_row(acme, make_user, admin_client):
    user = make_user(acme, Role.DRIVER)

    response = admin_client.delete(f"{USERS}{user.pk}/")

    assert response.status_code == 204
    user.refresh_from_db()
    assert user.is_active is False
    listed = admin_client.get(USERS, {"is_active": "false"}).json()
    assert [u["id"] for u in listed["results"]] == [user.pk]


def test_last_admin_cannot_deactivate_or_demote_self(acme, acme_admin, admin_client):
    demote = admin_client.patch(f"{USERS}{acme_admin.pk}/", {"role": "GUEST"}, format="json")
    assert demote.status_code == 400
    assert demote.json()["errors"] == [
        {
            "code": "last_company_admin",
            "detail": "The company must keep at least one active company admin.",
            "attr": "role",
        }
    ]
    deactivate = admin_client.delete(f"{USERS}{acme_admin.pk}/")
    assert deactivate.status_code == 400
    assert deactivate.json()["errors"][0]["attr"] == "is_active"
    acme_admin.refresh_from_db()
    assert (acme_admin.role, acme_admin.is_active) == (Role.COMPANY_ADMIN, True)


def test_admin_may_step_down_when_another_admin_remains(acme, acme_admin, make_user, admin_client):
    make_user(acme, Role.COMPANY_ADMIN)
    response = admin_client.patch(f"{USERS}{acme_admin.pk}/", {"role": "DISPATCHER"}, format="json")
    assert response.status_code == 200
    acme_admin.refresh_from_db()
    assert acme_admin.role == Role.DISPATCHER


def test_inactive_admin_does_not_count_as_remaining_admin(
    acme, acme_admin, make_user, admin_client
):
    inactive = make_user(acme, Role.COMPANY_ADMIN, is_active=False)
    response = admin_client.delete(f"{USERS}{acme_admin.pk}/")
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [
            {
                "code": "last_company_admin",
                "detail": "The company must keep at least one active company admin.",
                "attr": "is_active",
            }
        ],
    }
    acme_admin.refresh_from_db()
    inactive.refresh_from_db()
    assert (acme_admin.role, acme_admin.is_active) == (Role.COMPANY_ADMIN, True)
    assert (inactive.role, inactive.is_active) == (Role.COMPANY_ADMIN, False)


def test_filters_search_and_ordering(acme, make_user, admin_client):
    make_user(acme, Role.DRIVER, username="zeta", last_name="Омаров")
    make_user(acme, Role.DRIVER, username="alpha", last_name="Беков")
    make_user(acme, Role.MECHANIC, username="beta")

    drivers = admin_client.get(USERS, {"role": "DRIVER", "ordering": "username"}).json()
    assert [u["username"] for u in drivers["results"]] == ["alpha", "zeta"]
    found = admin_client.get(USERS, {"search": "омар"}).json()
    assert [u["username"] for u in found["results"]] == ["zeta"]
    paged = admin_client.get(USERS, {"page_size": 2, "ordering": "-username"}).json()
    assert paged["count"] == 4
    assert [u["username"] for u in paged["results"]] == ["zeta", "beta"]
    assert (
        paged["next"].endswith("page=2&page_size=2&ordering=-username") or "page=2" in paged["next"]
    )
    assert admin_client.get(USERS, {"role": "KING"}).status_code == 400


def _list_queries(client) -> int:
    client.get(USERS)  # the first request caches the host's company and the token's user
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(USERS, {"page_size": 200}).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow_with_rows(acme, admin_client):
    UserFactory.create_batch(4, company=acme)
    few = _list_queries(admin_client)
    UserFactory.create_batch(45, company=acme)
    many = _list_queries(admin_client)
    assert few == many == 3  # `SET search_path` to the company, the count, the page


def test_password_is_never_returned(acme, make_user, admin_client):
    user = make_user(acme)
    body = admin_client.get(f"{USERS}{user.pk}/").json()
    assert "password" not in body
    assert PASSWORD not in str(body)


def test_region_must_be_a_region_code(admin_client):
    response = admin_client.post(USERS, {**NEW_USER, "region": "moscow"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "invalid_choice",
            "detail": "'moscow' is not in the regions dictionary.",
            "attr": "region",
        }
    ]
