"""Celery tasks. tenant-schemas-celery runs each task in the schema it was sent from."""

from celery import shared_task
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, tenant_context

from shared_apps.companies.models import Company

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=1500, time_limit=1800)
def build_export(job_id: str) -> None:
    services.export_job_build(job_id=job_id)


@shared_task
def exports_housekeeping() -> dict[str, int]:
    """Periodic (beat): in every company, fail stuck export jobs and delete expired files."""
    now = timezone.now()
    totals = {"failed": 0, "deleted": 0}
    for company in Company.objects.exclude(schema_name=get_public_schema_name()):
        with tenant_context(company):
            for key, count in services.export_jobs_housekeeping(now=now).items():
                totals[key] += count
    return totals
