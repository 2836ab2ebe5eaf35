from django.apps import AppConfig


class DeployAppConfig(AppConfig):
    name = "tests.companies.deploy_app"
    label = "deploy_app"
    default_auto_field = "django.db.models.BigAutoField"
