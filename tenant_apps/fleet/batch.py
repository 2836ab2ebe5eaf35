"""Many writes at once, each made exactly as the REST API makes it: the resource's serializer,
the write rights (`rights`), the fleet service, the database's constraints. The assistant's
actions and the import call it; neither has a write path of its own.

Each write runs in its own savepoint, so that one refused write is reported with the errors
the API would give and the others still go through (or, with `all_or_nothing`, are still
checked, then undone). A dry run takes the very same path, constraints included (the second of
two creates for one month fails as it would for real), and rolls everything back."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import FileField, Model
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import APIException, PermissionDenied

from shared_apps.core import counts
from shared_apps.core.exceptions import validation_detail

from . import serializers as fleet_serializers
from . import services
from .models import (
    Accumulator,
    Car,
    FuelRecord,
    Inspection,
    Insurance,
    Kit,
    MaintenancePlan,
    MonthlyMileage,
    Recorder,
    Spare,
    Tires,
)
from .rights import may_write

CREATE, UPDATE, DELETE = "create", "update", "delete"
BULK_ROWS = 2000  # creates inserted by one COPY in an all-or-nothing batch

# The serializer each model is written through (the REST API's create and update one).
WRITE_SERIALIZERS: dict[type[Model], type[serializers.ModelSerializer]] = {
    Car: fleet_serializers.CarSerializer,
    FuelRecord: fleet_serializers.FuelRecordSerializer,
    MonthlyMileage: fleet_serializers.MonthlyMileageSerializer,
    Insurance: fleet_serializers.InsuranceSerializer,
    Inspection: fleet_serializers.InspectionSerializer,
    Spare: fleet_serializers.SpareSerializer,
    Tires: fleet_serializers.TiresSerializer,
    Accumulator: fleet_serializers.AccumulatorSerializer,
    Recorder: fleet_serializers.RecorderSerializer,
    Kit: fleet_serializers.KitSerializer,
    MaintenancePlan: fleet_serializers.MaintenancePlanSerializer,
}


# Models with files take the one-by-one path: a refused row must not leave its files behind.
HAS_FILES = frozenset(
    model
    for model in WRITE_SERIALIZERS
    if any(isinstance(field, FileField) for field in model._meta.concrete_fields)
)


@dataclass(frozen=True)
class Write:
    """One write: `create` (with `data`), `update` (the row `id`, or its `instance` when the
    caller has it already, with the fields of `data` to change) or `delete`."""

    action: str
    model: type[Model]
    data: Mapping = field(default_factory=dict)
    id: int | None = None
    instance: Model | None = None


@dataclass(frozen=True)
class Outcome:
    """What one write did, or the API's errors (`[{code, detail, attr}]`) that refused it.
    `before` and `after` are the row as the API shows it (when asked to `describe`)."""

    ok: bool
    id: int | None = None
    before: dict | None = None
    after: dict | None = None
    errors: list[dict] = field(default_factory=list)


def error_list(detail, prefix: str = "") -> list[dict]:
    """DRF error details as the API's `[{code, detail, attr}]`."""
    if isinstance(detail, dict):
        return [e for k, v in detail.items() for e in error_list(v, f"{prefix}{k}.")]
    if isinstance(detail, list):
        return [e for item in detail for e in error_list(item, prefix)]
    attr = prefix.rstrip(".") or None
    if attr == "non_field_errors":
        attr = None
    return [{"code": getattr(detail, "code", "invalid"), "detail": str(detail), "attr": attr}]


def _errors_of(exc: Exception) -> list[dict]:
    if isinstance(exc, Http404):
        return [{"code": "not_found", "detail": _("No such record."), "attr": "id"}]
    if isinstance(exc, DjangoValidationError):
        return error_list(validation_detail(exc))
    return error_list(exc.detail)


def _apply(write: Write, *, user, context: dict, describe: bool) -> Outcome:
    if not may_write(user, write.model):
        raise PermissionDenied(_("Your role does not allow this action."))
    serializer_class = WRITE_SERIALIZERS[write.model]
    instance = write.instance
    if instance is None and write.action != CREATE:
        instance = write.model.objects.filter(pk=write.id).first()
        if instance is None:
            raise Http404
    before = serializer_class(instance, context=context).data if instance and describe else None

    if write.action == DELETE:
        pk = instance.pk  # Django clears it on delete
        if write.model is Car:
            services.car_delete(car=instance)
        else:
            services.record_delete(instance=instance)
        return Outcome(ok=True, id=pk, before=before)

    payload = serializer_class(
        instance, data=write.data, partial=instance is not None, context=context
    )
    payload.is_valid(raise_exception=True)
    if instance is None:
        saved = services.record_create(model_class=write.model, **payload.validated_data)
    else:
        saved = services.record_update(instance=instance, **payload.validated_data)
    after = serializer_class(saved, context=context).data if describe else None
    return Outcome(ok=True, id=saved.pk, before=before, after=after)


