"""Actions the assistant proposes and a user then executes (or dry-runs): each goes through the
same serializer, role check and fleet service as the REST API would use. The assistant never
writes anything itself: `ai/chat/` only proposes, `ai/actions/` executes what the user sends."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError

from shared_apps.accounts.roles import FINANCE_STAFF, FLEET_MANAGERS, MAINTENANCE_STAFF
from shared_apps.core.validators import FREE_FORM_JSON_VALIDATORS
from tenant_apps.fleet import serializers as fleet_serializers
from tenant_apps.fleet import services
from tenant_apps.fleet.models import (
    Car,
    FuelRecord,
    Inspection,
    Insurance,
    MonthlyMileage,
    Spare,
)

CREATE, UPDATE, DELETE = "create", "update", "delete"


@dataclass(frozen=True)
class Entity:
    model: type
    serializer: type[serializers.ModelSerializer]
    write_roles: frozenset  # the same row of CONTRACT §6 as the resource's viewset


ENTITIES = {
    "car": Entity(Car, fleet_serializers.CarSerializer, FLEET_MANAGERS),
    "fuel_record": Entity(FuelRecord, fleet_serializers.FuelRecordSerializer, FINANCE_STAFF),
    "monthly_mileage": Entity(
        MonthlyMileage, fleet_serializers.MonthlyMileageSerializer, FINANCE_STAFF
    ),
    "insurance": Entity(Insurance, fleet_serializers.InsuranceSerializer, FINANCE_STAFF),
    "inspection": Entity(Inspection, fleet_serializers.InspectionSerializer, MAINTENANCE_STAFF),
    "spare": Entity(Spare, fleet_serializers.SpareSerializer, MAINTENANCE_STAFF),
}


class ActionSerializer(serializers.Serializer):
    """One proposed change: `create` (with `data`), `update` (with `id` and the fields of `data`
    to change) or `delete` (with `id`)."""

    action = serializers.ChoiceField(choices=[CREATE, UPDATE, DELETE])
    entity = serializers.ChoiceField(choices=sorted(ENTITIES))
    id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    data = serializers.DictField(required=False, default=dict, validators=FREE_FORM_JSON_VALIDATORS)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=500)

    def validate(self, attrs):
        if attrs["action"] in (UPDATE, DELETE) and not attrs.get("id"):
            raise ValidationError(
                {"id": _("Give the id of the record to change.")}, code="required"
            )
        return attrs


def _error_list(detail, prefix: str = "") -> list[dict]:
    """DRF error details as the API's `[{code, detail, attr}]`."""
    if isinstance(detail, dict):
        return [e for k, v in detail.items() for e in _error_list(v, f"{prefix}{k}.")]
    if isinstance(detail, list):
        return [e for item in detail for e in _error_list(item, prefix)]
    attr = prefix.rstrip(".") or None
    if attr == "non_field_errors":
        attr = None
    return [{"code": getattr(detail, "code", "invalid"), "detail": str(detail), "attr": attr}]


def _execute_one(action: dict, *, user, context: dict) -> dict:
    entity = ENTITIES[action["entity"]]
    if user.role not in entity.write_roles:
        raise PermissionDenied(_("Your role does not allow this action."))
    instance = None
    if action["action"] != CREATE:
        instance = entity.model.objects.filter(pk=action["id"]).first()
        if instance is None:
            raise Http404
    before = entity.serializer(instance, context=context).data if instance else None

    if action["action"] == DELETE:
        pk = instance.pk  # Django clears it on delete
        if entity.model is Car:
            services.car_delete(car=instance)
        else:
            services.record_delete(instance=instance)
        return {"id": pk, "before": before, "after": None}

    payload = entity.serializer(
        instance, data=action["data"], partial=instance is not None, context=context
    )
    payload.is_valid(raise_exception=True)
    if instance is None:
        saved = services.record_create(model_class=entity.model, **payload.validated_data)
    else:
        saved = services.record_update(instance=instance, **payload.validated_data)
    return {
        "id": saved.pk,
        "before": before,
        "after": entity.serializer(saved, context=context).data,
    }


def _errors_of(exc: Exception) -> list[dict]:
    if isinstance(exc, Http404):
        return [{"code": "not_found", "detail": _("No such record."), "attr": "id"}]
    if isinstance(exc, DjangoValidationError):
        return _error_list(serializers.as_serializer_error(exc))
    return _error_list(exc.detail)


def actions_execute(*, actions: list[dict], user, dry_run: bool, context: dict) -> list[dict]:
    """Run each action in its own savepoint and report it: `ok` with before/after, or `error`
    with the same errors the REST API would give; a failed action does not undo the others. A
    dry run takes exactly the same path, checks and constraints included (the second of two
    creates for one month fails as it would for real), then rolls everything back."""
    results = []
    with transaction.atomic():
        for index, action in enumerate(actions):
            outcome = {"index": index, "entity": action["entity"], "id": action.get("id")}
            try:
                with transaction.atomic():
                    done = _execute_one(action, user=user, context=context)
            except (APIException, DjangoValidationError, Http404) as exc:
                errors = _errors_of(exc)
                results.append(
                    {**outcome, "status": "error", "before": None, "after": None, "errors": errors}
                )
                continue
            if dry_run and action["action"] == CREATE:
                done = {**done, "id": None, "after": {**done["after"], "id": None}}  # never kept
            results.append({**outcome, **done, "status": "ok", "errors": []})
        if dry_run:
            transaction.set_rollback(True)
    return results
