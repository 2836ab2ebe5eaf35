from django.db import migrations, models

# Only unqualified names: the schema comes from the search path, in every company schema.
FLAG_ADD = "ALTER TABLE fleet_car ADD COLUMN deploy_flag boolean NOT NULL DEFAULT false"
FLAG_DROP = "ALTER TABLE fleet_car DROP COLUMN deploy_flag"


class Migration(migrations.Migration):
    initial = True
    dependencies = [("fleet", "0008_users_referenced_without_a_foreign_key")]
    operations = [
        migrations.CreateModel(
            name="Note",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("code", models.CharField(max_length=20, unique=True)),
                ("text", models.CharField(max_length=200)),
                ("car", models.ForeignKey(on_delete=models.CASCADE, to="fleet.car")),
            ],
            options={
                "indexes": [models.Index(fields=["car", "text"], name="deploy_note_car_text")],
                "constraints": [
                    models.CheckConstraint(
                        condition=~models.Q(text=""), name="deploy_note_text_not_empty"
                    )
                ],
            },
        ),
        migrations.RunSQL(FLAG_ADD, FLAG_DROP),
    ]
