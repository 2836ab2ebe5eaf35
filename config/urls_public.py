"""URLs of the bare `BASE_DOMAIN`: the platform admin only (no company API here)."""

from django.contrib import admin
from django.urls import path

urlpatterns = [
    path("admin/", admin.site.urls),
]

handler400 = "shared_apps.core.errors.bad_request_view"
handler403 = "shared_apps.core.errors.permission_denied_view"
handler404 = "shared_apps.core.errors.not_found_view"
handler500 = "shared_apps.core.errors.server_error_view"
