"""The life of a background job, whatever its kind: queued (503 when the queue is down), started,
counted, finished, retried once when its worker died, failed when it went stale. The job's own
work (building an export, checking an import) is its app's; this module only keeps the record.

Every function takes the concrete model (`ExportJob`, ...) or one of its rows and works in the
current company schema."""

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from typing import TypeVar

from celery import Task
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from shared_apps.core.exceptions import ServiceUnavailable

from .models import FINISHED, BackgroundJob, JobStatus

logger = logging.getLogger(__name__)
Job = TypeVar("Job", bound=BackgroundJob)
PROGRESS_EVERY = 10_000


def job_enqueue(job: BackgroundJob, task: Task, *, unavailable: ServiceUnavailable) -> None:
    """Send the job's task. Call it outside a transaction: the worker must find the job row
    committed. With the queue (Redis) down the job is recorded as failed and `unavailable` (a
    503 that says which feature is down) is raised."""
    try:
        task.apply_async(args=[str(job.pk)], retry=False)
    except BrokerError as exc:
        logger.warning("%s %s not queued: %s", job.noun.capitalize(), job.pk, exc)
        job_finish(job, status=JobStatus.FAILED, error=f"The {job.noun} queue was unavailable.")
        raise unavailable from exc


def job_start(model: type[Job], job_id: str) -> Job | None:
    """The job, marked `running`; None when it is gone or finished, so that a task delivered
    twice does no harm."""
    job = model.objects.filter(pk=job_id).first()
    if job is None or job.status in FINISHED:
        return None
    fields = {
        "status": JobStatus.RUNNING,
        "started_at": timezone.now(),
        "progress": 0,
        "rows": None,
        "error": "",
    }
    model.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)
    return job


def job_finish(job: BackgroundJob, **fields) -> None:
    """Record the job's end (or any last fields) in the row and in `job`."""
    fields.setdefault("finished_at", timezone.now())
    type(job).objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


class JobProgress:
    """Counts the rows going through a job and records its progress every PROGRESS_EVERY rows,
    so that a poll of the job sees it move."""

    def __init__(self, job: BackgroundJob, total: int | None):
        self.job, self.total, self.done = job, total, 0

    def count(self, rows: Iterable) -> Iterator:
        for row in rows:
            self.done += 1
            if self.done % PROGRESS_EVERY == 0 and self.total:
                self.record()
            yield row

    def record(self) -> None:
        progress = min(99, self.done * 100 // self.total) if self.total else 0
        type(self.job).objects.filter(pk=self.job.pk).update(progress=progress, rows=self.done)


def interrupted_reason(model: type[BackgroundJob]) -> str:
    return f"The {model.noun} was interrupted twice (its worker stopped); please try again."


def job_interrupted(model: type[BackgroundJob], job_id: str, *, retry: bool) -> bool:
    """Whether a task delivered for the job finds it `running`, that is, started by a worker
    that died before finishing it. Such a job goes back to `pending` when it may be retried and
    is failed otherwise; either way this delivery must not run it."""
    running = model.objects.filter(pk=job_id, status=JobStatus.RUNNING)
    if retry:
        return bool(running.update(status=JobStatus.PENDING, progress=0, rows=None))
    return bool(
        running.update(
            status=JobStatus.FAILED, error=interrupted_reason(model), finished_at=timezone.now()
        )
    )


def run_job_task(task: Task, model: type[BackgroundJob], job_id: str, run) -> None:
    """The body of a job's task, declared with `JOB_TASK_OPTIONS`: `run(job_id=...)` unless
    this delivery finds the job interrupted. The message is acknowledged only when the task
    ends, so a worker killed mid-job (OOM, a node lost) leaves it to be delivered again: at
    once when a pool process dies, after the broker's visibility timeout when the whole worker
    does. Such a delivery finds the job `running`; it is retried once, as a new message that
    counts the attempt, and failed when that attempt dies too, so a job that kills its worker
    every time cannot loop."""
    may_retry = task.request.retries < task.max_retries
    if job_interrupted(model, job_id, retry=may_retry):
        if may_retry:
            raise task.retry(countdown=0)
        return
    run(job_id=job_id)


JOB_TASK_OPTIONS = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "max_retries": 1,
    "soft_time_limit": 1500,
    "time_limit": 1800,  # below CELERY_VISIBILITY_TIMEOUT, or a running job is handed out twice
}


def jobs_fail_stale(model: type[BackgroundJob], *, now: dt.datetime, stale_seconds: int) -> int:
    """Fail the jobs that stopped making progress (a worker killed mid-job, a lost queue
    message): still running, or still pending, `stale_seconds` after they began."""
    stale_before = now - dt.timedelta(seconds=stale_seconds)
    stuck = Q(status=JobStatus.RUNNING, started_at__lt=stale_before) | Q(
        status=JobStatus.PENDING, created_at__lt=stale_before
    )
    return model.objects.filter(stuck).update(
        status=JobStatus.FAILED,
        error=f"The {model.noun} did not finish in time (its worker stopped); please try again.",
        finished_at=now,
    )
