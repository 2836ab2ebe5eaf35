from django.db import migrations, models


class Migration(migrations.Migration):
    """Dropping a UNIQUE makes the schema editor look its constraint's name up in the schema."""

    dependencies = [("deploy_app", "0001_initial")]
    operations = [
        migrations.AlterField(
            model_name="note", name="code", field=models.CharField(max_length=20)
        ),
    ]
