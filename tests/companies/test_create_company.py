import os
import re
import subprocess
import sys
from urllib.parse import quote, urlencode

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from shared_apps.accounts.models import User
from shared_apps.accounts.roles import Role
from shared_apps.companies.models import Company, Domain


def schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [name])
        return cursor.fetchone() is not None


def create(**overrides):
    options = {
        "slug": "new-co",
        "name": "New Co LLC",
        "admin_username": "newboss",
        "admin_password": "S3cret-pass!",
        **overrides,
    }
    args = [f"--{key.replace('_', '-')}={value}" for key, value in options.items()]
    call_command("create_company", *args)


def test_create_company_makes_schema_domain_and_admin(db, client_for, capsys):
    create(admin_email="boss@new.example", currency="USD", language="ky")

    company = Company.objects.get(slug="new-co")
    assert company.schema_name == "new_co"
    assert (company.name, company.default_currency, company.default_language) == (
        "New Co LLC",
        "USD",
        "ky",
    )
    assert schema_exists("new_co")
    assert list(Domain.objects.filter(tenant=company).values_list("domain", "is_primary")) == [
        ("new-co.localhost", True)
    ]
    admin = User.objects.get(username="newboss")
    assert (admin.company_id, admin.role, admin.email) == (
        company.pk,
        Role.COMPANY_ADMIN,
        "boss@new.example",
    )
    assert "Created company 'new-co' at new-co.localhost" in capsys.readouterr().out
    login = client_for(company).post(
        "/api/v1/auth/login/", {"username": "newboss", "password": "S3cret-pass!"}
    )
    assert login.status_code == 200


def test_custom_domain(db):
    create(domain="fleet.new-co.kg")
    assert Domain.objects.get(domain="fleet.new-co.kg").tenant.slug == "new-co"


def test_duplicate_slug_is_refused(acme):
    with pytest.raises(
        CommandError, match=re.escape("slug: A company with slug 'acme' already exists.")
    ):
        create(slug="acme", admin_username="another")
    assert not User.objects.filter(username="another").exists()


def test_taken_domain_is_refused(acme):
    with pytest.raises(
        CommandError, match=re.escape("domain: The domain 'acme.localhost' is already taken.")
    ):
        create(domain="acme.localhost")
    assert not schema_exists("new_co")


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Bad_Slug", "Use 3-40 lower-case latin letters"),
        ("ab", "Use 3-40 lower-case latin letters"),
        ("1abc", "Use 3-40 lower-case latin letters"),
        ("abc-", "Use 3-40 lower-case latin letters"),
        ('x"; DROP SCHEMA public; --', "Use 3-40 lower-case latin letters"),
        ("public", "is reserved"),
        ("www", "is reserved"),
    ],
)
def test_invalid_slug_is_refused_and_creates_nothing(db, slug, message):
    schemas_before = Company.objects.count()
    with pytest.raises(CommandError, match=message):
        create(slug=slug)
    assert Company.objects.count() == schemas_before
    assert not User.objects.filter(username="newboss").exists()


def test_weak_admin_password_and_taken_username_are_refused(acme):
    with pytest.raises(CommandError) as excinfo:
        create(admin_password="123", admin_username="acme-boss")
    message = str(excinfo.value)
    assert "admin_password:" in message
    assert "admin_username: A user with that username already exists." in message
    assert not schema_exists("new_co")


def _test_database_url() -> str:
    """A libpq URI of the test database, for a subprocess to see the session's companies."""
    db = connection.settings_dict
    host = db["HOST"] or db["OPTIONS"].get("host", "")
    port = db["PORT"] or db["OPTIONS"].get("port", "")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    query = urlencode({"host": host, "port": port})
    return f"postgresql://{quote(db['USER'])}{password}@/{db['NAME']}?{query}"


def test_create_company_exits_non_zero_from_the_shell(acme):
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "create_company",
            "--slug",
            "acme",
            "--name",
            "X",
            "--admin-username",
            "someone",
            "--admin-password",
            "S3cret-pass!",
        ],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _test_database_url(),
        },
        check=False,
    )
    assert result.returncode == 1
    assert "A company with slug 'acme' already exists." in result.stderr
