"""Celery tasks. tenant-schemas-celery runs each task in the schema it was sent from."""

import datetime as dt
import logging
import smtplib
from zoneinfo import ZoneInfo

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, tenant_context

from shared_apps.companies.models import Company
from shared_apps.core.exceptions import ServiceUnavailable
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


# The companies whose own clock has reached REMINDER_HOUR and whose day's run has not been
# started, each claimed for its day in the same statement: one query for the whole platform per
# beat, whatever the number of companies, and two beats at once cannot both claim one.
CLAIM_DUE_COMPANIES = """
    UPDATE public.companies_company
    SET reminders_ran_on = (%(now)s::timestamptz AT TIME ZONE timezone)::date
    WHERE schema_name <> %(public)s
        AND extract(hour FROM %(now)s::timestamptz AT TIME ZONE timezone) >= %(hour)s
        AND (
            reminders_ran_on IS NULL
            OR reminders_ran_on < (%(now)s::timestamptz AT TIME ZONE timezone)::date
        )
    RETURNING id
"""


def reminder_runs_start(*, now: dt.datetime) -> int:
    """Start today's run of each company whose own clock has reached REMINDER_HOUR at `now`
    and that has not had it (`CLAIM_DUE_COMPANIES`; a unique date per run in the company's
    schema holds too). Returns how many were started."""
    with connection.cursor() as cursor:
        cursor.execute(
            CLAIM_DUE_COMPANIES,
            {"now": now, "public": get_public_schema_name(), "hour": settings.REMINDER_HOUR},
        )
        due = [company_id for (company_id,) in cursor.fetchall()]
    started = 0
    for company in Company.objects.filter(pk__in=due).order_by("pk"):
        day = now.astimezone(ZoneInfo(company.timezone)).date()
        with tenant_context(company):
            try:
                with transaction.atomic():
                    run = ReminderRun.objects.create(day=day)
            except IntegrityError:
                continue  # made already (by `send_reminders` or an earlier claim)
            try:
                job_enqueue(run, run_reminders, unavailable=ServiceUnavailable())
            except ServiceUnavailable:
                run.delete()  # the queue is down: unclaim the day for the next beat
                Company.objects.filter(pk=company.pk).update(reminders_ran_on=None)
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
