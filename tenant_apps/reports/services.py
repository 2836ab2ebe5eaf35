"""Exports: from a report's parameters to a CSV or XLSX file, synchronously (small reports) or
by a Celery worker (`ExportJob`), and the housekeeping of their files."""

import dataclasses
import datetime as dt
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from shared_apps.core.exceptions import ServiceUnavailable
from tenant_apps.fleet.models import FuelRecord
from tenant_apps.fleet.selectors import company_clock
from tenant_apps.jobs.models import JobStatus
from tenant_apps.jobs.services import (
    JobProgress,
    interrupted_reason,
    job_enqueue,
    job_finish,
    job_interrupted,
    job_start,
    jobs_fail_stale,
)

from . import selectors, tables
from .car_scope import car_scope_from
from .compliance import compliance_report
from .models import ExportFormat, ExportJob
from .ownership import cost_of_ownership_report
from .serializers import (
    ComplianceReportParams,
    DocumentReportParams,
    FuelLedgerParams,
    FuelReportParams,
    MonthReportParams,
    OwnershipReportParams,
)
from .writers import TooManyRowsError, csv_chunks, xlsx_write

logger = logging.getLogger(__name__)


def _month_report(selector: Callable) -> Callable[[dict], object]:
    """A report over whole months (fuel, maintenance) built from its validated parameters."""

    def build(params: dict):
        return selector(
            period=params["period"], group_by=params["group_by"], cars=car_scope_from(params)
        )

    return build


def insurance_inspection(params: dict):
    return selectors.insurance_inspection_report(
        clock=company_clock(warning_days=params["days"]),
        status=params.get("status"),
        cars=car_scope_from(params, status_param="car_status"),
        date_from=params.get("from"),
        date_to=params.get("to"),
        current_only=not params["history"],
    )


def compliance(params: dict):
    return compliance_report(
        clock=company_clock(warning_days=params.get("days")),
        cars=car_scope_from(params, status_param="car_status"),
        status=params.get("status"),
        obligation=params.get("obligation"),
    )


def fuel_ledger(params: dict) -> tables.Table:
    records = FuelRecord.objects.all()
    if params.get("car"):
        records = records.filter(car_id=params["car"])
    if params.get("from"):
        records = records.filter(period__gte=params["from"])
    if params.get("to"):
        records = records.filter(period__lte=params["to"])
    first, last = params.get("from"), params.get("to")
    label = f"{first:%Y-%m}_" if first else "_"
    label += f"{last:%Y-%m}" if last else ""
    return tables.fuel_ledger_table(records, label=label.strip("_") or "all")


@dataclass(frozen=True)
class ReportSpec:
    """How to read a report's parameters, build it, and lay it out as a table."""

    params: type[serializers.Serializer]
    build: Callable[[dict], object]
    table: Callable[[object], tables.Table]


REPORTS = {
    "fuel-consumption": ReportSpec(
        FuelReportParams,
        _month_report(selectors.fuel_consumption_report),
        tables.fuel_consumption_table,
    ),
    "maintenance-costs": ReportSpec(
        MonthReportParams,
        _month_report(selectors.maintenance_costs_report),
        tables.maintenance_costs_table,
    ),
    "cost-of-ownership": ReportSpec(
        OwnershipReportParams,
        _month_report(cost_of_ownership_report),
        tables.cost_of_ownership_table,
    ),
    "insurance-inspection": ReportSpec(
        DocumentReportParams, insurance_inspection, tables.insurance_inspection_table
    ),
    "compliance": ReportSpec(ComplianceReportParams, compliance, tables.compliance_table),
    "fuel-records": ReportSpec(FuelLedgerParams, fuel_ledger, lambda table: table),
}


def report_params(report: str, raw: dict | QueryDict) -> dict:
    """Validated parameters of `report` (a query string keeps its repeated `car`s); a
    ValidationError names the bad parameter. An empty parameter (`?car=&from=2026-01`, or only
    whitespace, as the fields trim it) counts as not given."""
    if isinstance(raw, QueryDict):
        data = QueryDict(mutable=True)
        for key, values in raw.lists():
            if given := [value for value in values if not _blank(value)]:
                data.setlist(key, given)
    else:
        data = given_params(raw)
    params = REPORTS[report].params(data=data)
    params.is_valid(raise_exception=True)
    return params.validated_data


def given_params(raw: dict) -> dict:
    """The parameters of a dict (an export's) but the empty ones (`""`, blank, null): not
    given."""
    return {key: value for key, value in raw.items() if not _blank(value)}


