from django.db import models

from tenant_apps.jobs.models import BackgroundJob, JobStatus


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


# The export tests and clients name the job statuses by the export's name.
ExportStatus = JobStatus


class ExportJob(BackgroundJob):
    """A report file built in the background by a Celery worker, in the company's schema."""

    noun = "export"

    report = models.CharField(max_length=32, choices=ExportReport.choices)
    format = models.CharField(max_length=8, choices=ExportFormat.choices)
    params = models.JSONField(default=dict, blank=True, help_text="The report's parameters.")
    file = models.FileField(upload_to="exports", max_length=200, blank=True)
    file_name = models.CharField(max_length=200, blank=True, help_text="Name for the download.")
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta(BackgroundJob.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.report}.{self.format} ({self.status})"
