from django.db import migrations, models


def first_note(apps, schema_editor):
    apps.get_model("deploy_app", "Note").objects.create(text="made by RunPython")


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Note",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("text", models.CharField(max_length=200)),
            ],
        ),
        migrations.RunPython(first_note, migrations.RunPython.noop),
    ]
