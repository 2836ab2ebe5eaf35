"""OpenAPI schema and Swagger UI of the company API, served on company hosts (offline assets)."""

from django.conf import settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission

from shared_apps.accounts.authentication import CompanyJWTAuthentication


class DocsPermission(BasePermission):
    """Open to all when `DOCS_PUBLIC` (dev default); otherwise a member of this company or
    platform staff (JWT or admin session)."""

    def has_permission(self, request, view) -> bool:
        if settings.DOCS_PUBLIC:
            return True
        user = request.user
        if not (user and user.is_authenticated):
            return False
        tenant = getattr(request, "tenant", None)
        is_platform_staff = user.is_staff and user.company_id is None
        return is_platform_staff or (tenant is not None and user.company_id == tenant.pk)


_docs_access = {
    "authentication_classes": [CompanyJWTAuthentication, SessionAuthentication],
    "permission_classes": [DocsPermission],
}

schema_view = SpectacularAPIView.as_view(urlconf="config.urls_tenant", **_docs_access)
swagger_view = SpectacularSwaggerView.as_view(url_name="api-schema", **_docs_access)
