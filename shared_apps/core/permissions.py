"""Declarative role permissions: a view names the roles that may read and write; one class
reads them. CONTRACT §6 is the matrix; each view states its row of it."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from shared_apps.accounts.roles import ALL_ROLES


class RolePermission(BasePermission):
    """Allow an authenticated user of this company whose role is in the view's `read_roles`
    (safe methods) or `write_roles` (everything else). Defaults: every role reads, none writes."""

    message = _("Your role does not allow this action.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        tenant = getattr(request, "tenant", None)
        if tenant is None or user.company_id != tenant.pk:
            return False
        if request.method in SAFE_METHODS:
            allowed = getattr(view, "read_roles", ALL_ROLES)
        else:
            allowed = getattr(view, "write_roles", frozenset())
        return user.role in allowed
