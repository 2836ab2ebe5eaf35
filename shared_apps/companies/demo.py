"""The demo company that `./scripts/run` serves: idempotent, so it can run on every start."""

from django.db import transaction

from shared_apps.accounts.models import User
from shared_apps.accounts.roles import Role

from .models import Company
from .services import company_create

DEMO_SLUG = "demo"
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - published on purpose: it is the demo login.
DEMO_USERS = [
    ("demo_admin", Role.COMPANY_ADMIN, "Айбек", "Садыков"),
    ("demo_dispatcher", Role.DISPATCHER, "Нургуль", "Абдыкадырова"),
    ("demo_mechanic", Role.MECHANIC, "Бакыт", "Осмонов"),
    ("demo_driver", Role.DRIVER, "Эрлан", "Жумабаев"),
    ("demo_accountant", Role.ACCOUNTANT, "Гульнара", "Токтогулова"),
    ("demo_guest", Role.GUEST, "Guest", "Viewer"),
]


def demo_company_seed() -> tuple[Company, list[User]]:
    company = Company.objects.filter(slug=DEMO_SLUG).first()
    if company is None:
        company = company_create(
            slug=DEMO_SLUG,
            name="Demo Logistics LLC",
            admin_username="demo_admin",
            admin_password=DEMO_PASSWORD,
            admin_email="admin@demo.example",
        ).company
    users = []
    with transaction.atomic():
        for username, role, first_name, last_name in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "company": company,
                    "role": role,
                    "first_name": first_name,
                    "last_name": last_name,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            if user.company_id == company.pk:
                users.append(user)
    return company, users
