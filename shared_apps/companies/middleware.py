from django.core.exceptions import DisallowedHost
from django_tenants.middleware.main import TenantMainMiddleware

from shared_apps.core.errors import error_response


class CompanyMiddleware(TenantMainMiddleware):
    """Select the company's schema from the host. Unknown hosts and suspended companies get the
    API's JSON error envelope instead of an HTML page."""

    def process_request(self, request):
        try:
            self.hostname_from_request(request)
        except DisallowedHost:
            return error_response(404, "unknown_host", "No company is served on this host.")
        response = super().process_request(request)
        if response is not None:
            return response
        tenant = request.tenant
        if not tenant.is_public and not tenant.is_active:
            return error_response(403, "company_inactive", "This company's account is suspended.")
        return None

    def no_tenant_found(self, request, hostname):
        return error_response(404, "unknown_host", "No company is served on this host.")
