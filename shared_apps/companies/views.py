from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework.generics import RetrieveUpdateAPIView

from shared_apps.accounts.roles import ADMINS, ALL_ROLES

from . import services
from .serializers import CompanySettingsSerializer


@extend_schema_view(
    get=extend_schema(summary="Get the company's settings"),
    patch=extend_schema(
        summary="Update the company's settings",
        description="Company admins only. The slug and the AI switch are the platform's.",
    ),
)
# Raised by `models.validate_timezone`, a function validator drf-standardized-errors cannot read.
@extend_validation_errors(["invalid_timezone"], field_name="timezone", methods=["patch"])
class CompanySettingsView(RetrieveUpdateAPIView):
    """The company of this host: its settings and requisites (every role reads them; the
    COMPANY_ADMIN changes them)."""

    serializer_class = CompanySettingsSerializer
    read_roles = ALL_ROLES
    write_roles = ADMINS
    http_method_names = ["get", "patch", "options"]

    def get_object(self):
        return self.request.tenant

    def perform_update(self, serializer):
        serializer.instance = services.company_settings_update(
            company=serializer.instance, **serializer.validated_data
        )
