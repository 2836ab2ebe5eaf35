"""A company's records that name one of its users (a car's driver, a job's creator, ...)."""

from django.conf import settings
from django.db import models


def user_reference(**options) -> models.ForeignKey:
    """A reference from a company schema to a user of the public schema.

    `DO_NOTHING`: Django's deletion collector must not look for the company's rows from the
    public schema, where their tables do not exist. Users are deactivated, never deleted (the
    admin cannot delete one); which users a record may name (active users of its company) is
    checked by the serializers and services that write it."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", **options
    )
