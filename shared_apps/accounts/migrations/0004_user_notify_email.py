from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_token_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="notify_email",
            field=models.BooleanField(
                default=True, help_text="Send the reminder digests by e-mail too (in-app always)."
            ),
        ),
    ]
