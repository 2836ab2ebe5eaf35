"""`FieldsOnceMixin`: a serializer's fields are made once per class, and every instance still
gets fields of its own, bound to it and reading its own context."""

from dataclasses import dataclass

from rest_framework import serializers

from shared_apps.core.serializers import FieldsOnceMixin
from tenant_apps.fleet.serializers import SpareSerializer


@dataclass
class Row:
    name: str
    tags: list
    inner: dict


class Inner(serializers.Serializer):
    size = serializers.IntegerField()


class Counted(FieldsOnceMixin, serializers.Serializer):
    made = 0

    name = serializers.CharField(max_length=5)
    tags = serializers.ListField(child=serializers.CharField())
    inner = Inner()
    greeting = serializers.SerializerMethodField()

    def get_fields(self):
        type(self).made += 1
        return super().get_fields()

    def get_greeting(self, row) -> str:
        return f"{self.context['hello']}, {row.name}"


def test_the_fields_are_made_once_per_class_and_copied_for_each_instance():
    Counted.made = 0
    first, second = Counted(context={"hello": "Hi"}), Counted(context={"hello": "Salam"})
    assert list(first.fields) == list(second.fields) == ["name", "tags", "inner", "greeting"]
    assert Counted.made == 1
    for name in first.fields:
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first
        assert second.fields[name].parent is second
    # What holds fields of its own is copied deeply: its fields are bound to its own copy.
    assert first.fields["tags"].child is not second.fields["tags"].child
    assert first.fields["tags"].child.parent is first.fields["tags"]
    assert first.fields["inner"].fields["size"].parent is first.fields["inner"]
    assert first.fields["inner"].fields["size"] is not second.fields["inner"].fields["size"]


def test_each_instance_writes_with_its_own_context():
    row = Row(name="Aibek", tags=["a"], inner={"size": 3})
    assert Counted(row, context={"hello": "Hi"}).data == {
        "name": "Aibek",
        "tags": ["a"],
        "inner": {"size": 3},
        "greeting": "Hi, Aibek",
    }
    assert Counted(row, context={"hello": "Salam"}).data["greeting"] == "Salam, Aibek"
    assert Counted([row, row], many=True, context={"hello": "Hey"}).data[1]["greeting"] == (
        "Hey, Aibek"
    )


def test_a_change_to_one_instances_field_stays_in_it():
    first, second = Counted(), Counted()
    added = lambda value: None  # noqa: E731
    first.fields["name"].validators.append(added)
    first.fields["name"].read_only = True
    assert added in first.fields["name"].validators
    assert added not in second.fields["name"].validators
    assert added not in Counted().fields["name"].validators
    assert second.fields["name"].read_only is False
    # and validation still runs each instance's own checks
    refused = Counted(data={"name": "toolong", "tags": [], "inner": {"size": 1}})
    assert not refused.is_valid()
    assert [error.code for error in refused.errors["name"]] == ["max_length"]


def test_a_model_serializer_validates_and_writes_as_before(db):
    serializer = SpareSerializer(data={"name": "", "part_price": "-1"})
    assert not serializer.is_valid()
    assert {"car", "name", "part_price"} <= serializer.errors.keys()
    assert SpareSerializer().fields["total_price"].read_only is True
