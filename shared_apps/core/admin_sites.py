from django.contrib.admin import AdminSite


def is_platform_staff(user) -> bool:
    return bool(user.is_active and user.is_staff and user.company_id is None)


class PlatformAdminSite(AdminSite):
    """`/admin/` on the bare domain: companies, domains, users, dictionaries."""

    site_header = "Fleet SaaS — platform admin"
    site_title = "Fleet SaaS platform"

    def has_permission(self, request) -> bool:
        return is_platform_staff(request.user)


class CompanyAdminSite(AdminSite):
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
