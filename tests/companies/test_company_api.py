"""`company/` on a company host: every role reads the company's settings and requisites; its
COMPANY_ADMIN changes them, never the slug or the platform's AI switch."""

import pytest

from shared_apps.accounts.roles import Role
from shared_apps.companies.models import Company

pytestmark = pytest.mark.django_db

COMPANY = "/api/v1/company/"
ACME = {
    "slug": "acme",
    "name": "Acme LLC",
    "country": "KG",
    "legal_name": "",
    "tax_id": "",
    "legal_address": "",
    "phone": "",
    "email": "",
    "bank_name": "",
    "bank_account": "",
    "bank_bic": "",
    "default_currency": "KGS",
    "timezone": "Asia/Bishkek",
    "default_language": "en",
    "expiry_warning_days": 30,
    "reminder_roles": ["COMPANY_ADMIN", "DISPATCHER"],
    "ai_enabled": True,
}
REQUISITES = {
    "legal_name": "ОсОО «Акме»",
    "tax_id": "01234567890123",
    "legal_address": "Бишкек, пр. Чуй 1",
    "phone": "+996 312 000 000",
    "email": "office@acme.kg",
    "bank_name": "Демир Банк",
    "bank_account": "1180000012345678",
    "bank_bic": "118001",
}


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_the_company(acme_as, role):
    response = acme_as(role).get(COMPANY)

    assert response.status_code == 200
    assert response.json() == ACME


def test_the_company_admin_changes_settings_and_requisites(acme_as, acme):
    changes = {
        **REQUISITES,
        "name": "Acme Fleet LLC",
        "default_currency": "USD",
        "timezone": "Europe/Moscow",
        "default_language": "ru",
        "expiry_warning_days": 14,
        "reminder_roles": ["ACCOUNTANT", "COMPANY_ADMIN", "ACCOUNTANT"],
    }

    response = acme_as(Role.COMPANY_ADMIN).patch(COMPANY, changes, format="json")

    expected = {**ACME, **changes, "reminder_roles": ["COMPANY_ADMIN", "ACCOUNTANT"]}
    assert response.status_code == 200
    assert response.json() == expected
    acme.refresh_from_db()
    assert (acme.name, acme.timezone, acme.expiry_warning_days, acme.reminder_roles) == (
        "Acme Fleet LLC",
        "Europe/Moscow",
        14,
        ["COMPANY_ADMIN", "ACCOUNTANT"],
    )
    assert acme_as(Role.GUEST).get(COMPANY).json() == expected


def test_the_slug_and_the_ai_switch_are_the_platform_s(acme_as, acme):
    response = acme_as(Role.COMPANY_ADMIN).patch(
        COMPANY, {"slug": "evil", "ai_enabled": False, "schema_name": "public"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["slug"], response.json()["ai_enabled"]) == ("acme", True)
    acme.refresh_from_db()
    assert (acme.slug, acme.schema_name, acme.ai_enabled) == ("acme", "acme", True)


def test_reminders_can_be_turned_off(acme_as, acme):
    response = acme_as(Role.COMPANY_ADMIN).patch(COMPANY, {"reminder_roles": []}, format="json")

    assert response.status_code == 200
    acme.refresh_from_db()
    assert acme.reminder_roles == []


@pytest.mark.parametrize(
    ("changes", "attr", "code"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone", "invalid_timezone"),
        ({"default_currency": "som"}, "default_currency", "invalid"),
        ({"default_language": "de"}, "default_language", "invalid_choice"),
        ({"expiry_warning_days": -1}, "expiry_warning_days", "min_value"),
        ({"expiry_warning_days": 366}, "expiry_warning_days", "max_value"),
        ({"reminder_roles": ["BOSS"]}, "reminder_roles.0", "invalid_choice"),
        ({"reminder_roles": "COMPANY_ADMIN"}, "reminder_roles", "not_a_list"),
        ({"name": ""}, "name", "blank"),
        ({"email": "not-an-email"}, "email", "invalid"),
        ({"name": "x" * 201}, "name", "max_length"),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(acme_as, acme, changes, attr, code):
    response = acme_as(Role.COMPANY_ADMIN).patch(COMPANY, changes, format="json")

    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [(attr, code)]
    assert acme_as(Role.GUEST).get(COMPANY).json() == ACME


@pytest.mark.parametrize("role", [r for r in Role if r != Role.COMPANY_ADMIN])
def test_other_roles_cannot_change_the_company(acme_as, acme, role):
    response = acme_as(role).patch(COMPANY, {"name": "Hijacked"}, format="json")

    assert response.status_code == 403
    assert Company.objects.get(pk=acme.pk).name == "Acme LLC"


def test_another_company_token_and_anonymous_are_refused(client_for, acme, globex, make_user):
    outsider = make_user(globex, Role.COMPANY_ADMIN)
    foreign = client_for(acme)
    foreign.credentials(HTTP_AUTHORIZATION=f"Bearer {client_for(globex, outsider).access}")

    assert foreign.patch(COMPANY, {"name": "Hijacked"}, format="json").status_code == 401
    assert client_for(acme).get(COMPANY).status_code == 401
    assert Company.objects.get(pk=acme.pk).name == "Acme LLC"


def test_put_is_not_offered(acme_as):
    response = acme_as(Role.COMPANY_ADMIN).put(COMPANY, ACME, format="json")
    assert response.status_code == 405
