import zoneinfo

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import schema_exists

from shared_apps.accounts.roles import Role
from shared_apps.core.choices import Language

# A slug becomes a subdomain and (with `-` turned into `_`) a PostgreSQL schema name.
SLUG_PATTERN = r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$"
RESERVED_SLUGS = frozenset(
    {"public", "www", "admin", "api", "static", "media", "mail", "template", "information-schema"}
)
PUBLIC_SCHEMA = "public"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
validate_currency_code = RegexValidator(
    CURRENCY_PATTERN, _lazy("Use a three-letter ISO 4217 code such as KGS."), code="invalid"
)


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("'%(value)s' is not a known time zone.") % {"value": value}, code="invalid_timezone"
        )


def default_reminder_roles() -> list[str]:
    return [Role.COMPANY_ADMIN, Role.DISPATCHER]


def schema_name_for_slug(slug: str) -> str:
    return slug.replace("-", "_")


class CompanyQuerySet(models.QuerySet):
    def update(self, **kwargs) -> int:
        """Update, and forget the companies' cached hosts (`host_cache`): an update sends no
        signal. An update of columns the cache leaves out (bookkeeping: the reminders' day, the
        migrations fingerprint a deploy records for every company) forgets nothing."""
        from .host_cache import company_hosts_forget, company_rows

        if kwargs.keys() <= company_rows.deferred:
            return super().update(**kwargs)
        companies = list(self.values_list("pk", flat=True))
        updated = super().update(**kwargs)
        company_hosts_forget(companies)
        return updated


class DomainQuerySet(models.QuerySet):
    def update(self, **kwargs) -> int:
        """Update, and forget the hosts the domains had (`host_cache`)."""
        from .host_cache import hosts_forget

        hosts = list(self.values_list("domain", flat=True))
        updated = super().update(**kwargs)
        hosts_forget(hosts)
        return updated


class Company(TenantMixin):
    """A customer company: one PostgreSQL schema holds its whole fleet."""

    name = models.CharField(max_length=200, db_index=True)
    slug = models.SlugField(max_length=40, unique=True, validators=[RegexValidator(SLUG_PATTERN)])
    country = models.CharField(max_length=2, default="KG", help_text="ISO 3166-1 alpha-2 code.")
    timezone = models.CharField(
        max_length=64, default="Asia/Bishkek", validators=[validate_timezone]
    )
    default_language = models.CharField(max_length=2, choices=Language.choices, default=Language.RU)
    default_currency = models.CharField(
        max_length=3, default="KGS", validators=[validate_currency_code]
    )
    expiry_warning_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MaxValueValidator(365)],
        help_text="Documents ending within this many days are reported as expiring.",
    )
    reminder_roles = ArrayField(
        models.CharField(max_length=16, choices=Role.choices),
        default=default_reminder_roles,
        blank=True,
        help_text="Who gets the reminders of what falls due; empty: nobody.",
    )
    reminders_ran_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The company's own day of its last daily reminder run (claimed by the beat).",
    )
    # Requisites, printed on documents and exports.
    legal_name = models.CharField(max_length=255, blank=True)
    tax_id = models.CharField("tax ID (INN)", max_length=32, blank=True)
    legal_address = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    bank_name = models.CharField(max_length=255, blank=True)
    bank_account = models.CharField(max_length=64, blank=True)
    bank_bic = models.CharField("bank BIC", max_length=16, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ai_enabled = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # `provisioning.migrations_fingerprint()` of the migrations the schema was made or last
    # migrated with ("" unknown): a deploy finds the schemas to migrate by this column alone
    # (`deploy_migrations`), without reading every schema.
    migrations_fingerprint = models.CharField(
        max_length=12, blank=True, db_index=True, editable=False
    )

    auto_create_schema = True
    auto_drop_schema = False

    objects = CompanyQuerySet.as_manager()

    def create_schema(self, check_if_exists=False, sync_schema=True, verbosity=1):
        """Clone the migrated template (see `provisioning`) instead of migrating from scratch."""
        from .provisioning import (
            migrations_fingerprint,
            migrations_fingerprint_record,
            schema_create_from_template,
        )

        if check_if_exists and schema_exists(self.schema_name):
            return False
        if not (sync_schema and settings.TENANT_CREATION_FAKES_MIGRATIONS):
            created = super().create_schema(check_if_exists, sync_schema, verbosity)
        else:
            schema_create_from_template(self.schema_name, verbosity=verbosity)
            created = True
        if sync_schema:  # migrated, or a copy of the current template
            migrations_fingerprint_record([self.schema_name])
            self.migrations_fingerprint = migrations_fingerprint()
        return created

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"

    @property
    def is_public(self) -> bool:
        return self.schema_name == PUBLIC_SCHEMA


class Domain(DomainMixin):
    """A host name that serves one company's API (e.g. `acme.example.com`)."""

    objects = DomainQuerySet.as_manager()

    def __str__(self) -> str:
        return self.domain
