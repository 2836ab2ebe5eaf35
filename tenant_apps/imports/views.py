"""The import API: upload a sheet (202 and a job), poll the job, download an empty template."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_apps.accounts.roles import ALL_ROLES
from shared_apps.core.openapi import (
    error_response,
    extend_params_validation_errors,
    params_error_codes,
)
from shared_apps.core.parsers import LimitedMultiPartParser
from tenant_apps.jobs.views import OwnJobsViewSet
from tenant_apps.reports.tables import TEXT, Column, Table
from tenant_apps.reports.views import XLSX_TYPE, file_response

from . import services
from .columns import ENTITIES
from .models import ImportJob
from .serializers import ImportJobCreateSerializer, ImportJobSerializer


@extend_params_validation_errors(params_error_codes(ImportJobCreateSerializer), actions=["create"])
class ImportJobViewSet(OwnJobsViewSet):
    """Sheets of cars and records imported in the background (the entity's write rights are
    checked by the service: 403). Each user sees their own jobs."""

    job_model = ImportJob
    serializer_class = ImportJobSerializer
    parser_classes = [LimitedMultiPartParser]

    @extend_schema(
        summary="Import a sheet",
        request=ImportJobCreateSerializer,  # multipart: the view's parser
        responses={
            202: ImportJobSerializer,
            403: error_response(403, ["permission_denied"]),
            503: error_response(503, ["import_queue_unavailable"]),
        },
        description="Upload an .xlsx or .csv sheet of `entity` (columns titled as in "
        "`imports/templates/{entity}.xlsx`, in Russian or English). A worker checks every row "
        "as the API would; poll `GET imports/{id}/`. `dry_run` (default true) writes nothing; "
        "a real run writes every row or, when any row is refused, none.",
    )
    def create(self, request, *args, **kwargs):
        payload = ImportJobCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        job = services.import_job_create(
            user=request.user,
            entity=payload.validated_data["entity"],
            upload=payload.validated_data["file"],
            dry_run=payload.validated_data["dry_run"],
        )
        return Response(self.get_serializer(job).data, status=status.HTTP_202_ACCEPTED)


class ImportTemplateView(APIView):
    """An empty sheet with the entity's columns, titled in the user's language."""

    read_roles = ALL_ROLES

    @extend_schema(
        summary="Download an import template",
        responses={
            (200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY),
        },
    )
    def get(self, request, entity: str):
        spec = ENTITIES[entity]  # the URL admits only their names
        columns = tuple(Column(column.title, TEXT, width=18) for column in spec.columns)
        return file_response(Table(f"{entity}_template", columns, rows=()), "xlsx")
