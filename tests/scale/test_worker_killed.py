"""A Celery worker killed (SIGKILL) in the middle of an export: the job is retried once and
succeeds, or fails with its reason when the retry is killed too; it never stays `running`.

Real workers (subprocesses on a Redis of the module's own and the pytest database) build a real
export, held in the middle of the build by a real lock: the test locks the fuel records' table,
so the worker's query waits until the lock is released, with the job already `running`. Each
test has a queue of its own, so that only the workers it means take its tasks."""

import contextlib
import os
import signal
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
import redis
from django.db import connection

from config.celery import app as celery_app
from shared_apps.accounts.models import User
from shared_apps.accounts.roles import Role
from tenant_apps.fleet.models import Car, FuelRecord
from tenant_apps.reports.models import ExportJob, ExportStatus
from tenant_apps.reports.services import INTERRUPTED
from tenant_apps.reports.tasks import build_export
from tests.factories import CarFactory, FuelRecordFactory, UserFactory
from tests.reports.test_exports import (
    WORKER_MEDIA_ROOT,
    Worker,
    reset_broker_connections,
    worker_database_url,
)
from tests.threads import committed, table_locked

from .servers import Process, Redis, project_env

FUEL_TABLE = "fleet_fuelrecord"
WAIT_SECONDS = 30


@pytest.fixture(scope="module")
def broker(tmp_path_factory, django_db_setup):
    """A Redis of the module's own, for this process's Celery app and the workers."""
    server = Redis(tmp_path_factory.mktemp("broker"))
    working = celery_app.conf.broker_url
    celery_app.conf.broker_url = server.broker_url
    reset_broker_connections()
    yield server
    celery_app.conf.broker_url = working
    reset_broker_connections()
    server.stop()


def start_worker(broker: Redis, queue: str, pool: str, **env: str) -> Worker:
    """A worker with one pool process (or none: `solo`) that takes the tasks of `queue`."""
    name = f"{queue}-{uuid.uuid4().hex[:6]}@localhost"
    args = [sys.executable, "-m", "celery", "-A", "config", "worker", f"--pool={pool}"]
    args += ["--concurrency=1", "--without-heartbeat", "--without-gossip", "--without-mingle"]
    args += ["-Q", queue, "-l", "warning", "-n", name]
    started = Process.start(args, project_env(worker_database_url(), broker.url) | env)
    worker = Worker(started.process, started.log, name)
    worker.wait_until_ready()
    return worker


def stop_worker(worker: Worker) -> None:
    """SIGKILL, pool processes first: nothing of a test worker is worth a warm shutdown."""
    pid = worker.process.pid
    with contextlib.suppress(FileNotFoundError, ProcessLookupError):
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            os.kill(int(child), signal.SIGKILL)
    worker.process.kill()
    worker.stop()


def pool_process(worker: Worker) -> int:
    """The pid of a prefork worker's one pool process (the one that runs the task)."""
    pid = worker.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


@dataclass
class Exporter:
    """A committed dispatcher of acme and a car with two fuel records; removed afterwards with
    the jobs (and their files) made for them."""

    company: object
    user: User
    car_id: int

    def job(self) -> str:
        def create():
            connection.set_tenant(self.company)
            return str(
                ExportJob.objects.create(
                    report="fuel-records",
                    format="csv",
                    params={"car": self.car_id},
                    created_by=self.user,
                ).pk
            )

        return committed(create)

    def queue(self, job_id: str, queue: str) -> None:
        connection.set_tenant(self.company)  # the task carries the schema it is sent from
        build_export.apply_async(args=[job_id], queue=queue)

    def state(self, job_id: str) -> dict:
        connection.set_tenant(self.company)  # read committed: each query sees the workers' writes
        return ExportJob.objects.values(
            "status", "rows", "error", "file", "started_at", "finished_at"
        ).get(pk=job_id)

    def remove(self) -> None:
        connection.set_tenant(self.company)
        jobs = ExportJob.objects.filter(created_by=self.user)
        for name in jobs.exclude(file="").values_list("file", flat=True):
            (WORKER_MEDIA_ROOT / self.company.schema_name / name).unlink(missing_ok=True)
        jobs.delete()
        FuelRecord.objects.filter(car_id=self.car_id).delete()
        Car.objects.filter(pk=self.car_id).delete()
        User.objects.filter(pk=self.user.pk).delete()


@pytest.fixture
def exporter(acme):
    def setup():
        connection.set_tenant(acme)
        user = UserFactory(company=acme, role=Role.DISPATCHER)
        car = CarFactory(numplate="09KILL01")
        for month, liters in [(1, "30.00"), (2, "45.50")]:
            FuelRecordFactory(car=car, year=2026, month=month, liters=Decimal(liters))
        return Exporter(acme, user, car.pk)

    made = committed(setup)
    yield made
    committed(made.remove)


def lock_waiters(company) -> int:
    """Sessions waiting for a lock on the company's fuel records."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = %s::regclass",
            [f'"{company.schema_name}"."{FUEL_TABLE}"'],
        )
        return cursor.fetchone()[0]


def fuel_table_locked(company):
    """The company's fuel records locked so that even reads wait: a build waits there with its
    job `running`."""
    return table_locked(company, FUEL_TABLE, "ACCESS EXCLUSIVE", hold_seconds=WAIT_SECONDS * 2)


def wait_until(condition: Callable[[], bool], worker: Worker | None, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            output = worker.output() if worker else ""
            pytest.fail(f"Not within {WAIT_SECONDS} s: {what}\n{output}")
        time.sleep(0.05)


def blocked_in_build(exporter: Exporter, job_id: str, waiters: int) -> Callable[[], bool]:
    """The job is `running` and its build waits for the lock (with `waiters` sessions waiting:
    a killed worker's session waits on until the lock is released)."""

    def check() -> bool:
        return (
            exporter.state(job_id)["status"] == ExportStatus.RUNNING
            and lock_waiters(exporter.company) == waiters
        )

    return check


def finished(exporter: Exporter, job_id: str) -> Callable[[], bool]:
    return lambda: exporter.state(job_id)["status"] in (ExportStatus.SUCCEEDED, ExportStatus.FAILED)


def queue_is_empty(broker: Redis, queue: str) -> Callable[[], bool]:
    """Nothing waits in the queue and nothing is taken but unacknowledged (kombu's `unacked`)."""
    client = redis.Redis.from_url(broker.broker_url)
    return lambda: client.llen(queue) == 0 and client.hlen("unacked") == 0


def assert_succeeded(exporter: Exporter, job_id: str) -> None:
    state = exporter.state(job_id)
    assert (state["status"], state["rows"], state["error"], state["file"]) == (
        "succeeded",
        2,
        "",
        f"exports/{job_id}.csv",
    )
    content = (WORKER_MEDIA_ROOT / exporter.company.schema_name / state["file"]).read_text()
    assert content.count("09KILL01") == 2


@pytest.fixture(scope="module")
def pool_worker(broker):
    """A prefork worker with one pool process: what production runs."""
    worker = start_worker(broker, "pool", "prefork")
    yield worker
    stop_worker(worker)


def test_a_pool_process_killed_mid_export_is_retried_to_success(pool_worker, exporter, broker):
    """As when the kernel's OOM killer picks the process building a big export: the worker
    sees its pool process die and hands the task out again at once."""
    job_id = exporter.job()
    with fuel_table_locked(exporter.company):
        exporter.queue(job_id, "pool")
        wait_until(blocked_in_build(exporter, job_id, 1), pool_worker, "the build waits")
        os.kill(pool_process(pool_worker), signal.SIGKILL)

    wait_until(finished(exporter, job_id), pool_worker, "the job finishes")
    assert_succeeded(exporter, job_id)
    wait_until(queue_is_empty(broker, "pool"), pool_worker, "the queue is empty")


def test_an_export_whose_retry_is_killed_too_fails_with_its_reason(pool_worker, exporter, broker):
    """An export that kills its worker every time must not loop: the retry is the last try."""
    job_id = exporter.job()
    with fuel_table_locked(exporter.company):
        exporter.queue(job_id, "pool")
        wait_until(blocked_in_build(exporter, job_id, 1), pool_worker, "the build waits")
        first_start = exporter.state(job_id)["started_at"]
        os.kill(pool_process(pool_worker), signal.SIGKILL)
        wait_until(
            lambda: (
                blocked_in_build(exporter, job_id, 2)()
                and exporter.state(job_id)["started_at"] != first_start
            ),
            pool_worker,
            "the retry's build waits",
        )
        os.kill(pool_process(pool_worker), signal.SIGKILL)

        wait_until(finished(exporter, job_id), pool_worker, "the job finishes")

    state = exporter.state(job_id)
    assert (state["status"], state["rows"], state["error"], state["file"]) == (
        "failed",
        None,
        INTERRUPTED,
        "",
    )
    assert state["finished_at"] is not None
    # Nothing is left to deliver again: no loop.
    wait_until(queue_is_empty(broker, "pool"), pool_worker, "the queue is empty")


def test_a_whole_worker_killed_mid_export_is_retried_by_the_next_worker(exporter, broker):
    """As when the machine running the worker is lost: the message the dead worker took but
    never acknowledged goes back to the queue after the visibility timeout (35 minutes in
    production, 1 s here), and the next worker retries the job."""
    job_id = exporter.job()
    first = start_worker(broker, "lost", "solo")
    try:
        with fuel_table_locked(exporter.company):
            exporter.queue(job_id, "lost")
            wait_until(blocked_in_build(exporter, job_id, 1), first, "the build waits")
            first.process.kill()  # SIGKILL: the worker and what it was building are gone
            first.process.wait(timeout=10)
    finally:
        stop_worker(first)
    assert exporter.state(job_id)["status"] == "running"  # until a worker takes it again

    second = start_worker(broker, "lost", "solo", CELERY_VISIBILITY_TIMEOUT="1")
    try:
        wait_until(finished(exporter, job_id), second, "the job finishes")
        assert_succeeded(exporter, job_id)
        wait_until(queue_is_empty(broker, "lost"), second, "the queue is empty")
    finally:
        stop_worker(second)
