"""Real concurrency in tests: calls in threads of their own, each on its own database
connection, so that what they write is committed (visible to other connections, a Celery worker,
a racing request) instead of living in the test's transaction. What they commit must be removed
again by the test that made it."""

import threading
from collections.abc import Callable
from contextlib import contextmanager

from django.db import connection, transaction

TIMEOUT_SECONDS = 60


def in_background(call: Callable) -> Callable:
    """Start `call` in its own thread and connection; the returned function waits for its
    result, re-raising what the thread raised."""
    outcome = {}

    def worker():
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the waiting test
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()

    def wait():
        thread.join(timeout=TIMEOUT_SECONDS)
        assert not thread.is_alive(), f"the thread did not finish within {TIMEOUT_SECONDS} s"
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    return wait


def run_in_parallel(*calls: Callable) -> list:
    """Start every call at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(calls))

    def at_barrier(call):
        def run():
            barrier.wait(timeout=10)
            return call()

        return run

    waits = [in_background(at_barrier(call)) for call in calls]
    return [wait() for wait in waits]


def committed(call: Callable):
    """`call()` with its writes committed."""
    return in_background(call)()


def in_schema(company, call: Callable):
    """`call()` with its writes committed, in `company`'s schema."""

    def run():
        connection.set_tenant(company)
        return call()

    return committed(run)


@contextmanager
def table_locked(company, table: str, mode: str = "SHARE", *, hold_seconds: float = 30):
    """Hold one of `company`'s tables locked in `mode` (SHARE: reads pass, writes wait; ACCESS
    EXCLUSIVE: even reads wait), from a thread of its own, until the block ends."""
    locked, release = threading.Event(), threading.Event()

    def hold():
        connection.set_tenant(company)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{table}" IN {mode} MODE')
            locked.set()
            release.wait(timeout=hold_seconds)

    done = in_background(hold)
    try:
        assert locked.wait(timeout=10)
        yield
    finally:
        release.set()
        done()
