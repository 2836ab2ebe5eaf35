"""One tyre set mounted per car at a time, held by an exclusion constraint.

Existing rows may already overlap: almost always a set whose removal was never entered when the
next one was mounted. Refusing to migrate would stop the deploy for every company over one
company's data, so each overlapping set is closed instead: its `removed_at` becomes the day the
next set of the same car (by `installed_at`, then id) was installed, the swap day the
constraint allows. Only sets that overlap the next one change (their `updated_at` too); a set
never gets a removal date later than it had. Going back drops the constraint and leaves those
dates as they are."""

import django.contrib.postgres.constraints
import django.contrib.postgres.fields.ranges
from django.db import migrations

import tenant_apps.fleet.models.maintenance

CLOSE_OVERLAPPING_SETS = """
    UPDATE fleet_tires AS tires
    SET removed_at = following.next_installed_at, updated_at = now()
    FROM (
        SELECT id, lead(installed_at) OVER (
            PARTITION BY car_id ORDER BY installed_at, id
        ) AS next_installed_at
        FROM fleet_tires
    ) AS following
    WHERE tires.id = following.id
        AND following.next_installed_at IS NOT NULL
        AND (tires.removed_at IS NULL OR tires.removed_at > following.next_installed_at)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("fleet", "0003_verbose_names"),
    ]

    operations = [
        migrations.RunSQL(CLOSE_OVERLAPPING_SETS, reverse_sql=migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name="tires",
            constraint=django.contrib.postgres.constraints.ExclusionConstraint(
                expressions=[
                    (
                        tenant_apps.fleet.models.maintenance.Int8Range(
                            "car",
                            "car",
                            django.contrib.postgres.fields.ranges.RangeBoundary(True, True),
                        ),
                        "&&",
                    ),
                    (
                        tenant_apps.fleet.models.maintenance.DateRange(
                            "installed_at",
                            "removed_at",
                            django.contrib.postgres.fields.ranges.RangeBoundary(),
                        ),
                        "&&",
                    ),
                ],
                name="tires_one_set_per_car_at_a_time",
                violation_error_code="overlap",
                violation_error_message="This car already has a tyre set mounted during this period.",
            ),
        ),
    ]
