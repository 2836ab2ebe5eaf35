"""Company schemas reference users without a foreign key into `public.accounts_user`
(`shared_apps.accounts.fields.user_reference`): the schemas migrated before lose theirs here;
a new schema never had one (its initial migration makes none)."""

from django.db import migrations

DROP_USER_FOREIGN_KEYS = """
DO $$
DECLARE fk record;
BEGIN
    FOR fk IN
        SELECT conrelid::regclass AS tbl, conname FROM pg_constraint
        WHERE contype = 'f' AND confrelid = 'public.accounts_user'::regclass
          AND conrelid IN ('notifications_notification'::regclass, 'notifications_reminderrun'::regclass, 'notifications_remindersent'::regclass)
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.tbl, fk.conname);
    END LOOP;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunSQL(DROP_USER_FOREIGN_KEYS, migrations.RunSQL.noop)]
