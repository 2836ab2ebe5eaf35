"""The reports API: three report endpoints (JSON or a file download) and background exports."""

import tempfile

from django.http import FileResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_apps.core.openapi import (
    error_response,
    extend_params_validation_errors,
    params_error_codes,
    search_validation_errors,
)
from tenant_apps.jobs.views import OwnJobsViewSet

from . import openapi, services, tables  # noqa: F401 - openapi: the export schema extensions
from .links import export_job_for_download
from .models import ExportJob
from .serializers import (
    ComplianceReportParams,
    ComplianceReportSerializer,
    CostOfOwnershipSerializer,
    DocumentReportParams,
    ExportJobCreateSerializer,
    ExportJobSerializer,
    FuelConsumptionSerializer,
    FuelReportParams,
    InsuranceInspectionSerializer,
    MaintenanceCostsSerializer,
    MonthReportParams,
    OwnershipReportParams,
)
from .writers import csv_chunks, xlsx_write

FILE_RESPONSES = {
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="With `export=csv`."),
    (
        200,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ): OpenApiResponse(OpenApiTypes.BINARY, description="With `export=xlsx`."),
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_response(table: tables.Table, file_format: str):
    """A report as a download: CSV streamed as it is written, XLSX from a temporary file."""
    if file_format == "csv":
        response = StreamingHttpResponse(csv_chunks(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{table.name}.csv"'
        return response
    scratch = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes (so deletes) it
    xlsx_write(table, scratch)
    scratch.seek(0)
    return FileResponse(
        scratch, as_attachment=True, filename=f"{table.name}.xlsx", content_type=XLSX_TYPE
    )


class ReportView(APIView):
    """A report: `export=json` (default) answers the numbers, `csv`/`xlsx` the same as a file."""

    report: str
    body_serializer: type

    def get(self, request):
        spec = services.REPORTS[self.report]
        params = services.report_params(self.report, request.query_params)
        result = spec.build(params)
        if params["export"] == "json":
            return Response(self.body_serializer(result).data)
        return file_response(spec.table(result), params["export"])


def report_schema(params, body, summary: str, description: str):
    return extend_schema(
        parameters=[params],
        responses={(200, "application/json"): body, **FILE_RESPONSES},
        summary=summary,
        description=description,
    )


@extend_params_validation_errors(params_error_codes(FuelReportParams), methods=["get"])
class FuelConsumptionView(ReportView):
    report = "fuel-consumption"
    body_serializer = FuelConsumptionSerializer

    @report_schema(
        FuelReportParams,
        FuelConsumptionSerializer,
        "Fuel consumption report",
        "Fuel, cost and distance over whole months of a set of cars (`car` repeated, and the car "
        "filters; decommissioned cars only when `status` asks), grouped by month, year, car or "
        "fuel type. A car-month's km are its `monthly-mileages/` record, else its fuel record's "
        "`mileage_km`. The average is weighted: liters / km × 100 over the car-months that have "
        "both; liters of car-months without km are `liters_without_mileage`; fuel types are "
        "never averaged together (null where a group mixes them). Months and years without "
        "records are zero rows.",
    )
    def get(self, request):
        return super().get(request)


@extend_params_validation_errors(params_error_codes(MonthReportParams), methods=["get"])
class MaintenanceCostsView(ReportView):
    report = "maintenance-costs"
    body_serializer = MaintenanceCostsSerializer

    @report_schema(
        MonthReportParams,
        MaintenanceCostsSerializer,
        "Maintenance costs report",
        "Parts and work of repairs, tyres, batteries and inspections, by the day each was "
        "installed or done, grouped by month, year or car, with their total.",
    )
    def get(self, request):
        return super().get(request)


@extend_params_validation_errors(params_error_codes(OwnershipReportParams), methods=["get"])
class CostOfOwnershipView(ReportView):
    report = "cost-of-ownership"
    body_serializer = CostOfOwnershipSerializer

    @report_schema(
        OwnershipReportParams,
        CostOfOwnershipSerializer,
        "Cost of ownership report",
        "What each car (or the fleet, by month) cost to run over whole months: fuel, parts, "
        "work, tyres, batteries, inspections and insurance, their total, the km driven and the "
        "cost per km (null at 0 km). Insurance premiums are spread over the days each policy "
        "covers (a 12,000 policy for 365 days puts 1,019.18 in March); the other costs fall on "
        "their date. Takes a set of cars and the car filters like the other reports; grouped "
        "by car by default.",
    )
    def get(self, request):
        return super().get(request)


@extend_params_validation_errors(params_error_codes(DocumentReportParams), methods=["get"])
class InsuranceInspectionView(ReportView):
    report = "insurance-inspection"
    body_serializer = InsuranceInspectionSerializer

    @report_schema(
        DocumentReportParams,
        InsuranceInspectionSerializer,
        "Insurance and inspection report",
        "Insurance policies and inspection certificates with their status as of today in the "
        "company's timezone, soonest end first, and the count per status.",
    )
    def get(self, request):
        return super().get(request)


@extend_params_validation_errors(params_error_codes(ComplianceReportParams), methods=["get"])
class ComplianceView(ReportView):
    report = "compliance"
    body_serializer = ComplianceReportSerializer

    @report_schema(
        ComplianceReportParams,
        ComplianceReportSerializer,
        "Compliance report",
        "Is every car in service allowed on the road today, and what falls due next? One row "
        "per car and obligation: OSAGO, inspection, fire extinguisher and first-aid kit for "
        "every car, CASCO where the car has had a policy, battery warranty where the battery "
        "on the car has a date. `missing`: nothing covers the car and nothing did, or only a "
        "document yet to start, or the item is absent; `expired`: what covered it has ended "
        "and nothing covers it today (a renewal starting later does not count); `expiring`: "
        "covered up to a day within the warning window; `active`. Documents that follow each "
        "other without a gap are one cover, due on its last day. Worst first: missing, "
        "expired, then the soonest due. Decommissioned cars only when `car_status` asks; "
        "`counts` are over every status.",
    )
    def get(self, request):
        return super().get(request)


@search_validation_errors(actions=["list"])
@extend_params_validation_errors(
    params_error_codes(
        FuelReportParams, DocumentReportParams, ComplianceReportParams, prefix="params"
    ),
    actions=["create"],
)
class ExportJobViewSet(OwnJobsViewSet):
    """Reports built as files in the background (every role reads every report). Each user
    sees their own jobs."""

    job_model = ExportJob
    serializer_class = ExportJobSerializer

    @extend_schema(
        summary="Queue a report export",
        request=ExportJobCreateSerializer,
        responses={
            202: ExportJobSerializer,
            503: error_response(503, ["export_queue_unavailable"]),
        },
        description="Queue a report file: `report` with its query `params` (as for the report's "
        "endpoint) and `format`. Poll `GET .../exports/{id}/` until `status` is `succeeded`, "
        "then download from `download_url` (no token needed; it expires).",
    )
    def create(self, request, *args, **kwargs):
        payload = ExportJobCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        job = services.export_job_create(
            user=request.user,
            report=payload.validated_data["report"],
            file_format=payload.validated_data["format"],
            params=payload.validated_data["params"],
        )
        return Response(self.get_serializer(job).data, status=status.HTTP_202_ACCEPTED)


class ExportDownloadView(APIView):
    """The file of a finished export, for whoever holds its signed link."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Download an export's file",
        description="The file of a finished export, for whoever holds its signed link "
        "(`download_url`): no token is needed, and the link expires.",
        auth=[],
        parameters=[OpenApiParameter("token", str, required=True)],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
            403: error_response(403, ["link_invalid"]),
            410: error_response(410, ["link_expired"]),
        },
    )
    def get(self, request, pk):
        job = export_job_for_download(job_id=pk, token=request.query_params.get("token", ""))
        content_type = XLSX_TYPE if job.format == "xlsx" else "text/csv; charset=utf-8"
        return FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=job.file_name,
            content_type=content_type,
        )
