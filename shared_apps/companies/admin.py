from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django_tenants.admin import TenantAdminMixin

from .forms import CompanyProvisionForm
from .models import Company, Domain
from .services import company_create


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Company)
class CompanyAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "default_currency", "is_active", "ai_enabled", "created_at"]
    list_filter = ["is_active", "ai_enabled", "default_language", "country"]
    search_fields = ["name", "slug", "legal_name", "tax_id"]
    readonly_fields = ["schema_name", "slug", "created_by", "created_at"]
    inlines = [DomainInline]

    def get_urls(self):
        provision = path(
            "provision/",
            self.admin_site.admin_view(self.provision_view),
            name="companies_company_provision",
        )
        return [provision, *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        # Adding a company means provisioning it (schema, domain, first admin).
        return redirect("admin:companies_company_provision")

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a company drops a whole fleet; deactivate it instead.
        return False

    def provision_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = CompanyProvisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                provisioned = company_create(
                    **{k: v for k, v in form.cleaned_data.items() if v not in ("", None)},
                    created_by=request.user,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(
                    request,
                    f"Company {provisioned.company.slug} created at {provisioned.domain.domain}.",
                    messages.SUCCESS,
                )
                return redirect(
                    reverse("admin:companies_company_change", args=[provisioned.company.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": "Create company",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/companies/company/provision.html", context)


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "tenant", "is_primary"]
    list_filter = ["is_primary"]
    search_fields = ["domain", "tenant__name", "tenant__slug"]
    list_select_related = ["tenant"]
