from rest_framework import serializers

from .columns import ENTITIES
from .models import ImportJob
from .reading import FILE_ERRORS

JOB_FAILURES = {"file_empty", "too_many_rows"}  # found while reading: a failed job


class ImportJobCreateSerializer(serializers.Serializer):
    # The file's refusals by the service (reading.FILE_ERRORS, bar those of a job), declared
    # for the API schema.
    validate_error_codes = {
        "file": ["file_type", *(code for code in FILE_ERRORS if code not in JOB_FAILURES)]
    }

    file = serializers.FileField(help_text="An .xlsx or .csv file of at most 20 MB.")
    entity = serializers.ChoiceField(choices=sorted(ENTITIES))
    dry_run = serializers.BooleanField(
        default=True, help_text="Check only (the default): report what a real run would do."
    )


class ImportProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The sheet's row number; the header is row 1.")
    column = serializers.CharField(allow_null=True, help_text="The column's title.")
    code = serializers.CharField()
    detail = serializers.CharField()


class ImportJobSerializer(serializers.ModelSerializer):
    errors = ImportProblemSerializer(many=True, read_only=True)
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)
    created = serializers.IntegerField(
        read_only=True, help_text="Records created (a dry run: that would be)."
    )
    updated = serializers.IntegerField(
        read_only=True, help_text="Records updated (a dry run: that would be)."
    )

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "entity",
            "file_name",
            "dry_run",
            "status",
            "progress",
            "rows",
            "created",
            "updated",
            "errors",
            "warnings",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields
