"""Provisioning companies: schema, domain and first administrator in one step."""

import re
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from shared_apps.accounts.models import User
from shared_apps.accounts.roles import Role
from shared_apps.core.choices import Language

from .models import (
    CURRENCY_PATTERN,
    RESERVED_SLUGS,
    SLUG_PATTERN,
    Company,
    Domain,
    schema_name_for_slug,
)

# What a company admin may change of their company (`company/`): the slug is its address and
# `ai_enabled` the platform's switch.
SETTINGS_FIELDS = (
    "name",
    "country",
    "legal_name",
    "tax_id",
    "legal_address",
    "phone",
    "email",
    "bank_name",
    "bank_account",
    "bank_bic",
    "default_currency",
    "timezone",
    "default_language",
    "expiry_warning_days",
    "reminder_roles",
)
DOMAIN_PATTERN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9-]+$")


@dataclass(frozen=True)
class ProvisionedCompany:
    company: Company
    domain: Domain
    admin: User


def company_domain_for_slug(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def _validate_company_input(
    *, slug: str, name: str, domain: str, currency: str, language: str, timezone: str
) -> None:
    errors: dict[str, str] = {}
    if not re.match(SLUG_PATTERN, slug):
        errors["slug"] = (
            "Use 3-40 lower-case latin letters, digits and hyphens, starting with a letter."
        )
    elif slug in RESERVED_SLUGS or slug.startswith("pg-"):
        errors["slug"] = f"The slug '{slug}' is reserved."
    elif Company.objects.filter(slug=slug).exists():  # the schema name follows from the slug
        errors["slug"] = f"A company with slug '{slug}' already exists."
    if not name.strip():
        errors["name"] = "The name may not be blank."
    if not DOMAIN_PATTERN.match(domain):
        errors["domain"] = f"'{domain}' is not a valid host name."
    elif Domain.objects.filter(domain=domain).exists():
        errors["domain"] = f"The domain '{domain}' is already taken."
    if not re.match(CURRENCY_PATTERN, currency):
        errors["currency"] = "Use a three-letter ISO 4217 code such as KGS."
    if language not in Language.values:
        errors["language"] = f"Choose one of: {', '.join(Language.values)}."
    if timezone not in zoneinfo.available_timezones():
        errors["timezone"] = f"'{timezone}' is not a known time zone."
    if errors:
        raise ValidationError(errors)


def company_create(
    *,
    slug: str,
    name: str,
    admin_username: str,
    admin_password: str,
    admin_email: str = "",
    domain: str | None = None,
    currency: str = "KGS",
    language: str = Language.RU,
    timezone: str = "Asia/Bishkek",
    created_by: User | None = None,
) -> ProvisionedCompany:
    """Create the company's schema (with its tables), its domain and a COMPANY_ADMIN user.

    Everything is validated before the schema is created; the database writes run in one
    transaction, so a failure leaves neither a half-made schema nor an orphan user."""
    slug = slug.strip().lower()
    domain = (domain or company_domain_for_slug(slug)).strip().lower()
    _validate_company_input(
        slug=slug,
        name=name,
        domain=domain,
        currency=currency,
        language=language,
        timezone=timezone,
    )
    admin = User(
        username=admin_username,
        email=admin_email,
        role=Role.COMPANY_ADMIN,
        language=language,
    )
    admin_errors: dict[str, list[str]] = {}
    try:
        admin.full_clean(exclude=["password", "company"])
    except ValidationError as exc:
        admin_errors.update({f"admin_{field}": msgs for field, msgs in exc.message_dict.items()})
    try:
        validate_password(admin_password, user=admin)
    except ValidationError as exc:
        admin_errors["admin_password"] = exc.messages
    if admin_errors:
        raise ValidationError(admin_errors)

    admin.set_password(admin_password)  # slow on purpose (PBKDF2): before the transaction
    try:
        with transaction.atomic():
            company = Company(
                schema_name=schema_name_for_slug(slug),
                slug=slug,
                name=name.strip(),
                default_currency=currency,
                default_language=language,
                timezone=timezone,
                created_by=created_by,
            )
            company.save(verbosity=0)
            company_domain = Domain.objects.create(domain=domain, tenant=company, is_primary=True)
            admin.company = company
            admin.save()
    except IntegrityError as exc:
        # Lost a race against a concurrent provisioning of the same slug, domain or username.
        raise ValidationError(
            {"slug": "The slug, domain or admin username was taken meanwhile; try again."}
        ) from exc
    return ProvisionedCompany(company=company, domain=company_domain, admin=admin)


def company_settings_update(*, company: Company, **changes) -> Company:
    """A company admin's change of their company's settings and requisites."""
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Not editable by the company: {sorted(unknown)}")
    if "reminder_roles" in changes:  # a set of roles, in the order the roles are listed
        changes["reminder_roles"] = [r for r in Role.values if r in changes["reminder_roles"]]
    for field, value in changes.items():
        setattr(company, field, value)
    company.full_clean(exclude=["schema_name", "slug", "created_by"], validate_unique=False)
    if changes:
        company.save(update_fields=list(changes))
    return company
