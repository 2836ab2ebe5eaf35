"""Every fleet list is written by the compiled row writer (`shared_apps.core.rows`); its pages
must be exactly what DRF's own field-by-field path writes, for every list endpoint and every
field type: ids and relations (set and null), plates through a relation, text, choices,
integers, decimals, booleans, dates and datetimes (null too), months, method fields (status,
days left, month names in the user's language), the fuel record's consumption and photos'
URLs (set and empty)."""

import pytest
from rest_framework import serializers

from shared_apps.accounts.roles import Role
from shared_apps.core.rows import CompiledListSerializer
from tenant_apps.fleet.urls import router

LISTS = [prefix for prefix, viewset, _basename in router.registry if hasattr(viewset, "list")]


def drf_path(monkeypatch) -> None:
    """Lists written by DRF's own ListSerializer, field by field."""
    monkeypatch.setattr(
        CompiledListSerializer, "to_representation", serializers.ListSerializer.to_representation
    )


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


def test_the_writer_is_used(acme_as, every_kind_of_row, monkeypatch):
    """The lists really take the compiled path (a writer that breaks shows in the page)."""
    calls = []
    original = CompiledListSerializer.to_representation

    def counted(self, data):
        calls.append(type(self.child).__name__)
        return original(self, data)

    monkeypatch.setattr(CompiledListSerializer, "to_representation", counted)
    for prefix in LISTS:
        assert acme_as(Role.GUEST).get(f"/api/v1/{prefix}/").status_code == 200

    assert len(calls) == len(LISTS)
