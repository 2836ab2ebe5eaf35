from django.core.exceptions import DisallowedHost
from django.utils import translation
from django_tenants.middleware.main import TenantMainMiddleware

from shared_apps.core.errors import error_response

from .host_cache import company_for_host


class CompanyMiddleware(TenantMainMiddleware):
    """Select the company's schema from the host (the company comes from `host_cache`). Unknown
    hosts and suspended companies get the API's JSON error envelope instead of an HTML page."""

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

    def get_tenant(self, domain_model, hostname):
        company = company_for_host(hostname)  # cached: no query per request
        if company is None:
            raise domain_model.DoesNotExist
        return company

    def no_tenant_found(self, request, hostname):
        return error_response(404, "unknown_host", "No company is served on this host.")


class CompanyLanguageMiddleware:
    """Without an `Accept-Language` header, answer in the company's default language (a
    logged-in user's own language then takes over in the authentication class)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if tenant is not None and "HTTP_ACCEPT_LANGUAGE" not in request.META:
            translation.activate(tenant.default_language)
            request.LANGUAGE_CODE = tenant.default_language
        return self.get_response(request)
