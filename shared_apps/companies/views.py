from rest_framework.generics import RetrieveUpdateAPIView

from shared_apps.accounts.roles import ADMINS, ALL_ROLES

from . import services
from .serializers import CompanySettingsSerializer


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
