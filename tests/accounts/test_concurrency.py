"""Races between real concurrent requests. Each thread has its own database connection, so
the data they race on is committed by a helper thread (and removed again afterwards) instead of
living in the test's own transaction, which other connections cannot see."""

import pytest
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from shared_apps.accounts.models import User
from shared_apps.accounts.roles import Role
from shared_apps.companies.models import Company
from tests.conftest import CompanyClient
from tests.factories import UserFactory
from tests.threads import committed, run_in_parallel

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_admins():
    """acme with exactly two active admins, committed; restored afterwards."""

    def setup():
        acme = Company.objects.get(slug="acme")
        boss = User.objects.get(username="acme-boss")
        second = UserFactory(company=acme, role=Role.COMPANY_ADMIN, username="race-admin")
        return acme, boss, second

    acme, boss, second = committed(setup)
    yield acme, boss, second

    def teardown():
        OutstandingToken.objects.filter(user=second).delete()
        User.objects.filter(pk=second.pk).delete()
        User.objects.filter(pk=boss.pk).update(role=Role.COMPANY_ADMIN, is_active=True)

    committed(teardown)


def test_two_admins_stepping_down_at_once_leave_one_admin(two_admins):
    acme, boss, second = two_admins

    clients = committed(lambda: [CompanyClient("acme.localhost", u) for u in (boss, second)])

    def step_down(client):
        return lambda: (
            client.patch(
                f"/api/v1/users/{client.user.pk}/", {"role": "DISPATCHER"}, format="json"
            ).status_code
        )

    statuses = run_in_parallel(*(step_down(client) for client in clients))

    assert sorted(statuses) == [200, 400]
    assert committed(lambda: User.objects.of_company(acme).company_admins().active().count()) == 1


def test_one_refresh_token_used_three_times_at_once_rotates_once(two_admins):
    """Three tabs refreshing with the same token at once: one rotation, and all three get its
    pair (the grace), so nobody is logged out."""
    _, _, user = two_admins
    refresh = committed(lambda: CompanyClient("acme.localhost", user).refresh)

    def use():
        response = CompanyClient("acme.localhost").post(
            "/api/v1/auth/refresh/", {"refresh": refresh}, format="json"
        )
        return response.status_code, response.json()

    answers = run_in_parallel(use, use, use)

    assert [status for status, _ in answers] == [200, 200, 200]
    pairs = [body for _, body in answers]
    assert pairs[0] == pairs[1] == pairs[2]
    assert set(pairs[0]) == {"access", "refresh"}
    # One rotation: the login's token (blacklisted) and the one new token.
    outstanding = committed(lambda: list(OutstandingToken.objects.filter(user=user)))
    assert len(outstanding) == 2
    assert committed(lambda: BlacklistedToken.objects.filter(token__user=user).count()) == 1
    new = committed(
        lambda: (
            CompanyClient("acme.localhost")
            .post("/api/v1/auth/refresh/", {"refresh": pairs[0]["refresh"]}, format="json")
            .status_code
        )
    )
    assert new == 200
