"""Test set-up: the real PostgreSQL and Redis that ./scripts/test starts.

Two companies (`acme`, `globex`) are provisioned once per session, the way production does it,
right after pytest-django has created and migrated the test database; each test then runs in a
transaction that is rolled back."""

from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import translation
from rest_framework.test import APIClient

from shared_apps.accounts.models import User
from shared_apps.accounts.roles import Role
from shared_apps.accounts.tokens import refresh_token_for
from shared_apps.companies.models import Company
from shared_apps.companies.services import company_create

from .factories import PASSWORD, UserFactory

COMPANY_SLUGS = ("acme", "globex")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        for slug in COMPANY_SLUGS:
            company_create(
                slug=slug,
                name=f"{slug.title()} LLC",
                admin_username=f"{slug}-boss",
                admin_password=PASSWORD,
                language="en",
            )
        connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _clean_state():
    connection.set_schema_to_public()
    translation.activate("en")
    cache.clear()
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    """Every test stores files in its own folder. django-tenants' storage caches the folder it
    derives from MEDIA_ROOT and forgets it only when MULTITENANT_RELATIVE_MEDIA_ROOT changes, so
    that is set again too."""
    settings.MEDIA_ROOT = str(tmp_path)
    settings.MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
    return tmp_path


@pytest.fixture
def acme(db) -> Company:
    return Company.objects.get(slug="acme")


@pytest.fixture
def globex(db) -> Company:
    return Company.objects.get(slug="globex")


@pytest.fixture
def make_user(db):
    def make(company: Company, role: str = Role.GUEST, **fields):
        return UserFactory(company=company, role=role, **fields)

    return make


class CompanyClient(APIClient):
    """An API client that talks to one host (company or public), optionally as a user."""

    def __init__(self, host: str, user=None):
        super().__init__(HTTP_HOST=host)
        self.user = user
        if user is not None:
            refresh = refresh_token_for(user)
            self.access = str(refresh.access_token)
            self.refresh = str(refresh)
            self.credentials(HTTP_AUTHORIZATION=f"Bearer {self.access}")


@pytest.fixture
def client_for():
    def make(company: Company | None, user=None) -> CompanyClient:
        host = f"{company.slug}.localhost" if company is not None else "localhost"
        return CompanyClient(host, user)

    return make


@pytest.fixture
def in_acme(acme) -> Company:
    """Run the test's own ORM calls (factories, assertions) in acme's schema."""
    connection.set_tenant(acme)
    return acme


@pytest.fixture
def acme_as(acme, make_user, client_for):
    """A client of acme logged in as a new user with the given role."""

    def make(role: str = Role.DISPATCHER, **fields) -> CompanyClient:
        return client_for(acme, make_user(acme, role, **fields))

    return make


@pytest.fixture
def acme_admin(acme) -> User:
    return User.objects.get(username="acme-boss")
