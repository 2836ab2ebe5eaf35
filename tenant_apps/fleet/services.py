"""Writes on the fleet. The REST API, the admin's actions, the demo seed and the AI assistant's
actions all go through these functions, so every path normalises, validates and refuses alike.

Serializers check the shape of the input (and codes against the dictionaries); the model's field
validators and `clean()` (the rules between fields: a policy cannot end before it starts) run
here again for every caller; PostgreSQL constraints hold uniqueness, which is the only check
that survives two requests racing each other. One exception, made explicit: the batch path
(`record_new`) skips the validators of the fields its serializer has just checked as the model
field would (`checked`); `clean()` and every other field still run there too."""

from collections.abc import Collection, Iterable
from functools import partial
from typing import TypeVar

from django.core.files.storage import default_storage
from django.db import (
    DatabaseError,
    IntegrityError,
    OperationalError,
    models,
    transaction,
)
from django.http import Http404
from django.utils.translation import gettext as _

from shared_apps.core.exceptions import Conflict
from shared_apps.core.integrity import validation_error_from_integrity_error

from .models import Car

ModelT = TypeVar("ModelT", bound=models.Model)


def _stored_files(instance: models.Model) -> dict[str, str]:
    return {
        field.name: getattr(instance, field.attname).name or ""
        for field in instance._meta.concrete_fields
        if isinstance(field, models.FileField)
    }


def _delete_files_on_commit(names: Iterable[str]) -> None:
    """Remove files from the company's media folder once the rows that named them are gone for
    good; a rolled-back transaction keeps them."""
    for name in names:
        if name:
            transaction.on_commit(partial(default_storage.delete, name))


def _discard_new_files(instance: models.Model, files_before: dict[str, str]) -> None:
    """The row was not saved, so the files it just stored must not stay either."""
    for field, name in _stored_files(instance).items():
        if name and name != files_before.get(field):
            default_storage.delete(name)


def _save(instance: ModelT, *, files_before: dict[str, str]) -> ModelT:
    instance.full_clean(validate_unique=False, validate_constraints=False)
    adding = instance._state.adding
    try:
        _save_in_savepoint(instance, adding=adding)
    except IntegrityError as exc:
        _discard_new_files(instance, files_before)
        error = validation_error_from_integrity_error(exc, type(instance))
        if error is None:
            raise
        raise error from exc
    except DatabaseError as exc:
        # Only Django's own "Forced update did not affect any rows." means a deleted row; a
        # lost connection or a timeout is no 404.
        if adding or type(exc) is not DatabaseError:
            raise
        _discard_new_files(instance, files_before)
        raise Http404(_("It was deleted meanwhile.")) from exc
    generated = [f.attname for f in instance._meta.concrete_fields if f.generated]
    if generated and not adding:
        # PostgreSQL computed them anew; an INSERT returns them, an UPDATE does not.
        instance.refresh_from_db(fields=generated)
    files_after = _stored_files(instance)
    _delete_files_on_commit(
        name for field, name in files_before.items() if name != files_after[field]
    )
    return instance


DEADLOCK = "40P01"  # PostgreSQL's deadlock_detected
SAVE_ATTEMPTS = 3


