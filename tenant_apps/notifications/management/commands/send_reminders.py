import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, tenant_context

from shared_apps.companies.models import Company
from tenant_apps.notifications.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "Send the reminder digests now, as the daily run does: for every company, or one "
        "(--company), as of each company's today or --today. Nothing already told is told again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--company", metavar="SLUG", help="Only this company.")
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="The day to run as (default: each company's own today).",
        )

    def handle(self, *args, company=None, today=None, **options):
        companies = Company.objects.exclude(schema_name=get_public_schema_name())
        if company:
            companies = companies.filter(slug=company)
            if not companies.exists():
                raise CommandError(f"No company with the slug {company!r}.")
        for each in companies.order_by("slug"):
            with tenant_context(each):
                made = reminders_send(today=today)
            self.stdout.write(f"{each.slug}: {len(made)} digest(s)")
