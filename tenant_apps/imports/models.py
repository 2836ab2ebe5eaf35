from django.db import models

from tenant_apps.jobs.models import BackgroundJob

from .columns import ENTITY_NAMES


class ImportFormat(models.TextChoices):
    XLSX = "xlsx", "XLSX"
    CSV = "csv", "CSV"


class ImportJob(BackgroundJob):
    """A sheet of cars or records checked, then (unless a dry run) written, by a Celery worker."""

    noun = "import"

    entity = models.CharField(max_length=32, choices=[(name, name) for name in ENTITY_NAMES])
    format = models.CharField(max_length=8, choices=ImportFormat.choices)
    dry_run = models.BooleanField(default=True)
    file = models.FileField(upload_to="imports", max_length=200, blank=True)
    file_name = models.CharField(max_length=200, blank=True, help_text="The uploaded file's name.")
    created = models.PositiveIntegerField(
        default=0, help_text="Records created (or that would be)."
    )
    updated = models.PositiveIntegerField(
        default=0, help_text="Records updated (or that would be)."
    )
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)

    class Meta(BackgroundJob.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.entity} from {self.file_name} ({self.status})"
