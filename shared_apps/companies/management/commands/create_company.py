import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from shared_apps.companies.services import company_create


class Command(BaseCommand):
    help = "Create a company: its schema, its domain <slug>.<BASE_DOMAIN> and a COMPANY_ADMIN."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-password", required=True)
        parser.add_argument("--admin-email", default="")
        parser.add_argument("--domain", default=None, help="Defaults to <slug>.<BASE_DOMAIN>.")
        parser.add_argument("--currency", default="KGS")
        parser.add_argument("--language", default="ru", choices=["ru", "en", "ky"])
        parser.add_argument("--timezone", default="Asia/Bishkek")

    @translation.override("en")  # operators read English, whatever the company's language
    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            provisioned = company_create(
                slug=options["slug"],
                name=options["name"],
                admin_username=options["admin_username"],
                admin_password=options["admin_password"],
                admin_email=options["admin_email"],
                domain=options["domain"],
                currency=options["currency"],
                language=options["language"],
                timezone=options["timezone"],
            )
        except ValidationError as exc:
            lines = [f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()]
            raise CommandError("Company not created.\n" + "\n".join(lines)) from exc
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Created company '{provisioned.company.slug}' at {provisioned.domain.domain} "
                f"with admin '{provisioned.admin.username}' in {elapsed:.2f} s."
            )
        )
