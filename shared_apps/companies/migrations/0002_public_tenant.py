"""The public schema's tenant row and its domain (the bare BASE_DOMAIN), which django-tenants
needs to serve the platform admin. Change the domain in the admin if BASE_DOMAIN changes."""

from django.conf import settings
from django.db import migrations


def create_public_tenant(apps, schema_editor):
    Company = apps.get_model("companies", "Company")
    Domain = apps.get_model("companies", "Domain")
    public, _ = Company.objects.get_or_create(
        schema_name="public", defaults={"name": "Platform", "slug": "public"}
    )
    Domain.objects.get_or_create(
        domain=settings.BASE_DOMAIN, defaults={"tenant": public, "is_primary": True}
    )


class Migration(migrations.Migration):
    dependencies = [("companies", "0001_initial")]

    operations = [migrations.RunPython(create_public_tenant, migrations.RunPython.noop)]
