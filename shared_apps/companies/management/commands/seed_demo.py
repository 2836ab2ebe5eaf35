from django.core.management.base import BaseCommand

from shared_apps.companies.demo import DEMO_PASSWORD, DEMO_SLUG, demo_company_seed


class Command(BaseCommand):
    help = "Create (or top up) the demo company with one user per role. Safe to run again."

    def handle(self, *args, **options):
        company, users = demo_company_seed()
        domain = company.get_primary_domain().domain
        self.stdout.write(self.style.SUCCESS(f"Demo company '{DEMO_SLUG}' is ready."))
        self.stdout.write(f"  API docs: http://{domain}:8000/api/docs/")
        self.stdout.write(f"  Logins (password '{DEMO_PASSWORD}' for all):")
        for user in users:
            self.stdout.write(f"    {user.username:<12} {user.role}")
