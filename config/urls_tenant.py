"""URLs of a company host (`<slug>.<BASE_DOMAIN>`): the company API, its docs and its admin."""

from django.urls import include, path, re_path

from shared_apps.core.admin_sites import company_admin_site
from shared_apps.core.docs import schema_view, swagger_view
from shared_apps.core.errors import (  # noqa: F401
    API_NOT_FOUND,
    api_not_found_view,
    handler400,
    handler403,
    handler404,
    handler500,
)
from tenant_apps.fleet.urls import media_urlpatterns

api_v1 = [
    path("", include("shared_apps.accounts.urls")),
    path("", include("shared_apps.companies.urls")),
    path("", include("shared_apps.dictionaries.urls")),
    path("", include("tenant_apps.fleet.urls")),
    path("", include("tenant_apps.reports.urls")),
    path("", include("tenant_apps.ai.urls")),
    path("", include("tenant_apps.imports.urls")),
    path("", include("tenant_apps.notifications.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", schema_view, name="api-schema"),
    path("api/docs/", swagger_view, name="api-docs"),
    path("admin/", company_admin_site.urls),
    *media_urlpatterns,
    re_path(r"^api/", api_not_found_view, name=API_NOT_FOUND),  # last: what no route matched
]
