"""Celery tasks. tenant-schemas-celery runs each task in the schema it was sent from."""

from celery import shared_task
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, tenant_context

from shared_apps.companies.models import Company

from . import services


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=1,
    soft_time_limit=1500,
    time_limit=1800,
)
def build_export(self, job_id: str) -> None:
    """Build the job's file. The message is acknowledged only when the task ends, so a worker
    killed mid-build (OOM, a node lost) leaves it to be delivered again: at once when a pool
    process dies, after the broker's visibility timeout when the whole worker does. Such a
    delivery finds the job `running`; it is retried once, as a new message that counts the
    attempt, and failed when that attempt dies too, so an export that kills its worker every
    time cannot loop."""
    may_retry = self.request.retries < self.max_retries
    if services.export_job_interrupted(job_id=job_id, retry=may_retry):
        if may_retry:
            raise self.retry(countdown=0)
        return
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
