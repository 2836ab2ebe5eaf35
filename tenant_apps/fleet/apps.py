from django.apps import AppConfig


class FleetConfig(AppConfig):
    name = "tenant_apps.fleet"
    label = "fleet"
    verbose_name = "Fleet"
