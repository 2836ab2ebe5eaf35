"""A company's records that name one of its users (a car's driver, a job's creator, ...)."""

from django.conf import settings
from django.db import models


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
