from django.apps import AppConfig


class AIConfig(AppConfig):
    name = "tenant_apps.ai"
    label = "ai"
    verbose_name = "AI assistant"
