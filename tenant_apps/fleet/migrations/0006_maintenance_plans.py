import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("fleet", "0005_fuel_consumption_from_the_car_month"),
    ]

    operations = [
        migrations.CreateModel(
            name="MaintenancePlan",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("name", models.CharField(max_length=200)),
                (
                    "interval_km",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="Every so many km.",
                        null=True,
                        validators=[django.core.validators.MinValueValidator(1)],
                    ),
                ),
                (
                    "interval_months",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Every so many months.",
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(120),
                        ],
                    ),
                ),
                (
                    "last_done_at",
                    models.DateField(help_text="When it was last done (or the plan starts)."),
                ),
                (
                    "car",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="maintenance_plans",
                        to="fleet.car",
                    ),
                ),
            ],
            options={
                "verbose_name": "maintenance plan",
                "verbose_name_plural": "maintenance plans",
                "ordering": ["car_id", "name", "id"],
                "indexes": [
                    models.Index(
                        fields=["car", "last_done_at"], name="fleet_maint_car_id_46fbb9_idx"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("interval_km__isnull", False),
                            ("interval_months__isnull", False),
                            _connector="OR",
                        ),
                        name="maintenance_plan_has_an_interval",
                        violation_error_message="Give an interval in km, in months, or both.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("interval_km__isnull", True),
                                ("interval_km__gte", 1),
                                _connector="OR",
                            ),
                            models.Q(
                                ("interval_months__isnull", True),
                                ("interval_months__gte", 1),
                                _connector="OR",
                            ),
                        ),
                        name="maintenance_plan_intervals_positive",
                    ),
                ],
            },
        ),
    ]
