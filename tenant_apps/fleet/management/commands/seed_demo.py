from django.core.management.base import BaseCommand
from django_tenants.utils import tenant_context

from shared_apps.companies.demo import DEMO_PASSWORD, DEMO_SLUG, demo_company_seed
from tenant_apps.fleet.demo import demo_fleet_seed
from tenant_apps.fleet.selectors import company_today


class Command(BaseCommand):
    help = (
        "Create (or top up) the demo company: one user per role and a year of a realistic "
        "fleet. Safe to run again: an existing fleet is left as it is."
    )

    def handle(self, *args, **options):
        company, users = demo_company_seed()
        with tenant_context(company):
            cars = demo_fleet_seed(today=company_today(company))
        domain = company.get_primary_domain().domain
        self.stdout.write(self.style.SUCCESS(f"Demo company '{DEMO_SLUG}' is ready."))
        if cars:
            self.stdout.write(f"  Seeded a fleet of {cars} cars with a year of records.")
        self.stdout.write(f"  API docs: http://{domain}:8000/api/docs/")
        self.stdout.write(f"  Logins (password '{DEMO_PASSWORD}' for all):")
        for user in users:
            self.stdout.write(f"    {user.username:<16} {user.role}")
