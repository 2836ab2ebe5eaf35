"""Actions the assistant proposes and a user then executes (or dry-runs): each goes through the
fleet's batch-write engine, the same serializer, role check and service as the REST API. The
assistant never writes anything itself: `ai/chat/` only proposes, `ai/actions/` executes what
the user sends."""

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from shared_apps.core.validators import FREE_FORM_JSON_VALIDATORS
from tenant_apps.fleet.batch import CREATE, DELETE, UPDATE, Write, writes_apply
from tenant_apps.fleet.models import (
    Car,
    FuelRecord,
    Inspection,
    Insurance,
    MonthlyMileage,
    Spare,
)
from tenant_apps.fleet.rights import WRITE_ROLES

# The records the assistant may propose writes on, by the name it uses for them.
ENTITIES = {
    "car": Car,
    "fuel_record": FuelRecord,
    "monthly_mileage": MonthlyMileage,
    "insurance": Insurance,
    "inspection": Inspection,
    "spare": Spare,
}


def writable_entities(role: str | None) -> list[str]:
    """The entities a user of `role` may change (the fleet's write rights), so that the assistant
    proposes nothing the user could never confirm; all of them when the role is not known."""
    return [name for name, model in ENTITIES.items() if role is None or role in WRITE_ROLES[model]]


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


def actions_execute(*, actions: list[dict], user, dry_run: bool, context: dict) -> list[dict]:
    """Run each action and report it: `ok` with before/after, or `error` with the same errors
    the REST API would give; a failed action does not undo the others (`writes_apply`)."""
    writes = [
        Write(
            action=action["action"],
            model=ENTITIES[action["entity"]],
            data=action.get("data") or {},
            id=action.get("id"),
        )
        for action in actions
    ]
    outcomes = writes_apply(writes=writes, user=user, dry_run=dry_run, context=context)
    return [
        {
            "index": index,
            "entity": action["entity"],
            "id": outcome.id if outcome.ok else action.get("id"),
            "status": "ok" if outcome.ok else "error",
            "before": outcome.before,
            "after": outcome.after,
            "errors": outcome.errors,
        }
        for index, (action, outcome) in enumerate(zip(actions, outcomes, strict=True))
    ]
