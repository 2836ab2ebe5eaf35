"""The cache keeps one Redis client per connection pool instead of building one per command."""

import multiprocessing

from django.core.cache import cache


def test_one_client_serves_every_command(db):
    client = cache._cache.get_client()
    cache.set("one-client", 1)
    cache.get_many(["one-client", "other"])
    assert cache._cache.get_client() is client
    assert cache._cache.get_client(write=True) is client  # one server: one pool
    assert cache.get("one-client") == 1


def _child_reads(queue):
    from django.core.cache import cache

    cache.set("forked", "child")
    queue.put(cache.get("parent"))


def test_a_forked_process_uses_its_own_connections(db):
    """gunicorn forks its workers: the client made before the fork must work in the child
    (its pool opens the child's own connections) and still in the parent."""
    cache.set("parent", "parent's")
    before = cache._cache.get_client().connection_pool.pid
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child_reads, args=(queue,))
    child.start()
    assert queue.get(timeout=20) == "parent's"
    child.join(timeout=20)
    assert child.exitcode == 0
    assert cache.get("forked") == "child"
    assert cache._cache.get_client().connection_pool.pid == before
