from django.apps import AppConfig


class CompaniesConfig(AppConfig):
    name = "shared_apps.companies"
    label = "companies"
    verbose_name = "Companies"

    def ready(self) -> None:
        from .host_cache import forget_on_writes

        forget_on_writes()
