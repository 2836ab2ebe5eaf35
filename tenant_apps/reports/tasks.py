"""Celery tasks. tenant-schemas-celery runs each task in the schema it was sent from."""

from celery import shared_task
from django.utils import timezone

from tenant_apps.jobs.companies import each_company
from tenant_apps.jobs.services import JOB_TASK_OPTIONS, run_job_task

from . import services
from .models import ExportJob


@shared_task(**JOB_TASK_OPTIONS)
def build_export(self, job_id: str) -> None:
    """Build the job's file; a worker lost mid-build is retried once (`run_job_task`)."""
    run_job_task(self, ExportJob, job_id, services.export_job_build)


@shared_task
def exports_housekeeping() -> dict[str, int]:
    """Periodic (beat): in every company, fail stuck export jobs and delete expired files."""
    now = timezone.now()
    totals = {"failed": 0, "deleted": 0}
    for _company in each_company():
        for key, count in services.export_jobs_housekeeping(now=now).items():
            totals[key] += count
    return totals
