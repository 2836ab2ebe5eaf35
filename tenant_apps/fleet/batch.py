"""Many writes at once, each made exactly as the REST API makes it: the resource's serializer,
the write rights (`rights`), the fleet service, the database's constraints. The assistant's
actions and the import call it; neither has a write path of its own.

Each write runs in its own savepoint, so that one refused write is reported with the errors
the API would give and the others still go through (or, with `all_or_nothing`, are still
checked, then undone). A dry run takes the very same path, constraints included (the second of
two creates for one month fails as it would for real), and rolls everything back."""

from collections.abc import Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import APIException, PermissionDenied

from . import serializers as fleet_serializers
from . import services
from .models import (
    Accumulator,
    Car,
    FuelRecord,
    Inspection,
    Insurance,
    Kit,
    MonthlyMileage,
    Recorder,
    Spare,
    Tires,
)
from .rights import may_write

CREATE, UPDATE, DELETE = "create", "update", "delete"

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
}


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
        return error_list(serializers.as_serializer_error(exc))
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
    """Apply each write in its own savepoint and report it, in order. A refused write undoes
    only itself, unless `all_or_nothing`: then one refusal undoes every write (all are still
    checked, so that every refusal is reported). A dry run reports the same and keeps
    nothing; the ids of rows it would create are None."""
    outcomes = []
    with transaction.atomic():
        for write in writes:
            # All or nothing needs no savepoint of its own for a create or an update: a
            # refusal before the save writes nothing, and the save has its savepoint (the
            # service's). Two statements fewer per row of an import.
            own_savepoint = not all_or_nothing or write.action == DELETE
            try:
                with transaction.atomic() if own_savepoint else nullcontext():
                    outcome = _apply(write, user=user, context=context, describe=describe)
            except (APIException, DjangoValidationError, Http404) as exc:
                outcomes.append(Outcome(ok=False, errors=_errors_of(exc)))
                continue
            if dry_run and write.action == CREATE:  # never kept
                after = {**outcome.after, "id": None} if outcome.after else None
                outcome = Outcome(ok=True, before=outcome.before, after=after)
            outcomes.append(outcome)
        if dry_run or (all_or_nothing and not all(outcome.ok for outcome in outcomes)):
            transaction.set_rollback(True)
    return outcomes
