from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0004_company_settings"),
    ]

    operations = [
        migrations.AddField(
            model_name="company",
            name="reminders_ran_on",
            field=models.DateField(
                blank=True,
                editable=False,
                help_text="The company's own day of its last daily reminder run (claimed by the beat).",
                null=True,
            ),
        ),
    ]
