"""Turn a constraint violation from PostgreSQL into the 400 a user should see.

Uniqueness is enforced by the database, not by a look-up before the insert: two requests racing
for the same number plate both pass any look-up, and only the constraint stops the second. The
constraint's name tells which field was the problem, so the racing request gets exactly the
answer a sequential duplicate gets."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models
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


def duplicate_errors(instance: models.Model, *, exclude: set[str]) -> dict[str, ValidationError]:
    """field → the error the database would answer a save of `instance` with, found by look-ups;
    for reporting a duplicate together with the other errors of the same request. Constraints
    over a field in `exclude` (one without a valid value) are skipped. Look-ups race, so this is
    a courtesy: the constraint (above) stays the rule."""
    model = type(instance)
    errors = {}
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint) or not constraint.fields:
            continue
        try:
            constraint.validate(model, instance, exclude=exclude)
        except ValidationError:
            field, message = constraint.fields[-1], constraint.violation_error_message
            if message == constraint.default_violation_error_message:
                message = None
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
    return errors


def unique_error_fields(model: type[models.Model]) -> set[str]:
    """The fields on which a duplicate of `model` is reported (code `unique`)."""
    return {field for field, _message in _unique_fields_by_constraint(model).values()}


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