def writes_apply(
    *,
    writes: Iterable[Write],
    user,
    dry_run: bool,
    context: dict,
    all_or_nothing: bool = False,
    describe: bool = True,
) -> list[Outcome]:
    """Apply each write and report it, in order. A refused write undoes only itself, unless
    `all_or_nothing`: then one refusal undoes every write (all are still checked, so that
    every refusal is reported). A dry run reports the same and keeps nothing; the ids of rows
    it would create are None."""
    with transaction.atomic():
        if all_or_nothing:
            with counts.one_change():
                outcomes = _apply_all_or_nothing(
                    writes, user=user, context=context, dry_run=dry_run
                )
        else:
            outcomes = [
                _apply_alone(write, user, context, describe=describe, dry_run=dry_run)
                for write in writes
            ]
        if dry_run or (all_or_nothing and not all(outcome.ok for outcome in outcomes)):
            transaction.set_rollback(True)
    return outcomes


def _apply_alone(write: Write, user, context: dict, *, describe: bool, dry_run: bool) -> Outcome:
    """One write in its own savepoint: a refusal undoes it alone."""
    try:
        with transaction.atomic():
            outcome = _apply(write, user=user, context=context, describe=describe)
    except (APIException, DjangoValidationError, Http404) as exc:
        return Outcome(ok=False, errors=_errors_of(exc))
    if dry_run and write.action == CREATE:  # the row it would create is not kept
        after = {**outcome.after, "id": None} if outcome.after else None
        return Outcome(ok=True, before=outcome.before, after=after)
    return outcome


def _apply_all_or_nothing(
    writes: Iterable[Write], *, user, context: dict, dry_run: bool
) -> list[Outcome]:
    """Creates are checked one by one, as `_apply` checks them (the same serializer, made once
    per model and reused; the model's validators the serializer has not run already, and
    `clean()`), and inserted BULK_ROWS at a time; a batch that breaks a constraint is saved
    again row by row to name the rows. Updates and deletes take `_apply`'s path. The caller
    undoes everything on a refusal."""
    outcomes: list[Outcome] = []
    batch: list[tuple[int, Model]] = []  # (its outcome's position, the checked new record)
    # Per model: its serializer, and the fields it checks as the model would.
    checkers: dict[type[Model], tuple[serializers.Serializer, frozenset[str]]] = {}
    for write in writes:
        if write.action != CREATE or write.model in HAS_FILES:
            outcomes.append(_apply_alone(write, user, context, describe=False, dry_run=dry_run))
            continue
        try:
            record = _checked_new(write, user=user, context=context, checkers=checkers)
        except (APIException, DjangoValidationError) as exc:
            outcomes.append(Outcome(ok=False, errors=_errors_of(exc)))
            continue
        outcomes.append(Outcome(ok=True))
        batch.append((len(outcomes) - 1, record))
        if len(batch) == BULK_ROWS:
            _insert(batch, outcomes, keep_ids=not dry_run)
            batch = []
    _insert(batch, outcomes, keep_ids=not dry_run)
    return outcomes


def _checked_new(write: Write, *, user, context: dict, checkers: dict) -> Model:
    if not may_write(user, write.model):
        raise PermissionDenied(_("Your role does not allow this action."))
    if write.model not in checkers:
        serializer = WRITE_SERIALIZERS[write.model](context=context)
        checked = fleet_serializers.fields_checked_as_the_model_would(serializer)
        checkers[write.model] = (serializer, checked)
    serializer, checked = checkers[write.model]
    fields = serializer.run_validation(write.data)
    return services.record_new(model_class=write.model, checked=checked, **fields)


def _insert(batch: list[tuple[int, Model]], outcomes: list[Outcome], *, keep_ids: bool) -> None:
    if not batch:
        return
    try:
        services.records_insert(instances=[record for _position, record in batch])
    except IntegrityError:
        for position, record in batch:  # which of them: each alone, with the API's errors
            record.pk, record._state.adding = None, True
            try:
                services.record_save(instance=record)
            except (APIException, DjangoValidationError, Http404) as exc:
                outcomes[position] = Outcome(ok=False, errors=_errors_of(exc))
                continue
            outcomes[position] = Outcome(ok=True, id=record.pk if keep_ids else None)
        return
    for position, record in batch:
        outcomes[position] = Outcome(ok=True, id=record.pk if keep_ids else None)
