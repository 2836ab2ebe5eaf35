"""The host's company is cached (shared_apps/companies/host_cache.py): a request after the first
does not query it, and a suspended or deleted company, and a removed, renamed or moved domain,
stop answering at the very next request. Each test makes a request first, so that the host is
cached when it changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from shared_apps.accounts.roles import Role
from shared_apps.companies.host_cache import company_for_host, company_rows
from shared_apps.companies.models import Company, Domain

ME = "/api/v1/auth/me/"
COMPANY = "/api/v1/company/"


def error_code(response) -> str:
    return response.json()["errors"][0]["code"]


def test_the_host_cache_saves_its_queries(acme_as, settings):
    settings.AUTH_USER_CACHE_SECONDS = 0
    client = acme_as(Role.GUEST)
    client.get(ME)

    with CaptureQueriesContext(connection) as cached:
        assert client.get(ME).status_code == 200
    settings.TENANT_HOST_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as uncached:
        assert client.get(ME).status_code == 200

    # Without the cache: `SET search_path` to public and the host's domain and company first.
    assert (len(cached), len(uncached)) == (2, 4)


def _suspend_by_save(company: Company) -> None:  # the platform admin's form
    company.is_active = False
    company.save()


def _suspend_by_update(company: Company) -> None:
    Company.objects.filter(pk=company.pk).update(is_active=False)


@pytest.mark.parametrize("suspend", [_suspend_by_save, _suspend_by_update])
def test_a_suspended_company_is_refused_at_the_next_request(acme, acme_as, suspend):
    client = acme_as(Role.GUEST)
    assert client.get(ME).status_code == client.get(ME).status_code == 200

    suspend(acme)

    response = client.get(ME)
    assert response.status_code == 403
    assert error_code(response) == "company_inactive"


def _gone_company() -> Company:
    """A company without a schema or users, which can be deleted (`bulk_create` makes no
    schema)."""
    (company,) = Company.objects.bulk_create([Company(schema_name="gone", slug="gone", name="X")])
    Domain.objects.create(domain="gone.localhost", tenant=company)
    return company


@pytest.mark.parametrize("delete", ["instance", "queryset"])
def test_a_deleted_company_is_unknown_at_the_next_request(db, delete):
    company = _gone_company()
    client = APIClient(HTTP_HOST="gone.localhost")
    assert client.get(ME).status_code == client.get(ME).status_code == 401  # served: cached
    assert company_for_host("gone.localhost") == company

    if delete == "instance":
        company.delete()
    else:
        Company.objects.filter(pk=company.pk).delete()

    response = client.get(ME)
    assert response.status_code == 404
    assert error_code(response) == "unknown_host"


def _delete(domain: Domain, globex) -> None:
    domain.delete()


def _delete_by_queryset(domain: Domain, globex) -> None:
    Domain.objects.filter(pk=domain.pk).delete()


def _rename(domain: Domain, globex) -> None:
    domain.domain = "acme-new.localhost"
    domain.save()


def _rename_by_update(domain: Domain, globex) -> None:
    Domain.objects.filter(pk=domain.pk).update(domain="acme-new.localhost")


@pytest.mark.parametrize("remove", [_delete, _delete_by_queryset, _rename, _rename_by_update])
def test_a_removed_domain_is_unknown_at_the_next_request(acme, globex, acme_as, remove):
    client = acme_as(Role.GUEST)
    assert client.get(ME).status_code == client.get(ME).status_code == 200

    remove(Domain.objects.get(domain="acme.localhost"), globex)

    response = client.get(ME)
    assert response.status_code == 404
    assert error_code(response) == "unknown_host"
    if remove in (_rename, _rename_by_update):
        client.defaults["HTTP_HOST"] = "acme-new.localhost"
        assert client.get(ME).status_code == 200


def _move(domain: Domain, globex) -> None:
    domain.tenant = globex
    domain.save()


def _move_by_update(domain: Domain, globex) -> None:
    Domain.objects.filter(pk=domain.pk).update(tenant=globex)


@pytest.mark.parametrize("move", [_move, _move_by_update])
def test_a_domain_moved_to_another_company_serves_it_at_the_next_request(
    acme, globex, acme_as, move
):
    client = acme_as(Role.GUEST)
    assert client.get(ME).status_code == client.get(ME).status_code == 200

    move(Domain.objects.get(domain="acme.localhost"), globex)

    assert company_for_host("acme.localhost") == globex
    response = client.get(ME)  # acme's token on what is now globex's host
    assert response.status_code == 401
    assert response.json()["errors"][0]["detail"] == "Token is not valid for this company."


def test_a_settings_change_shows_at_the_next_request(acme, acme_admin, client_for):
    client = client_for(acme, acme_admin)
    assert client.get(COMPANY).json()["default_language"] == "en"

    response = client.patch(COMPANY, {"default_language": "ky", "name": "Acme Two"})
    assert response.status_code == 200

    assert {k: v for k, v in client.get(COMPANY).json().items() if k in response.json()} == (
        response.json()
    )
    assert company_for_host("acme.localhost").name == "Acme Two"


def test_the_cached_company_reads_the_reminder_day_from_the_database(acme, acme_as):
    acme_as(Role.GUEST).get(ME)
    # The reminder beat claims a day with raw SQL, behind the cache's back.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE companies_company SET reminders_ran_on = '2026-11-30' WHERE id = %s", [acme.pk]
        )

    cached = company_for_host("acme.localhost")

    assert "reminders_ran_on" in cached.get_deferred_fields()
    assert str(cached.reminders_ran_on) == "2026-11-30"


def test_a_deploy_recording_fingerprints_keeps_every_host_cached(acme, acme_as):
    """The fingerprint is not in the cached entry: recording it for every company (a deploy)
    leaves the hosts cached, while an update of what the entry holds forgets them."""
    client = acme_as(Role.GUEST)
    client.get(ME)

    Company.objects.filter(pk=acme.pk).update(migrations_fingerprint="0123456789ab")
    with CaptureQueriesContext(connection) as kept:
        assert client.get(ME).status_code == 200
    Company.objects.filter(pk=acme.pk).update(name="Acme Renamed")
    with CaptureQueriesContext(connection) as forgotten:
        assert client.get(ME).status_code == 200

    assert (len(kept), len(forgotten)) == (0, 2)  # the host's domain and company read again
    assert company_for_host("acme.localhost").name == "Acme Renamed"


def test_unknown_hosts_are_not_cached(db):
    assert APIClient(HTTP_HOST="later.localhost").get(ME).status_code == 404
    assert company_for_host("later.localhost") is None

    company = _gone_company()
    Domain.objects.filter(tenant=company).update(domain="later.localhost")

    assert company_for_host("later.localhost") == company
    assert company_rows.key("later.localhost").startswith("public-row:company-by-host:")
