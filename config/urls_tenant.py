"""URLs of a company host (`<slug>.<BASE_DOMAIN>`): the company API, its docs and its admin."""

from django.urls import include, path

from shared_apps.core.admin_sites import company_admin_site
from shared_apps.core.docs import schema_view, swagger_view

api_v1 = [
    path("", include("shared_apps.accounts.urls")),
    path("", include("shared_apps.dictionaries.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", schema_view, name="api-schema"),
    path("api/docs/", swagger_view, name="api-docs"),
    path("admin/", company_admin_site.urls),
]

handler400 = "shared_apps.core.errors.bad_request_view"
handler403 = "shared_apps.core.errors.permission_denied_view"
handler404 = "shared_apps.core.errors.not_found_view"
handler500 = "shared_apps.core.errors.server_error_view"
