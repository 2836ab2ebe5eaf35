"""URLs of the bare `BASE_DOMAIN`: the platform admin only (no company API here)."""

from django.contrib import admin
from django.urls import path

from shared_apps.core.errors import handler400, handler403, handler404, handler500  # noqa: F401

urlpatterns = [
    path("admin/", admin.site.urls),
]
