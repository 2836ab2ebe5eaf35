"""Every fleet list is written by the compiled row writer (`shared_apps.core.rows`); its pages
must be exactly what DRF's own field-by-field path writes, for every list endpoint and every
field type: ids and relations (set and null), plates through a relation, text, choices,
integers, decimals, booleans, dates and datetimes (null too), months, method fields (status,
days left, month names in the user's language), the fuel record's consumption and photos'
URLs (set and empty)."""

import pytest
from django.db.models.signals import post_init
from rest_framework import serializers

from shared_apps.accounts.roles import Role
from shared_apps.core import page_sql
from shared_apps.core.rows import CompiledListSerializer
from tenant_apps.fleet.models import Car
from tenant_apps.fleet.urls import router

LISTS = [prefix for prefix, viewset, _basename in router.registry if hasattr(viewset, "list")]


def drf_path(monkeypatch) -> None:
    """Lists written by DRF's own ListSerializer, field by field (and not from a page's
    compiled SQL, which writes with the compiled writer)."""
    monkeypatch.setattr(
        CompiledListSerializer, "to_representation", serializers.ListSerializer.to_representation
    )
    monkeypatch.setattr(page_sql, "page_response", lambda view, request: None)


@pytest.mark.parametrize("prefix", LISTS)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_compiled_page_is_what_drf_writes(
    acme_as, every_kind_of_row, monkeypatch, prefix, language
):
    client = acme_as(Role.GUEST, language=language)
    compiled = client.get(f"/api/v1/{prefix}/?page_size=200")
    assert compiled.status_code == 200, compiled.content
    rows = compiled.json()["results"]

    drf_path(monkeypatch)
    by_drf = client.get(f"/api/v1/{prefix}/?page_size=200")

    assert len(rows) >= 2
    assert compiled.content == by_drf.content  # byte for byte: `true` is not `1`
    filled = {name for row in rows for name, value in row.items() if value not in (None, "")}
    assert filled == set(rows[0])  # every field shown with a value at least once


def test_no_row_takes_drfs_path(acme_as, every_kind_of_row, monkeypatch):
    """Every list is written by the compiled writer: no row goes through DRF's own
    `Serializer.to_representation` (a list falling back to it would still pass the byte
    comparison above, only slowly)."""
    rows_by_drf = []
    original = serializers.Serializer.to_representation

    def counted(self, instance):
        rows_by_drf.append(type(self).__name__)
        return original(self, instance)

    monkeypatch.setattr(serializers.Serializer, "to_representation", counted)
    for prefix in LISTS:
        response = acme_as(Role.GUEST).get(f"/api/v1/{prefix}/")
        assert response.status_code == 200
        assert response.json()["results"]

    assert rows_by_drf == []


@pytest.mark.parametrize("prefix", LISTS)
def test_a_page_is_read_as_values_without_making_instances(acme_as, every_kind_of_row, prefix):
    """Making 100 model instances costs more than the page's query: every list reads its
    page as `values_list` rows (and the test above holds their output to DRF's)."""
    client = acme_as(Role.GUEST)
    client.get(f"/api/v1/{prefix}/")  # warm: the user is cached, the count too
    made = []

    def instance_made(sender, **kwargs):
        if sender._meta.app_label == "fleet":  # (not the cached company and user)
            made.append(sender.__name__)

    post_init.connect(instance_made)
    try:
        response = client.get(f"/api/v1/{prefix}/?page_size=200")
    finally:
        post_init.disconnect(instance_made)
    assert response.status_code == 200
    assert len(response.json()["results"]) >= 2
    assert made == []


class Photos(serializers.ModelSerializer):
    """A field only an instance can answer (a reverse relation), next to plain columns."""

    photos = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    plate = serializers.CharField(source="numplate", read_only=True)

    class Meta:
        model = Car
        fields = ["id", "plate", "photos", "driver"]
        list_serializer_class = CompiledListSerializer


class DriverName(Photos):
    """A related field that reads the related object (not only its id)."""

    photos = None
    driver_name = serializers.SlugRelatedField(
        source="driver", slug_field="username", read_only=True
    )

    class Meta(Photos.Meta):
        fields = ["id", "plate", "driver_name"]


class ThroughAnOptionalDriver(Photos):
    """A source through a relation that may be null: DRF leaves the field out there."""

    photos = None
    driver_login = serializers.CharField(source="driver.username", read_only=True)

    class Meta(Photos.Meta):
        fields = ["id", "plate", "driver_login"]


class MethodOfTheInstance(Photos):
    """A method field that reads what a row of columns has not (its serializer does not say
    `row_fields_read_columns_only`)."""

    photos = None
    label = serializers.SerializerMethodField()

    class Meta(Photos.Meta):
        fields = ["id", "plate", "label"]

    def get_label(self, car) -> str:
        return f"{car} #{car.pk}"


@pytest.mark.parametrize(
    "serializer_class", [Photos, DriverName, ThroughAnOptionalDriver, MethodOfTheInstance]
)
def test_a_field_only_an_instance_answers_takes_the_instances_path(
    in_acme, make_user, every_kind_of_row, serializer_class
):
    driver = make_user(in_acme, Role.DRIVER)
    Car.objects.filter(pk=Car.objects.order_by("id").values("pk")[:1]).update(driver=driver)
    cars = Car.objects.order_by("id")
    made = []

    def instance_made(sender, **kwargs):
        made.append(sender)

    post_init.connect(instance_made, sender=Car)
    try:
        compiled = serializer_class(cars.all(), many=True).data
    finally:
        post_init.disconnect(instance_made, sender=Car)
    by_drf = [serializers.Serializer.to_representation(serializer_class(), car) for car in cars]
    assert compiled == by_drf
    assert len(made) == len(by_drf) >= 2
    assert {len(row) for row in by_drf} == {len(row) for row in compiled}
