import math

from django.contrib.admin import AdminSite
from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from shared_apps.accounts.throttling import login_attempt_wait

from .exceptions import throttled_detail


def is_platform_staff(user) -> bool:
    return bool(user.is_active and user.is_staff and user.company_id is None)


class ThrottledLoginAdminSite(AdminSite):
    """An admin whose login form is throttled like the API's login (per IP and per username,
    the same budgets): once one is spent, a login attempt gets 429 with `Retry-After`."""

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        if request.method == "POST":
            wait = login_attempt_wait(request)
            if wait is not None:
                seconds = max(1, math.ceil(wait))
                response = HttpResponse(
                    throttled_detail(seconds), status=429, content_type="text/plain; charset=utf-8"
                )
                response["Retry-After"] = str(seconds)
                return response
        return super().login(request, extra_context)


class PlatformAdminSite(ThrottledLoginAdminSite):
    """`/admin/` on the bare domain: companies, domains, users, dictionaries."""

    site_header = "Fleet SaaS — platform admin"
    site_title = "Fleet SaaS platform"

    def has_permission(self, request) -> bool:
        return is_platform_staff(request.user)


class CompanyAdminSite(ThrottledLoginAdminSite):
    """`/admin/` on a company host: that company's fleet, for platform staff only."""

    site_header = "Fleet SaaS — company data"
    site_title = "Fleet SaaS company"

    def has_permission(self, request) -> bool:
        return is_platform_staff(request.user)

    def each_context(self, request):
        context = super().each_context(request)
        tenant = getattr(request, "tenant", None)
        if tenant is not None:
            context["site_header"] = f"{self.site_header}: {tenant.name}"
        return context


company_admin_site = CompanyAdminSite(name="company_admin")
