"""The row cache's own rules (shared_apps/core/rowcache.py): a row read before a write cannot be
stored after it, the write forgets again at its commit, and the rows' keys are the same from
every schema while every other key still carries the schema."""

from django.core.cache import cache
from django.db import connection

from shared_apps.accounts.models import User
from shared_apps.accounts.roles import Role
from shared_apps.accounts.user_cache import user_by_id, user_rows


def test_a_row_read_before_a_write_is_not_stored_after_it(acme, make_user):
    user = make_user(acme, Role.DISPATCHER)
    stale = User.objects.get(pk=user.pk)  # a request reads the row...

    user.role = Role.GUEST
    user.save()  # ...an admin changes it...
    # ...and the request, late, stores what it read: refused, the write left a tombstone.
    assert user_rows.get_or_load(user.pk, lambda: stale).role == Role.DISPATCHER

    assert user_by_id(user.pk).role == Role.GUEST
    assert user_by_id(user.pk).role == Role.GUEST


def test_a_write_forgets_again_when_it_commits(acme, make_user, django_capture_on_commit_callbacks):
    user = make_user(acme, Role.DISPATCHER)
    stale = User.objects.get(pk=user.pk)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        user.role = Role.GUEST
        user.save()
        # A request that read the row before the write stores it once the tombstone is gone.
        cache.set(user_rows.key(user.pk), tuple(getattr(stale, f) for f in user_rows.fields))
        assert user_by_id(user.pk).role == Role.DISPATCHER

    assert len(callbacks) == 1
    assert user_by_id(user.pk).role == Role.GUEST


def test_row_keys_are_the_same_in_every_schema_and_other_keys_are_not(acme):
    connection.set_schema_to_public()
    public = (cache.make_key(user_rows.key(1)), cache.make_key("count:x"))
    connection.set_tenant(acme)
    company = (cache.make_key(user_rows.key(1)), cache.make_key("count:x"))

    assert public[0] == company[0] == f"public::1:{user_rows.key(1)}"
    assert (public[1], company[1]) == ("public::1:count:x", "acme::1:count:x")


def test_a_user_cached_in_a_company_schema_is_forgotten_from_public(acme, make_user, client_for):
    user = make_user(acme, Role.DISPATCHER)
    client_for(acme, user).get("/api/v1/auth/me/")  # cached during a request in acme's schema
    assert cache.get(user_rows.key(user.pk)) is not None

    connection.set_schema_to_public()  # where the platform admin saves users
    user.is_active = False
    user.save()

    assert cache.get(user_rows.key(user.pk)) == "forgotten"
