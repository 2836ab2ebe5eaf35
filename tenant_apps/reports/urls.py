from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("reports/exports", views.ExportJobViewSet, basename="export")

urlpatterns = [
    path("reports/fuel-consumption/", views.FuelConsumptionView.as_view(), name="report-fuel"),
    path(
        "reports/maintenance-costs/",
        views.MaintenanceCostsView.as_view(),
        name="report-maintenance",
    ),
    path(
        "reports/cost-of-ownership/",
        views.CostOfOwnershipView.as_view(),
        name="report-ownership",
    ),
    path(
        "reports/insurance-inspection/",
        views.InsuranceInspectionView.as_view(),
        name="report-documents",
    ),
    path("reports/compliance/", views.ComplianceView.as_view(), name="report-compliance"),
    path(
        "reports/exports/<uuid:pk>/download/",
        views.ExportDownloadView.as_view(),
        name="export-download",
    ),
    *router.urls,
]
