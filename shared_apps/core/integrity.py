"""Turn a constraint violation from PostgreSQL into the 400 a user should see.

Uniqueness is enforced by the database, not by a look-up before the insert: two requests racing
for the same number plate both pass any look-up, and only the constraint stops the second. The
constraint's name tells which field was the problem, so the racing request gets exactly the
answer a sequential duplicate gets. Exclusion constraints ("one tyre set mounted per car at a
time") are answered the same way: by name, on a field, with the constraint's own message."""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, models, transaction
from django.db.models.expressions import F
from django.utils.translation import gettext as _
from psycopg import errors as pg_errors


def _unique_fields_by_constraint(model: type[models.Model]) -> dict[str, tuple[str, str]]:
    """constraint name → (field the error is reported on, message)."""
    opts = model._meta
    found = {}
    for constraint in opts.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            message = constraint.violation_error_message
            if message == constraint.default_violation_error_message:
                message = None
            found[constraint.name] = (constraint.fields[-1], message)
    for field in opts.local_concrete_fields:
        if field.unique and not field.primary_key:
            # PostgreSQL's own name for a column's UNIQUE: <table>_<column>_key.
            found[f"{opts.db_table}_{field.column}_key"] = (field.name, None)
    return found


def _duplicate_error(model: type[models.Model], field: str, message: str | None) -> ValidationError:
    if message is None:
        message = _("A %(model)s with this %(field)s already exists.") % {
            "model": model._meta.verbose_name,
            "field": model._meta.get_field(field).verbose_name,
        }
    return ValidationError(message, code="unique")


def _referenced_fields(expression) -> list[str]:
    """The fields an expression reads, in order."""
    if isinstance(expression, str):
        return [expression]
    if isinstance(expression, F):
        return [expression.name]
    return [
        name for part in expression.get_source_expressions() for name in _referenced_fields(part)
    ]


def _exclusion_constraints(model: type[models.Model]) -> dict[str, tuple[ExclusionConstraint, str]]:
    """constraint name → (the constraint, field its violation is reported on). An exclusion
    constraint refuses a row that collides with another ("one tyre set mounted at a time"); the
    error goes on the first field of its last expression (the period's start), as a unique
    constraint's goes on its last field."""
    found = {}
    for constraint in model._meta.constraints:
        if isinstance(constraint, ExclusionConstraint):
            last_expression = constraint.expressions[-1][0]
            found[constraint.name] = (constraint, _referenced_fields(last_expression)[0])
    return found


def _exclusion_code(constraint: ExclusionConstraint) -> str:
    return constraint.violation_error_code or "invalid"


def _exclusion_error(constraint: ExclusionConstraint) -> ValidationError:
    return ValidationError(
        constraint.get_violation_error_message(), code=_exclusion_code(constraint)
    )


def duplicate_errors(instance: models.Model, *, exclude: set[str]) -> dict[str, ValidationError]:
    """field → the error the database would answer a save of `instance` with, found by look-ups;
    for reporting a duplicate together with the other errors of the same request. Constraints
    over a field in `exclude` (one without a valid value) are skipped. Look-ups race, so this is
    a courtesy: the constraint (above) stays the rule."""
    model = type(instance)
    errors = {}
    unique = _unique_fields_by_constraint(model)
    for constraint in model._meta.constraints:
        if constraint.name not in unique:
            continue
        try:
            constraint.validate(model, instance, exclude=exclude)
        except ValidationError:
            field, message = unique[constraint.name]
            errors[field] = _duplicate_error(model, field, message)
    for field in model._meta.local_concrete_fields:
        if not field.unique or field.primary_key or field.name in exclude:
            continue
        value = getattr(instance, field.attname)
        others = model._default_manager.filter(**{field.attname: value})
        if not instance._state.adding:
            others = others.exclude(pk=instance.pk)
        if value is not None and others.exists():
            errors[field.name] = _duplicate_error(model, field.name, None)
    for constraint, field in _exclusion_constraints(model).values():
        try:
            with transaction.atomic():
                constraint.validate(model, instance, exclude=exclude)
        except ValidationError:
            errors[field] = _exclusion_error(constraint)
        except DataError:
            pass  # values the database cannot form a range of: the model's own rules say why
    return errors


def unique_error_fields(model: type[models.Model]) -> set[str]:
    """The fields on which a duplicate of `model` is reported (code `unique`)."""
    return {field for field, _message in _unique_fields_by_constraint(model).values()}


def exclusion_error_messages(model: type[models.Model]) -> dict[str, dict[str, str]]:
    """field → {code: message} of the exclusion constraints reported on it (e.g. `overlap`)."""
    messages: dict[str, dict[str, str]] = {}
    for constraint, field in _exclusion_constraints(model).values():
        code = _exclusion_code(constraint)
        messages.setdefault(field, {})[code] = constraint.violation_error_message
    return messages


def _fk_field_by_constraint(model: type[models.Model], name: str) -> str | None:
    opts = model._meta
    for field in opts.local_concrete_fields:
        if field.is_relation and name.startswith(f"{opts.db_table}_{field.column}_"):
            return field.name
    return None


def validation_error_from_integrity_error(
    exc: IntegrityError, model: type[models.Model]
) -> ValidationError | None:
    """The ValidationError that explains `exc`, or None when it is not a known constraint."""
    cause = exc.__cause__
    name = getattr(getattr(cause, "diag", None), "constraint_name", None)
    if not name:
        return None
    if isinstance(cause, pg_errors.UniqueViolation):
        field, message = _unique_fields_by_constraint(model).get(name, (None, None))
        if field is None:
            return None
        return ValidationError({field: _duplicate_error(model, field, message)})
    if isinstance(cause, pg_errors.ExclusionViolation):
        constraint, field = _exclusion_constraints(model).get(name, (None, None))
        if constraint is None:
            return None
        return ValidationError({field: _exclusion_error(constraint)})
    if isinstance(cause, pg_errors.ForeignKeyViolation):
        field = _fk_field_by_constraint(model, name)
        if field is None:
            return None
        message = _("The referenced object does not exist (any more).")
        return ValidationError({field: ValidationError(message, code="does_not_exist")})
    if isinstance(cause, pg_errors.CheckViolation):
        for constraint in model._meta.constraints:
            if constraint.name == name:
                return ValidationError(constraint.get_violation_error_message(), code="invalid")
    return None
