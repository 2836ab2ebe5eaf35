"""A tenant URLconf with views that fail unexpectedly, to check how a 500 leaves the API."""

from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


class FailingAPIView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("boom")


def failing_django_view(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("api-fail/", FailingAPIView.as_view()),
    path("django-fail/", failing_django_view),
    path("", include("config.urls_tenant")),
]

handler500 = "shared_apps.core.errors.server_error_view"
