"""Celery tasks. tenant-schemas-celery runs each task in the schema it was sent from."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from tenant_apps.jobs.companies import each_company
from tenant_apps.jobs.services import JOB_TASK_OPTIONS, jobs_fail_stale, run_job_task

from . import services
from .models import ImportJob


@shared_task(**JOB_TASK_OPTIONS)
def run_import(self, job_id: str) -> None:
    """Check (and write) the job's file; a worker lost mid-import is retried once."""
    run_job_task(self, ImportJob, job_id, services.import_job_run)


@shared_task
def imports_housekeeping() -> int:
    """Periodic (beat): in every company, fail stuck import jobs and delete their files."""
    now = timezone.now()
    failed = 0
    for _company in each_company():
        failed += jobs_fail_stale(ImportJob, now=now, stale_seconds=settings.EXPORT_STALE_SECONDS)
        services.import_files_discard_finished()
    return failed