def _save_in_savepoint(instance: models.Model, *, adding: bool) -> None:
    """Save in a savepoint. Writers racing for one exclusion constraint (two tyre sets for one
    car at once) can deadlock: PostgreSQL then fails one of them, whose savepoint is rolled
    back and which tries again, to find the others' rows committed (and be refused by the
    constraint, or go through)."""
    for attempt in range(1, SAVE_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                # Never Django's "UPDATE, else INSERT": a record deleted meanwhile must stay
                # deleted.
                instance.save(force_insert=adding, force_update=not adding)
            return
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != DEADLOCK or attempt == SAVE_ATTEMPTS:
                raise


def record_create(*, model_class: type[ModelT], **fields) -> ModelT:
    """Create a car or any record of one from already shape-checked `fields`."""
    instance = model_class(**fields)
    return _save(instance, files_before=dict.fromkeys(_stored_files(instance), ""))


def record_new(
    *, model_class: type[ModelT], checked: Collection[str] = frozenset(), **fields
) -> ModelT:
    """A record checked as `record_create` checks it (the fields' validators and `clean()`),
    not saved: for `records_insert`. A foreign key whose object the caller has loaded (the
    import's cars) is not looked up again; the database's constraint still holds it.

    `checked` names the fields whose every check the caller's serializer has just made as the
    model field would (`serializers.fields_checked_as_the_model_would` says which): their
    validators are not run twice. `clean()`, and every other field, still are."""
    instance = model_class(**fields)
    loaded = [
        field.name
        for field in instance._meta.concrete_fields
        if field.is_relation and field.is_cached(instance)
    ]
    instance.full_clean(
        exclude=[*loaded, *checked], validate_unique=False, validate_constraints=False
    )
    return instance


def records_insert(*, instances: list[models.Model]) -> None:
    """Insert records made by `record_new`, all of one model, in a savepoint. A constraint one
    of them breaks raises Django's IntegrityError and inserts none: save them one by one
    (`record_save`) to learn which. Only for models without files.

    The rows go in by PostgreSQL's `COPY` rather than `bulk_create`'s INSERT: an import writes
    100,000 of them, and building and binding INSERT's parameters took a quarter of its time.
    The ids are drawn from the table's sequence first, so each record keeps its pk as
    `bulk_create` would set it; the values are the model fields' own (`pre_save` for the
    timestamps, `get_db_prep_save`), so the columns hold what a save would write. Generated
    columns are left to PostgreSQL and not read back (an instance loads them when asked).
    Values must be plain ones, as `record_new` makes them from validated data: COPY has no
    place for an expression (an `F()`, a `db_default`)."""
    if not instances:
        return
    model = type(instances[0])
    opts = model._meta
    if any(parent._meta.concrete_model is not model for parent in opts.all_parents):
        raise ValueError("records_insert cannot write a multi-table inherited model")
    fields = [field for field in opts.concrete_fields if not field.generated]
    db = transaction.get_connection()  # the connection itself, not its per-call proxy
    # Each column's value as a save computes it: `pre_save` only where a field overrides it
    # (auto_now), `getattr` else; hundreds of thousands of calls, so bound once.
    values = [
        (
            field.attname,
            None if type(field).pre_save is models.Field.pre_save else field.pre_save,
            field.get_db_prep_save,
        )
        for field in fields
    ]
    quote = db.ops.quote_name
    with transaction.atomic(), db.cursor() as cursor:
        _new_pks(cursor, model, instances)
        statement = "COPY {} ({}) FROM STDIN".format(
            quote(opts.db_table), ", ".join(quote(field.column) for field in fields)
        )
        # psycopg's own errors, as Django's (a broken constraint: IntegrityError).
        with db.wrap_database_errors, cursor.cursor.copy(statement) as copy:
            for instance in instances:
                instance._prepare_related_fields_for_save(operation_name="records_insert")
                copy.write_row(
                    [
                        prep(getattr(instance, attname) if pre is None else pre(instance, True), db)
                        for attname, pre, prep in values
                    ]
                )
    for instance in instances:
        instance._state.adding = False
        instance._state.db = db.alias


def _new_pks(cursor, model: type[models.Model], instances: list[models.Model]) -> None:
    """Give the instances without a pk theirs: from the table's sequence in one query for an
    auto-incremented pk (as the INSERT would have drawn them), else the pk field's default."""
    pk = model._meta.pk
    without = [instance for instance in instances if instance.pk is None]
    if not without:
        return
    if not isinstance(pk, models.AutoField):  # Big- and SmallAutoField are AutoFields too
        for instance in without:
            instance.pk = pk.get_pk_value_on_save(instance)
        return
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [cursor.db.ops.quote_name(model._meta.db_table), pk.column, len(without)],
    )
    for instance, (value,) in zip(without, cursor.fetchall(), strict=True):
        instance.pk = value


def record_update(*, instance: ModelT, **changes) -> ModelT:
    """Apply `changes` to a car or a record; a replaced photo's old file is removed."""
    files_before = _stored_files(instance)
    for field, value in changes.items():
        setattr(instance, field, value)
    return _save(instance, files_before=files_before)


def record_save(*, instance: ModelT) -> ModelT:
    """Save an instance whose fields were already set (the admin's forms); a replaced file's
    old version is removed."""
    stored = None
    if not instance._state.adding:
        stored = type(instance)._default_manager.filter(pk=instance.pk).first()
    # A row deleted meanwhile has no old files: `_save` answers 404 for it.
    before = _stored_files(stored) if stored else dict.fromkeys(_stored_files(instance), "")
    return _save(instance, files_before=before)


def record_delete(*, instance: models.Model) -> None:
    """Delete a record of a car, or a photo, with its files."""
    files = _stored_files(instance)
    with transaction.atomic():
        instance.delete()
        _delete_files_on_commit(files.values())


def car_delete(*, car: Car) -> None:
    """Delete a car entered by mistake. A car with history (fuel, repairs, documents, ...) is
    refused with 409: its history stays, and the car is decommissioned instead. Its photos,
    dashcam and kit are part of the car and go with it."""
    history = [
        relation
        for relation in Car._meta.related_objects
        if relation.on_delete is models.PROTECT
        and relation.related_model._default_manager.filter(**{relation.field.name: car}).exists()
    ]
    if history:
        names = ", ".join(sorted(str(r.related_model._meta.verbose_name_plural) for r in history))
        raise Conflict(
            _("This car has history (%(records)s); set its status to decommissioned instead.")
            % {"records": names},
            code="car_has_history",
        )
    files = [name for photo in car.photos.all() for name in _stored_files(photo).values()]
    recorder = getattr(car, "recorder", None)
    if recorder is not None:
        files.extend(_stored_files(recorder).values())
    try:
        with transaction.atomic():
            car.delete()
            _delete_files_on_commit(files)
    except IntegrityError as exc:  # a record was added to the car while it was being deleted
        raise Conflict(
            _("This car got history while it was being deleted; it was kept."),
            code="car_has_history",
        ) from exc
