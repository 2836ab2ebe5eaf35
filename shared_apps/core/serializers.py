import copy
import keyword

from django.utils.functional import cached_property
from rest_framework import serializers
from rest_framework.utils.serializer_helpers import BindingDict


class KeywordNamesMixin:
    """Lets a serializer have fields named like Python keywords (`from`): declare them with a
    trailing underscore (`from_`)."""

    def get_fields(self):
        return {
            name[:-1] if name.endswith("_") and keyword.iskeyword(name[:-1]) else name: field
            for name, field in super().get_fields().items()
        }


_class_fields: dict[type, dict[str, serializers.Field]] = {}


class FieldsOnceMixin:
    """A serializer whose fields are made once per class and copied for each instance.

    A `ModelSerializer` maps its model's fields to serializer fields for every instance it
    makes, and a list page makes one per request: for a dozen fields that costs about as much
    as reading the page from PostgreSQL. Here `get_fields()` runs once per class (with all that
    subclasses add to it), so it must depend on the class alone, never on the context, the
    instance or the data. Each instance binds copies of those fields: fields holding fields of
    their own (a nested serializer, a list's child, a many-related field) are copied deeply, as
    DRF copies declared fields; the others shallowly, sharing settings that nothing changes
    once a field is made (their choices and messages: code that runs per instance must not
    change them; each copy has its own list of validators)."""

    @cached_property
    def fields(self) -> BindingDict:
        fields = BindingDict(self)
        for name, field in self._class_fields().items():
            fields[name] = _fresh_copy(field)
        return fields

    def _class_fields(self) -> dict[str, serializers.Field]:
        cls = type(self)
        if cls not in _class_fields:
            _class_fields[cls] = self.get_fields()
        return _class_fields[cls]


def _fresh_copy(field: serializers.Field) -> serializers.Field:
    if isinstance(field, serializers.BaseSerializer) or hasattr(field, "child_relation"):
        return copy.deepcopy(field)
    if getattr(field, "child", None) is not None:  # ListField, DictField
        return copy.deepcopy(field)
    fresh = copy.copy(field)
    if "_validators" in fresh.__dict__:  # a list a view could append to
        fresh._validators = list(fresh._validators)
    return fresh
