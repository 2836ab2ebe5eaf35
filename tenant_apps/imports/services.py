"""Imports: an uploaded sheet checked row by row through the fleet's batch-write engine (the
REST API's serializers, rights and services) by a Celery worker, and written all or nothing.

The job's life (queue, retry-once, stale sweep) is `tenant_apps.jobs`'; reading the file is
`reading`'s; what the columns mean is `columns`'."""

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied, ValidationError

from shared_apps.core.exceptions import ServiceUnavailable
from tenant_apps.fleet.batch import CREATE, UPDATE, WRITE_SERIALIZERS, Write, writes_apply
from tenant_apps.fleet.models import Car
from tenant_apps.fleet.rights import may_write
from tenant_apps.jobs.models import JobStatus
from tenant_apps.jobs.services import JobProgress, job_enqueue, job_finish, job_start

from .columns import ENTITIES, ImportColumn, ImportEntity
from .models import ImportJob
from .reading import (
    UnreadableFileError,
    file_check,
    file_format,
    rows_estimate,
    sheet_rows,
)

logger = logging.getLogger(__name__)
CHUNK_ROWS = 1000  # rows whose cars and existing records are looked up in one query each
MAX_LISTED_ERRORS = 1000
CONVERTED_KEYS = 10_000  # key parts remembered converted (a sheet has few distinct months)
CONVERTED_CELLS = 10_000  # cell values remembered converted, per column
INVALID = object()


def import_job_create(*, user, entity: str, upload: UploadedFile, dry_run: bool) -> ImportJob:
    """Check what can be checked at once (the right to write the entity, the file's type and
    soundness), store the file and queue the job (outside a transaction). With the queue down:
    503, and the job is recorded as failed."""
    spec = ENTITIES[entity]
    if not may_write(user, spec.model):
        raise PermissionDenied(_("Your role does not allow this action."))
    kind = file_format(upload.name or "")
    if kind is None:
        raise ValidationError({"file": [_("Upload an .xlsx or .csv file.")]}, code="file_type")
    try:
        file_check(upload, size=upload.size, file_format=kind)
    except UnreadableFileError as exc:
        raise ValidationError(
            {"file": [ValidationError(str(exc), code=exc.code).detail[0]]}
        ) from exc
    job = ImportJob(
        entity=entity,
        format=kind,
        dry_run=dry_run,
        file_name=(upload.name or "")[-200:],
        created_by=user,
    )
    job.file.save(f"{job.pk}.{kind}", upload, save=False)
    job.save(force_insert=True)
    from .tasks import run_import  # the task module imports this one

    queue_down = ServiceUnavailable(
        _("Imports are unavailable right now (the job queue is down); try again shortly."),
        code="import_queue_unavailable",
    )
    try:
        job_enqueue(job, run_import, unavailable=queue_down)
    except ServiceUnavailable:
        _discard_file(job)
        raise
    return job


def _discard_file(job: ImportJob) -> None:
    if job.file:
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="")


