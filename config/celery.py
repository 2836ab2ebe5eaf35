"""The Celery app. tenant-schemas-celery's app class carries the sender's schema in each task's
headers and switches the worker's connection to it, so a task runs in its company's schema."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = CeleryApp("fleet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
