"""Export jobs in the API schema: `params` typed per report as the report's query parameters
(`services.REPORTS`), so that a client knows what each report takes. `ExportJobCreateSerializer`
still validates the body, and the schema's 400 answers are still derived from it; the schema
extensions here only describe the body and the job. Registered by importing this module."""

from drf_spectacular.extensions import (
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_serializer
from rest_framework import serializers

from .models import ExportFormat
from .services import REPORTS


def _camel(report: str) -> str:
    return "".join(word.title() for word in report.split("-"))


def _export_params(report: str) -> type[serializers.Serializer]:
    """The report's query parameters but `export`: the job's `format` says which file."""
    params = type(
        f"{_camel(report)}ExportParams",
        (REPORTS[report].params,),
        {"__module__": __name__, "__doc__": None},
    )
    return extend_schema_serializer(exclude_fields=["export"])(params)


EXPORT_PARAMS = {report: _export_params(report) for report in REPORTS}


def _export_job_create(report: str) -> type[serializers.Serializer]:
    fields = {
        "report": serializers.ChoiceField(choices=[report]),
        "format": serializers.ChoiceField(choices=ExportFormat.choices),
        "params": EXPORT_PARAMS[report](required=False),
    }
    name = f"{_camel(report)}ExportJobCreate"
    return type(name, (serializers.Serializer,), {"__module__": __name__, **fields})


EXPORT_JOB_CREATE = PolymorphicProxySerializer(
    component_name="ExportJobCreate",
    serializers={report: _export_job_create(report) for report in REPORTS},
    resource_type_field_name="report",
)


class ExportJobCreateSchema(OpenApiSerializerExtension):
    """The body of `POST reports/exports/`: one shape per report, which `report` names."""

    target_class = "tenant_apps.reports.serializers.ExportJobCreateSerializer"

    def map_serializer(self, auto_schema, direction):
        return auto_schema._map_serializer(EXPORT_JOB_CREATE, direction)


class ExportParamsSchema(OpenApiSerializerFieldExtension):
    """An export job's `params`: the parameters of one of the reports."""

    target_class = "tenant_apps.reports.serializers.ExportParamsField"

    def map_serializer_field(self, auto_schema, direction):
        return {
            "anyOf": [
                auto_schema.resolve_serializer(params, direction).ref
                for params in EXPORT_PARAMS.values()
            ]
        }
