"""URLs of the bare `BASE_DOMAIN`: the platform admin only (no company API here)."""

from django.contrib import admin
from django.urls import path, re_path

from shared_apps.core.errors import (  # noqa: F401
    API_NOT_FOUND,
    api_not_found_view,
    handler400,
    handler403,
    handler404,
    handler500,
)

urlpatterns = [
    path("admin/", admin.site.urls),
    re_path(r"^api/", api_not_found_view, name=API_NOT_FOUND),  # last: what no route matched
]
