from django.apps import AppConfig


class CompaniesConfig(AppConfig):
    name = "shared_apps.companies"
    label = "companies"
    verbose_name = "Companies"
