import pytest
from django.test import Client

from shared_apps.accounts.models import User
from shared_apps.accounts.roles import Role
from shared_apps.companies.models import Company

PROVISION = "/admin/companies/company/provision/"


@pytest.fixture
def platform_staff(db):
    return User.objects.create_superuser("root", "root@example.com", "Platform-Pass-1")


def browser(host: str, user=None) -> Client:
    client = Client(HTTP_HOST=host)
    if user is not None:
        client.force_login(user)
    return client


def test_platform_admin_provisions_a_company(platform_staff):
    response = browser("localhost", platform_staff).post(
        PROVISION,
        {
            "slug": "adminco",
            "name": "Admin Co",
            "admin_username": "adminco-boss",
            "admin_password": "S3cret-pass!",
            "currency": "KGS",
            "language": "ru",
            "timezone": "Asia/Bishkek",
        },
    )

    company = Company.objects.get(slug="adminco")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/companies/company/{company.pk}/change/"
    assert company.created_by == platform_staff
    assert company.get_primary_domain().domain == "adminco.localhost"
    boss = User.objects.get(username="adminco-boss")
    assert (boss.company_id, boss.role) == (company.pk, Role.COMPANY_ADMIN)


def test_provision_form_shows_service_errors(acme, platform_staff):
    response = browser("localhost", platform_staff).post(
        PROVISION,
        {
            "slug": "acme",
            "name": "Dup",
            "admin_username": "x-boss",
            "admin_password": "S3cret-pass!",
            "currency": "KGS",
            "language": "ru",
            "timezone": "Asia/Bishkek",
        },
    )
    assert response.status_code == 200
    assert "A company with slug &#x27;acme&#x27; already exists." in response.content.decode()
    assert Company.objects.filter(slug="acme").count() == 1


def test_add_company_goes_to_provisioning(platform_staff):
    response = browser("localhost", platform_staff).get("/admin/companies/company/add/")
    assert response.status_code == 302
    assert response["Location"] == PROVISION


def test_company_users_cannot_open_the_platform_admin(acme, make_user):
    staff_in_company = make_user(acme, Role.COMPANY_ADMIN, is_staff=True)
    response = browser("localhost", staff_in_company).get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_company_host_admin_is_for_platform_staff_only(acme, make_user, platform_staff):
    assert browser("acme.localhost", platform_staff).get("/admin/").status_code == 200
    company_admin = make_user(acme, Role.COMPANY_ADMIN, is_staff=True)
    response = browser("acme.localhost", company_admin).get("/admin/")
    assert response.status_code == 302


def test_platform_admin_lists_and_filters(acme, globex, platform_staff):
    client = browser("localhost", platform_staff)
    assert client.get("/admin/companies/company/", {"q": "acme"}).status_code == 200
    users = client.get("/admin/accounts/user/", {"company__id__exact": acme.pk, "q": "boss"})
    assert users.status_code == 200
    assert "acme-boss" in users.content.decode()
    assert "globex-boss" not in users.content.decode()


def test_a_company_timezone_must_be_a_real_one(acme):
    from django.core.exceptions import ValidationError

    acme.timezone = "Asia/Bishkk"
    with pytest.raises(ValidationError) as caught:
        acme.full_clean()
    assert caught.value.message_dict == {"timezone": ["'Asia/Bishkk' is not a known time zone."]}
