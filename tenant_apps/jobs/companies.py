"""Beat tasks run in the public schema; the work they schedule is each company's."""

from collections.abc import Iterator

from django_tenants.utils import get_public_schema_name, tenant_context

from shared_apps.companies.models import Company


def each_company() -> Iterator[Company]:
    """Every company, each yielded inside its own schema (the schema is switched back after)."""
    for company in Company.objects.exclude(schema_name=get_public_schema_name()):
        with tenant_context(company):
            yield company
