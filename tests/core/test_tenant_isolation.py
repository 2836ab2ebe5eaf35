from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection


def test_cache_keys_are_per_company(acme, globex):
    connection.set_tenant(acme)
    cache.set("fleet-summary", "acme data")
    connection.set_tenant(globex)
    assert cache.get("fleet-summary") is None
    cache.set("fleet-summary", "globex data")
    connection.set_tenant(acme)
    assert cache.get("fleet-summary") == "acme data"


def test_media_files_are_stored_per_company(acme, globex, tmp_path):
    connection.set_tenant(acme)
    name = default_storage.save("cars/photo.jpg", ContentFile(b"acme"))
    assert (tmp_path / "acme" / name).read_bytes() == b"acme"
    connection.set_tenant(globex)
    assert not default_storage.exists(name)
    assert default_storage.path(name) == str(tmp_path / "globex" / name)
