"""Company schemas reference users without a foreign key (`accounts.fields.user_reference`):
the schemas migrated before lose theirs here; a new schema never had one."""

from django.db import migrations

from shared_apps.accounts.fields import user_foreign_keys_drop


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [
        user_foreign_keys_drop(
            "notifications_notification", "notifications_reminderrun", "notifications_remindersent"
        )
    ]
