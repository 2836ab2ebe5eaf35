"""Filters of the assistant's audit log."""

import django_filters as filters

from tenant_apps.fleet.filters import CompanyUserFilter

from .models import AIAuditEntry


class AuditEntryFilter(filters.FilterSet):
    user = CompanyUserFilter()

    class Meta:
        model = AIAuditEntry
        fields = ["kind", "user", "dry_run"]
