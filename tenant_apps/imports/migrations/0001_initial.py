import django.core.validators
import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportJob",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("running", "Running"),
                            ("succeeded", "Succeeded"),
                            ("failed", "Failed"),
                        ],
                        default="pending",
                        max_length=16,
                    ),
                ),
                (
                    "progress",
                    models.PositiveSmallIntegerField(
                        default=0, validators=[django.core.validators.MaxValueValidator(100)]
                    ),
                ),
                ("rows", models.PositiveIntegerField(blank=True, null=True)),
                ("error", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "entity",
                    models.CharField(
                        choices=[
                            ("cars", "cars"),
                            ("fuel-records", "fuel-records"),
                            ("monthly-mileages", "monthly-mileages"),
                            ("insurances", "insurances"),
                            ("inspections", "inspections"),
                            ("spares", "spares"),
                        ],
                        max_length=32,
                    ),
                ),
                (
                    "format",
                    models.CharField(choices=[("xlsx", "XLSX"), ("csv", "CSV")], max_length=8),
                ),
                ("dry_run", models.BooleanField(default=True)),
                ("file", models.FileField(blank=True, max_length=200, upload_to="imports")),
                (
                    "file_name",
                    models.CharField(
                        blank=True, help_text="The uploaded file's name.", max_length=200
                    ),
                ),
                (
                    "created",
                    models.PositiveIntegerField(
                        default=0, help_text="Records created (or that would be)."
                    ),
                ),
                (
                    "updated",
                    models.PositiveIntegerField(
                        default=0, help_text="Records updated (or that would be)."
                    ),
                ),
                ("errors", models.JSONField(blank=True, default=list)),
                ("warnings", models.JSONField(blank=True, default=list)),
                (
                    "created_by",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
                "abstract": False,
                "indexes": [
                    models.Index(
                        fields=["created_by", "-created_at"], name="imports_imp_created_3e70b1_idx"
                    ),
                    models.Index(
                        fields=["status", "started_at"], name="imports_imp_status_ecf57f_idx"
                    ),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("progress__lte", 100)),
                        name="imports_importjob_progress_max",
                    )
                ],
            },
        ),
    ]
