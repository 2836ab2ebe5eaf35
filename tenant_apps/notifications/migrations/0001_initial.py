import django.core.validators
import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("fleet", "0006_maintenance_plans"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Notification",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200)),
                ("body", models.TextField(help_text="Plain text, in the recipient's language.")),
                (
                    "items",
                    models.JSONField(
                        blank=True, default=list, help_text="What it is about, row by row."
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("read_at", models.DateTimeField(blank=True, null=True)),
                (
                    "email_status",
                    models.CharField(
                        choices=[
                            ("not_sent", "Not sent"),
                            ("pending", "Pending"),
                            ("sent", "Sent"),
                            ("failed", "Failed"),
                        ],
                        default="not_sent",
                        max_length=16,
                    ),
                ),
                ("email_attempts", models.PositiveSmallIntegerField(default=0)),
                ("emailed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "recipient",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="ReminderRun",
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
                    "day",
                    models.DateField(help_text="The company's today when it ran.", unique=True),
                ),
                ("notifications", models.PositiveIntegerField(default=0)),
                (
                    "created_by",
                    models.ForeignKey(
                        db_constraint=False,
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="ReminderSent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "obligation",
                    models.CharField(
                        choices=[
                            ("osago", "OSAGO"),
                            ("inspection", "Inspection"),
                            ("fire_extinguisher", "Fire extinguisher"),
                            ("first_aid_kit", "First-aid kit"),
                            ("casco", "CASCO"),
                            ("battery_warranty", "Battery warranty"),
                            ("service", "Service"),
                        ],
                        max_length=32,
                    ),
                ),
                ("due", models.DateField(blank=True, null=True)),
                ("plan", models.PositiveBigIntegerField(blank=True, null=True)),
                (
                    "threshold",
                    models.CharField(
                        choices=[
                            ("missing", "Missing"),
                            ("expired", "Expired"),
                            ("1", "1 day before"),
                            ("7", "7 days before"),
                            ("30", "30 days before"),
                        ],
                        max_length=8,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "car",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="fleet.car",
                    ),
                ),
                (
                    "notification",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="notifications.notification",
                    ),
                ),
                (
                    "recipient",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                fields=["recipient", "-created_at"], name="notificatio_recipie_a972ce_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("read_at__isnull", True)),
                fields=["recipient"],
                name="notification_unread",
            ),
        ),
        migrations.AddIndex(
            model_name="reminderrun",
            index=models.Index(
                fields=["created_by", "-created_at"], name="notificatio_created_ca33a5_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="reminderrun",
            index=models.Index(
                fields=["status", "started_at"], name="notificatio_status_c70d51_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="reminderrun",
            constraint=models.CheckConstraint(
                condition=models.Q(("progress__lte", 100)),
                name="notifications_reminderrun_progress_max",
            ),
        ),
        migrations.AddConstraint(
            model_name="remindersent",
            constraint=models.UniqueConstraint(
                fields=("recipient", "car", "obligation", "plan", "due", "threshold"),
                name="reminder_once_per_threshold",
                nulls_distinct=False,
            ),
        ),
    ]