def _blank(value) -> bool:
    # str.strip() as DRF's CharField trims: "\x1c" is whitespace too.
    return value is None or (isinstance(value, str) and not value.strip())


def report_table(report: str, raw_params: dict) -> tables.Table:
    spec = REPORTS[report]
    return spec.table(spec.build(report_params(report, raw_params)))


# --- Background exports (the job's life is tenant_apps.jobs'; building the file is ours) ----------


def export_job_create(*, user, report: str, file_format: str, params: dict) -> ExportJob:
    """Check the parameters, record the job and queue it (outside a transaction). With the
    queue (Redis) down: 503, and the job is recorded as failed."""
    try:
        report_params(report, params)
    except ValidationError as exc:
        raise ValidationError({"params": exc.detail}) from exc
    job = ExportJob.objects.create(
        report=report, format=file_format, params=given_params(params), created_by=user
    )
    from .tasks import build_export  # the task module imports this one

    queue_down = ServiceUnavailable(
        _("Exports are unavailable right now (the job queue is down); try again shortly."),
        code="export_queue_unavailable",
    )
    job_enqueue(job, build_export, unavailable=queue_down)
    return job


def _flat_errors(detail, prefix: str = "") -> list[str]:
    if isinstance(detail, dict):
        return [m for k, v in detail.items() for m in _flat_errors(v, f"{prefix}{k}.")]
    if isinstance(detail, list):
        return [m for item in detail for m in _flat_errors(item, prefix)]
    return [f"{prefix.rstrip('.')}: {detail}" if prefix else str(detail)]


def _failure_reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "Invalid parameters: " + "; ".join(_flat_errors(exc.detail))
    if isinstance(exc, DjangoValidationError):
        return "Invalid parameters: " + "; ".join(exc.messages)
    if isinstance(exc, TooManyRowsError):
        return str(exc)
    return "The export failed unexpectedly; the team has been notified."


INTERRUPTED = interrupted_reason(ExportJob)


def export_job_interrupted(*, job_id: str, retry: bool) -> bool:
    """See `tenant_apps.jobs.services.job_interrupted`."""
    return job_interrupted(ExportJob, job_id, retry=retry)


def export_job_build(*, job_id: str) -> ExportJob | None:
    """Build the job's file (in the current company schema). Idempotent: a finished job is left
    alone, so a task delivered twice does no harm; a failure ends as `failed` with its reason."""
    job = job_start(ExportJob, job_id)
    if job is None:
        return ExportJob.objects.filter(pk=job_id).first()
    try:
        # The worker has no request: the table is written in its creator's language.
        with translation.override(job.created_by.language or connection.tenant.default_language):
            table = report_table(job.report, job.params)
        progress = JobProgress(job, table.row_count)
        counted = dataclasses.replace(table, rows=progress.count(table.rows))
        with tempfile.TemporaryFile() as scratch:
            if job.format == ExportFormat.XLSX:
                xlsx_write(counted, scratch)
            else:
                scratch.writelines(csv_chunks(counted))
            scratch.seek(0)
            name = f"exports/{job.pk}.{job.format}"
            default_storage.delete(name)  # left by a worker that died after writing it
            stored = default_storage.save(name, File(scratch))
    except Exception as exc:
        logger.exception("Export %s failed", job.pk)
        job_finish(job, status=JobStatus.FAILED, error=_failure_reason(exc))
        return job
    now = timezone.now()
    job_finish(
        job,
        status=JobStatus.SUCCEEDED,
        progress=100,
        rows=progress.done,
        file=stored,
        file_name=f"{table.name}.{job.format}",
        finished_at=now,
        expires_at=now + dt.timedelta(seconds=settings.EXPORT_FILE_TTL_SECONDS),
    )
    return job


def export_jobs_housekeeping(*, now: dt.datetime) -> dict[str, int]:
    """In the current company schema: fail jobs that stopped making progress and delete
    expired files with their jobs."""
    failed = jobs_fail_stale(ExportJob, now=now, stale_seconds=settings.EXPORT_STALE_SECONDS)
    # Finished files expire; failed jobs are kept as long, so that their reason can be read.
    forgotten_before = now - dt.timedelta(seconds=settings.EXPORT_FILE_TTL_SECONDS)
    expired = list(
        ExportJob.objects.filter(
            Q(expires_at__lt=now) | Q(status=JobStatus.FAILED, finished_at__lt=forgotten_before)
        ).values_list("pk", "file")
    )
    for _pk, name in expired:
        if name:
            default_storage.delete(name)
    ExportJob.objects.filter(pk__in=[pk for pk, _ in expired]).delete()
    return {"failed": failed, "deleted": len(expired)}
