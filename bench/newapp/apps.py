from django.apps import AppConfig


class NewAppConfig(AppConfig):
    name = "bench.newapp"
    label = "bench_newapp"
    default_auto_field = "django.db.models.BigAutoField"
