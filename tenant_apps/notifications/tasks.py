"""Celery tasks. tenant-schemas-celery runs each task in the schema it was sent from."""

import datetime as dt
import logging
import smtplib
from zoneinfo import ZoneInfo

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from shared_apps.core.exceptions import ServiceUnavailable
from tenant_apps.jobs.companies import each_company
from tenant_apps.jobs.models import JobStatus
from tenant_apps.jobs.services import (
    JOB_TASK_OPTIONS,
    job_enqueue,
    job_finish,
    job_start,
    run_job_task,
)

from . import emails, reminders
from .models import ReminderRun

logger = logging.getLogger(__name__)


@shared_task
def reminders_beat() -> int:
    """Periodic (beat, every 5 minutes): `reminder_runs_start` now."""
    return reminder_runs_start(now=timezone.now())


def reminder_runs_start(*, now: dt.datetime) -> int:
    """Start today's run of each company whose own clock has reached REMINDER_HOUR at `now`
    and that has not had it (one run per company and day: a unique date). Returns how many
    were started."""
    started = 0
    for company in each_company():
        local = now.astimezone(ZoneInfo(company.timezone))
        if local.hour < settings.REMINDER_HOUR:
            continue
        try:
            with transaction.atomic():
                run = ReminderRun.objects.create(day=local.date())
        except IntegrityError:
            continue  # today's run exists: another beat made it
        try:
            job_enqueue(run, run_reminders, unavailable=ServiceUnavailable())
        except ServiceUnavailable:
            run.delete()  # the queue is down: the next beat tries again
            continue
        started += 1
    return started


def reminder_run_execute(*, job_id: str) -> None:
    run = job_start(ReminderRun, job_id)
    if run is None:
        return
    try:
        made = reminders.reminders_send(today=run.day)
    except Exception:
        logger.exception("Reminder run %s failed", run.pk)
        job_finish(run, status=JobStatus.FAILED, error="The reminder run failed unexpectedly.")
        return
    job_finish(run, status=JobStatus.SUCCEEDED, progress=100, notifications=len(made))


@shared_task(**JOB_TASK_OPTIONS)
def run_reminders(self, job_id: str) -> None:
    """A company's run of the day; a worker lost mid-run is retried once (nothing is told
    twice: what was told is claimed in the database)."""
    run_job_task(self, ReminderRun, job_id, reminder_run_execute)


@shared_task(bind=True, acks_late=True, max_retries=5)
def send_notification_email(self, notification_id: int) -> None:
    """E-mail a notification; an SMTP or network failure is retried with back-off
    (EMAIL_RETRY_SECONDS, doubled each time), then given up (the notice in the app stands)."""
    try:
        emails.notification_email_send(notification_id=notification_id)
    except (smtplib.SMTPException, OSError) as exc:
        if self.request.retries >= self.max_retries:
            logger.warning("E-mail of notification %s given up: %s", notification_id, exc)
            emails.notification_email_failed(notification_id=notification_id)
            return
        countdown = settings.EMAIL_RETRY_SECONDS * 2**self.request.retries
        raise self.retry(exc=exc, countdown=countdown) from exc
