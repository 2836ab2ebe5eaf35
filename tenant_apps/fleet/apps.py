from django.apps import AppConfig


class FleetConfig(AppConfig):
    name = "tenant_apps.fleet"
    label = "fleet"
    verbose_name = "Fleet"

    def ready(self):
        from shared_apps.core import counts

        # Lists of fleet records count through the cache (see core/counts.py).
        counts.track(*self.get_models())
