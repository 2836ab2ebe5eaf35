"""The user of a token, cached: without it every authenticated request queries the user.

The entry is the user's row without its password hash (which stays out of Redis; it is read
from the database if something asks for it). It is forgotten (`shared_apps.core.rowcache`)
whenever the ORM saves or deletes the user, which covers every way a user changes: their
password, active flag, role, company, language, and the `token_version` that revokes their
tokens (the API's services, the Django admin's forms, `manage.py changepassword`), and by
`UserQuerySet.update()` (and `bulk_update`, which goes through it). So a deactivation, a
revocation or a role change holds from the very next request. Whoever reads the entry checks
it as it would the row: active, of the host's company, of the token's version (`tokens`)."""

from collections.abc import Iterable

from django.db.models.signals import post_delete, post_save

from shared_apps.core import counts
from shared_apps.core.rowcache import RowCache

from .models import User

user_rows = RowCache(
    User, name="user", timeout_setting="AUTH_USER_CACHE_SECONDS", deferred=("password",)
)


def user_by_id(user_id: int) -> User | None:
    """The user, read from the cache with the company's data version in the same round trip:
    a list's count cached under that version then needs none of its own (`core.counts`)."""
    return user_rows.get_or_load(
        user_id,
        lambda: User.objects.filter(pk=user_id).first(),
        along=(counts.VERSION_KEY, counts.version_read),
    )


def users_forget(user_ids: Iterable[int]) -> None:
    user_rows.forget(user_ids)


def _user_saved(sender, instance: User, created: bool, **kwargs) -> None:
    if not created:  # nothing can be cached yet under a new id
        users_forget([instance.pk])


def _user_deleted(sender, instance: User, **kwargs) -> None:
    users_forget([instance.pk])


def forget_on_writes() -> None:
    """Connect the forgetting to every save and delete of a user; `update()` forgets in
    `UserQuerySet`."""
    post_save.connect(_user_saved, sender=User, dispatch_uid="user-cache-saved")
    post_delete.connect(_user_deleted, sender=User, dispatch_uid="user-cache-deleted")
