"""What production installs is what is tested: the project installed without its `dev` and
`local` extras into a fresh virtual environment (as the Dockerfile does), run with
config.settings.prod against the test PostgreSQL and Redis, passes `check --deploy`, starts a
Celery worker that answers a ping (the compose file's health check), and that worker builds an
export queued by the same installation.

The development environment cannot show a missing dependency (its test tools bring packages of
their own, `packaging` among them), hence the second environment. Its wheels are cached in
`.data/wheels/`: a run installs from there without the network, and only fills the cache from
the package index when a pin changed (or on the first run)."""

import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings

from tests.reports.test_exports import WORKER_MEDIA_ROOT, worker_database_url

# The committed dispatcher, car and fuel records of the worker tests, removed with their jobs.
from tests.scale.test_worker_killed import assert_succeeded, exporter  # noqa: F401

WHEELS = Path(settings.BASE_DIR) / ".data" / "wheels"
# What the Dockerfile copies into the image.
SOURCES = (
    "pyproject.toml",
    "README.md",
    "manage.py",
    "config",
    "shared_apps",
    "tenant_apps",
    "locale",
)
# A Redis database of its own: the production settings put the cache and the broker on
# REDIS_URL's, and the test settings use 14 and 15.
REDIS_DATABASE = 13
WAIT_SECONDS = 60
# `check --deploy` warnings accepted by the defaults of config.settings.prod: TLS is terminated
# by the proxy in front, so HSTS and the HTTPS redirect stay off until the operator turns them
# on (SECURE_HSTS_SECONDS, SECURE_SSL_REDIRECT; README, Configuration).
ACCEPTED_DEPLOY_WARNINGS = ["security.W004", "security.W008"]


def pip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def fill_wheel_cache(source: Path) -> None:
    """Wheels of every production dependency (and of the build backend), from the index."""
    project = tomllib.loads((source / "pyproject.toml").read_text())
    requirements = [*project["build-system"]["requires"], *project["project"]["dependencies"]]
    filled = pip("wheel", "--wheel-dir", str(WHEELS), "--find-links", str(WHEELS), *requirements)
    assert filled.returncode == 0, filled.stdout + filled.stderr


@pytest.fixture(scope="module")
def production_install(tmp_path_factory) -> Path:
    """The project's sources as the image holds them, installed into a new virtual environment
    the way the Dockerfile does (`pip install .`, no extras); returns the sources' folder."""
    root = tmp_path_factory.mktemp("production")
    source = root / "app"
    for name in SOURCES:
        origin = Path(settings.BASE_DIR) / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy(origin, source / name)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)  # noqa: S603
    install = ["--python", str(venv / "bin" / "python"), "install", "--no-compile", "--quiet"]
    install += ["--no-index", "--find-links", str(WHEELS), str(source)]
    installed = pip(*install)
    if installed.returncode != 0:  # a wheel is missing: a new pin, or the first run
        fill_wheel_cache(source)
        installed = pip(*install)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return source


@pytest.fixture(scope="module")
def production_env(production_install, django_db_setup) -> dict[str, str]:
    """The environment of a production process: nothing of this one's (no dev packages, no
    .env), the pytest database and a Redis database of its own, which is emptied before and
    after."""
    redis_url = urlsplit(settings.REDIS_URL)._replace(path=f"/{REDIS_DATABASE}").geturl()
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    venv_bin = production_install.parent / "venv" / "bin"
    yield {
        "PATH": f"{venv_bin}:/usr/bin:/bin",
        "HOME": str(production_install.parent),
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(WORKER_MEDIA_ROOT),  # where Exporter removes the files
        # The pytest database is shared with the other tests: no spare schemas made in it.
        "TENANT_SPARE_SCHEMAS": "0",
    }
    client.flushdb()
    client.close()


def run(source: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed arguments
        args, cwd=source, env=env, capture_output=True, text=True, timeout=120, check=False
    )


class Worker:
    """`celery -A config worker` of the production installation, its output in a file."""

    def __init__(self, source: Path, env: dict[str, str]):
        self.source, self.env = source, env
        self.name = f"deploy-{uuid.uuid4().hex[:8]}@localhost"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
        args = ["celery", "-A", "config", "worker", "--concurrency=1", "-l", "warning"]
        args += ["--without-heartbeat", "--without-gossip", "--without-mingle", "-n", self.name]
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            args, cwd=source, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-5000:]

    def answers_ping(self) -> bool:
        """The compose file's health check of the worker."""
        ping = run(
            self.source, self.env, "celery", "-A", "config", "inspect", "ping", "-d", self.name
        )
        return ping.returncode == 0 and f"{self.name}: OK" in ping.stdout

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture
def production_worker(production_install, production_env):
    worker = Worker(production_install, production_env)
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while not worker.answers_ping():
            if worker.process.poll() is not None:
                pytest.fail(f"The worker exited ({worker.process.returncode}):\n{worker.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"The worker did not answer in {WAIT_SECONDS} s:\n{worker.output()}")
        yield worker
    finally:
        worker.stop()


def test_deploy_checks_pass_with_only_the_accepted_warnings(production_install, production_env):
    checked = run(production_install, production_env, "python", "manage.py", "check", "--deploy")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    warnings = sorted(
        line.split("(")[1].split(")")[0] for line in checked.stderr.splitlines() if ": (" in line
    )
    assert warnings == ACCEPTED_DEPLOY_WARNINGS, checked.stderr
    assert "System check identified 2 issues (0 silenced)." in checked.stdout + checked.stderr


def test_an_export_queued_by_the_installation_is_built_by_its_worker(
    production_install,
    production_env,
    production_worker,
    exporter,  # noqa: F811 - the fixture imported above
):
    queue = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "from shared_apps.accounts.models import User\n"
        "from shared_apps.companies.models import Company\n"
        "from tenant_apps.reports.services import export_job_create\n"
        "connection.set_tenant(Company.objects.get(slug='acme'))\n"
        f"job = export_job_create(user=User.objects.get(pk={exporter.user.pk}),"
        f" report='fuel-records', file_format='csv', params={{'car': {exporter.car_id}}})\n"
        "print(job.pk)\n"
    )
    queued = run(production_install, production_env, "python", "-c", queue)
    assert queued.returncode == 0, queued.stdout + queued.stderr
    job_id = queued.stdout.split()[-1]

    deadline = time.monotonic() + WAIT_SECONDS
    while exporter.state(job_id)["status"] not in ("succeeded", "failed"):
        assert time.monotonic() < deadline, production_worker.output()
        time.sleep(0.1)
    assert_succeeded(exporter, job_id)
    assert (WORKER_MEDIA_ROOT / "acme" / "exports" / f"{job_id}.csv").is_file()