# --- The worker's part ------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What the run found: problems `{row, column, code, detail}`, warnings, the counts."""

    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    warnings: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    def error(self, row: int, column: str | None, code: str, detail: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append({"row": row, "column": column, "code": code, "detail": detail})


def import_job_run(*, job_id: str) -> ImportJob | None:
    """Check the job's file and, unless a dry run or a row is refused, write every row, in the
    current company schema. Idempotent: a finished job is left alone. The file is deleted
    when the job ends, whatever the outcome: an import keeps no copy of the data."""
    job = job_start(ImportJob, job_id)
    if job is None:
        return ImportJob.objects.filter(pk=job_id).first()
    language = job.created_by.language or connection.tenant.default_language
    try:
        with translation.override(language):
            report = _run(job)
    except UnreadableFileError as exc:
        job_finish(job, status=JobStatus.FAILED, error=str(exc))
    except Exception:
        logger.exception("Import %s failed", job.pk)
        job_finish(job, status=JobStatus.FAILED, error=_unexpected_failure(language))
    else:
        if report.error_count > len(report.errors):
            with translation.override(language):
                report.warnings.append(
                    _("Only the first %(listed)d of %(count)d problems are listed.")
                    % {"listed": len(report.errors), "count": report.error_count}
                )
        job_finish(
            job,
            status=JobStatus.SUCCEEDED,
            progress=100,
            errors=sorted(report.errors, key=lambda error: error["row"]),
            warnings=report.warnings,
            created=report.created,
            updated=report.updated,
        )
    _discard_file(job)
    return job


def _unexpected_failure(language: str) -> str:
    with translation.override(language):
        return _("The import failed unexpectedly; the team has been notified.")


@dataclass
class _Row:
    number: int  # as the sheet numbers it: the header is row 1
    data: dict
    cells: dict  # API field → the column's title in the file
    action: str = ""  # the write it became: create or update


def _run(job: ImportJob) -> ImportReport:
    spec = ENTITIES[job.entity]
    report = ImportReport()
    with job.file.open("rb") as file:
        total = rows_estimate(file, file_format=job.format)
        rows = sheet_rows(file, file_format=job.format)
        header = next(rows, None)
        if header is None or all(cell is None for cell in header):
            raise UnreadableFileError(_("The file has no header row."), "file_empty")
        columns = _header_columns(spec, header, report)
        missing = [c for c in spec.columns if c.field in spec.key and c not in columns.values()]
        for column in missing:
            report.error(1, str(column.title), "column_missing", _("This column is missing."))
        if missing:
            return report
        progress = JobProgress(job, total=total)
        rows_read = progress.count(_rows(columns, header, rows))  # empty lines not counted
        writes: list[_Row] = []
        loaded_cars: dict[int, Car] = {}
        with transaction.atomic():
            outcomes = writes_apply(
                writes=_writes(spec, rows_read, report, writes, loaded_cars),
                user=job.created_by,
                dry_run=job.dry_run,
                context={"cars": loaded_cars},
                all_or_nothing=True,
                describe=False,
            )
            for row, outcome in zip(writes, outcomes, strict=True):
                if outcome.ok:
                    report.created += row.action == CREATE
                    report.updated += row.action == UPDATE
                else:
                    for error in outcome.errors:
                        report.error(
                            row.number, _column_of(spec, row, error), error["code"], error["detail"]
                        )
            if report.error_count:
                transaction.set_rollback(True)  # all or nothing: the refused rows undo the rest
        progress.record()
    return report


def _header_columns(
    spec: ImportEntity, header: tuple, report: ImportReport
) -> dict[int, ImportColumn]:
    """The sheet's columns by position. Unknown titles (an export's computed columns) are
    named in the warnings; a column given twice is an error of the header row."""
    columns: dict[int, ImportColumn] = {}
    unknown = []
    for index, title in enumerate(header):
        if title is None or str(title).strip() == "":
            continue
        column = spec.column_for(title)
        if column is None:
            unknown.append(str(title).strip())
        elif column in columns.values():
            report.error(1, str(title).strip(), "column_repeated", _("This column is given twice."))
        else:
            columns[index] = column
    if unknown:
        report.warnings.append(
            _("These columns are not imported: %(columns)s.") % {"columns": ", ".join(unknown)}
        )
    return columns


def _rows(columns: dict[int, ImportColumn], header: tuple, rows) -> Iterator[_Row]:
    # Each API field's column, by its title as the file has it: the same for every row.
    cells = {
        field: str(header[index]).strip()
        for index, column in columns.items()
        for field in column.fields
    }
    # A sheet repeats its cars, months and amounts: each column converts a value once. By its
    # type too (`typed`): 1, 1.0 and True are equal keys but different cells.
    converters = [
        (index, lru_cache(maxsize=CONVERTED_CELLS, typed=True)(column.data))
        for index, column in columns.items()
    ]
    for number, row in enumerate(rows, start=2):
        if all(cell is None or str(cell).strip() == "" for cell in row):
            continue  # an empty line, common at the end of a sheet
        data = {}
        for index, convert in converters:
            data.update(convert(row[index] if index < len(row) else None))
        yield _Row(number, data, cells)


def _chunks(rows: Iterator[_Row]) -> Iterator[list[_Row]]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Keys:
    """Rows' keys as the database holds them: each part through the API field's own
    conversion (`2026-03` → the month's date), the car as its id."""

    def __init__(self, spec: ImportEntity):
        self.spec = spec
        fields = WRITE_SERIALIZERS[spec.model]().fields
        self.fields = {name: fields[name] for name in spec.key if name != "car"}
        self.model_fields = [
            "car_id" if name == "car" else fields[name].source for name in spec.key
        ]
        # A sheet repeats its months and years on every row: each text converted once.
        self.converted = lru_cache(maxsize=CONVERTED_KEYS)(self._convert)

    def of(self, data: dict) -> tuple | None:
        """None when the entity has no key, or a part is missing or invalid (the write then
        reports the field)."""
        if not self.spec.key:
            return None
        key = []
        for name in self.spec.key:
            if name not in data:
                return None
            if name == "car":
                key.append(data["car"])
                continue
            converted = self.converted(name, data[name])
            if converted is INVALID:
                return None
            key.append(converted)
        return tuple(key)

    def _convert(self, name: str, raw) -> object:
        """A key part through its API field, or INVALID."""
        try:
            return self.fields[name].run_validation(raw)
        except ValidationError:
            return INVALID

    def existing(self, keys: list[tuple]) -> dict[tuple, object]:
        """The records these keys find, in one query (the first, when a key finds several).

        The keys are matched whole, `(car_id, year, month) IN (SELECT * FROM unnest(...))`,
        which PostgreSQL answers with one probe of the key's index each. A column-by-column
        `IN` it may answer by reading every record of the chunk's cars instead (it did while
        an import filled the table within its transaction, the statistics not knowing the new
        rows): 100,000 rows then cost a second or more of look-ups."""
        if not keys:
            return {}
        model = self.spec.model
        fields = [model._meta.get_field(name) for name in self.model_fields]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
        # The model's own column names and types; the keys go as parameters.
        match = RawSQL(  # noqa: S611
            f"({columns}) IN (SELECT * FROM unnest({arrays}))",  # noqa: S608
            [[key[i] for key in keys] for i in range(len(fields))],
            output_field=BooleanField(),
        )
        found = {}
        for instance in model.objects.filter(match).order_by("pk"):
            found.setdefault(tuple(getattr(instance, n) for n in self.model_fields), instance)
        return found


def _writes(
    spec: ImportEntity,
    rows: Iterator[_Row],
    report: ImportReport,
    written: list[_Row],
    loaded_cars: dict[int, Car],
) -> Iterator[Write]:
    """The writes of the rows, each a create or the update of the record its key finds; a
    row naming an unknown car, or repeating an earlier row's key, is refused here. `written`
    collects the rows of the writes, in order, for their outcomes."""
    keys = _Keys(spec)
    seen: dict[tuple, int] = {}
    cars: dict[str, int | None] = {}
    for chunk in _chunks(rows):
        _look_up_cars(chunk, cars, loaded_cars)
        keyed = []
        for row in chunk:
            if "car" in row.data:
                numplate = row.data["car"]
                if cars[numplate] is None:
                    report.error(
                        row.number,
                        row.cells["car"],
                        "does_not_exist",
                        _("No car has the number plate %(numplate)s.") % {"numplate": numplate},
                    )
                    continue
                row.data["car"] = cars[numplate]
            keyed.append((row, keys.of(row.data)))
        existing = keys.existing([key for _row, key in keyed if key is not None])
        for row, key in keyed:
            if key is not None and key in seen:
                report.error(
                    row.number,
                    None,
                    "duplicate_row",
                    _("Row %(row)d already has this record.") % {"row": seen[key]},
                )
                continue
            if key is not None:
                seen[key] = row.number
            instance = existing.get(key) if key is not None else None
            written.append(row)
            row.action = CREATE if instance is None else UPDATE
            yield Write(row.action, spec.model, data=row.data, instance=instance)


def _look_up_cars(chunk: list[_Row], cars: dict[str, int | None], loaded: dict[int, Car]) -> None:
    """The chunk's cars by number plate (None: no such car), loaded once for the whole run:
    the serializers take them from `loaded` (their context's `cars`) without a query."""
    wanted = {row.data["car"] for row in chunk if "car" in row.data} - cars.keys()
    if wanted:
        found = {car.numplate: car for car in Car.objects.filter(numplate__in=wanted)}
        cars.update({numplate: getattr(found.get(numplate), "pk", None) for numplate in wanted})
        loaded.update({car.pk: car for car in found.values()})


def _column_of(spec: ImportEntity, row: _Row, error: dict) -> str | None:
    """The title of the column an API error is about: as the file has it, or the template's
    when the column is not in the file."""
    attr = error["attr"]
    if attr is None:
        return None
    if attr in row.cells:
        return row.cells[attr]
    column = next((c for c in spec.columns if attr in c.fields), None)
    return str(column.title) if column else attr


def import_files_discard_finished() -> None:
    """Delete the files of finished jobs (a worker that died before deleting one leaves it)."""
    for job in ImportJob.objects.filter(status__in=(JobStatus.SUCCEEDED, JobStatus.FAILED)).exclude(
        file=""
    ):
        _discard_file(job)
