import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q


class ExportReport(models.TextChoices):
    FUEL_CONSUMPTION = "fuel-consumption", "Fuel consumption and mileage"
    MAINTENANCE_COSTS = "maintenance-costs", "Maintenance costs"
    COST_OF_OWNERSHIP = "cost-of-ownership", "Cost of ownership"
    INSURANCE_INSPECTION = "insurance-inspection", "Insurances and inspections"
    COMPLIANCE = "compliance", "Compliance"
    FUEL_RECORDS = "fuel-records", "Fuel records (every record)"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class ExportStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ExportJob(models.Model):
    """A report file built in the background by a Celery worker, in the company's schema."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.CharField(max_length=32, choices=ExportReport.choices)
    format = models.CharField(max_length=8, choices=ExportFormat.choices)
    params = models.JSONField(default=dict, blank=True, help_text="The report's parameters.")
    status = models.CharField(
        max_length=16, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    rows = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(upload_to="exports", max_length=200, blank=True)
    file_name = models.CharField(max_length=200, blank=True, help_text="Name for the download.")
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,  # users live in the public schema and are never deleted
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_by", "-created_at"]),
            models.Index(fields=["status", "started_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="export_progress_max"),
        ]

    def __str__(self) -> str:
        return f"{self.report}.{self.format} ({self.status})"
