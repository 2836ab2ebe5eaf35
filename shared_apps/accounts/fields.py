"""A company's records that name one of its users (a car's driver, a job's creator, ...)."""

import re

from django.conf import settings
from django.db import migrations, models


def user_reference(**options) -> models.ForeignKey:
    """A reference from a company schema to a user of the public schema: the user's id, with
    the ORM's relation (`car.driver`, `select_related`) but no foreign key in the database.

    A foreign key would make PostgreSQL check, on every delete of a user (and of a company,
    which deletes its users), each referencing table of every company schema, locking them
    all: at 1,000 companies that exhausted the lock table. Which users a record may name
    (active users of its company) is checked by the serializers and services that write it;
    users are deactivated, never deleted (the admin cannot delete one), but for a deleted
    company's, whose schema goes with them.

    `DO_NOTHING`: Django's deletion collector must not look for the company's rows from the
    public schema, where their tables do not exist."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        **options,
    )


_DROP_USER_FOREIGN_KEYS = """
DO $$
DECLARE fk record;
BEGIN
    FOR fk IN
        SELECT conrelid::regclass AS tbl, conname FROM pg_constraint
        WHERE contype = 'f' AND confrelid = 'public.accounts_user'::regclass
          AND conrelid IN ({tables})
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.tbl, fk.conname);
    END LOOP;
END $$;
"""


def user_foreign_keys_drop(*tables: str) -> migrations.RunSQL:
    """The migration operation that takes from `tables` (of the schema being migrated) the
    foreign keys into `public.accounts_user` a `user_reference` had before it made none. A
    schema made since has none, and nothing happens there."""
    if not all(re.fullmatch(r"[a-z_]+", table) for table in tables):
        raise ValueError(f"not table names: {tables}")
    listed = ", ".join(f"'{table}'::regclass" for table in tables)
    return migrations.RunSQL(_DROP_USER_FOREIGN_KEYS.format(tables=listed), migrations.RunSQL.noop)
