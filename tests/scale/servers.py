"""Real servers for the load and fault tests, all on 127.0.0.1 and stopped by the tests: the
project under gunicorn, a Redis and a PostgreSQL of their own (the embedded ones that
scripts/devstack.py starts), and a plain HTTP client.

The gunicorn server runs config.settings.test against the pytest database, so it sees the
session's companies; what the tests make for it must be committed and removed again."""

import contextlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings

from scripts.devstack import free_port, start_redis
from tests.reports.test_exports import worker_database_url

HOST = "acme.localhost"


def with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    return parts._replace(query=urlencode([*parse_qsl(parts.query), *params.items()])).geturl()


# --- HTTP -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict | None
    seconds: float


def call(
    port: int,
    method: str,
    path: str,
    body: dict | None = None,
    *,
    token: str | None = None,
    host: str = HOST,
    timeout: float = 30,
) -> Answer:
    """One request on a connection of its own; the answer's JSON body (every answer of the API
    is JSON)."""
    headers = {"Host": host, "Accept": "application/json", "Accept-Language": "en"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(
            method, path, body=None if body is None else json.dumps(body), headers=headers
        )
        response = connection.getresponse()
        content = response.read()
    finally:
        connection.close()
    return Answer(
        response.status, json.loads(content) if content else None, time.monotonic() - started
    )


# --- Processes ------------------------------------------------------------------------------------


@dataclass
class Process:
    """A subprocess whose output goes to a temporary file, for the failure message."""

    process: subprocess.Popen
    log: object = field(repr=False)

    @classmethod
    def start(cls, args: list[str], env: dict[str, str]) -> "Process":
        log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
        process = subprocess.Popen(  # noqa: S603 - fixed arguments
            args, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        return cls(process, log)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-8000:]

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


def project_env(database_url: str, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
    }


@dataclass
class Gunicorn:
    """The project's WSGI app under gunicorn: `workers` processes of `threads` threads, so at
    most workers × threads database connections (each thread keeps its own, CONN_MAX_AGE)."""

    port: int
    server: Process
    workers: int
    threads: int

    @classmethod
    def start(
        cls, *, database_url: str, redis_url: str, workers: int = 2, threads: int = 8
    ) -> "Gunicorn":
        port = free_port()
        args = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
        args += ["--bind", f"127.0.0.1:{port}", "--worker-class", "gthread"]
        args += ["--workers", str(workers), "--threads", str(threads)]
        args += ["--timeout", "60", "--graceful-timeout", "5", "--log-level", "warning"]
        server = cls(
            port, Process.start(args, project_env(database_url, redis_url)), workers, threads
        )
        server.wait_until_serving()
        return server

    def wait_until_serving(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.server.process.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{self.server.output()}")
            with contextlib.suppress(OSError):
                if call(self.port, "GET", "/healthz", host="localhost", timeout=5).status:
                    return
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"gunicorn did not answer in {timeout} s:\n{self.server.output()}")

    def call(self, method: str, path: str, body: dict | None = None, **kwargs) -> Answer:
        return call(self.port, method, path, body, **kwargs)

    def stop(self) -> None:
        self.server.stop()


def pytest_database_url(application_name: str) -> str:
    """The pytest database, for a server process; its connections carry `application_name`,
    so that they can be counted in pg_stat_activity."""
    return with_query(worker_database_url(), application_name=application_name)


# --- Redis ----------------------------------------------------------------------------------------


class Redis:
    """A redis-server of the test's own, which it may stop and start again on the same port."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.url, self.process = start_redis(folder)
        self.port = urlsplit(self.url).port
        # The database config.settings.test gives the broker when REDIS_URL is this server.
        self.broker_url = urlsplit(self.url)._replace(path="/14").geturl()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def start_again(self) -> None:
        self.url, self.process = start_redis(self.folder, port=self.port)

    def is_running(self) -> bool:
        return self.process.poll() is None


# --- PostgreSQL -----------------------------------------------------------------------------------


class Postgres:
    """A PostgreSQL cluster of the test's own (pgserver, as scripts/devstack.py uses), holding a
    copy of the pytest database, which the test may stop and start again."""

    DATABASE = "fleet"

    def __init__(self, folder: Path):
        import pgserver  # imported here: it warns about XDG_RUNTIME_DIR when imported

        self.server = pgserver.get_server(folder, cleanup_mode="delete")
        info = self.server.get_postmaster_info()
        self.socket_dir, self.port = info.socket_dir, info.port
        query = urlencode({"host": self.socket_dir, "port": self.port})
        self.url = f"postgresql://postgres@/{self.DATABASE}?{query}"
        self.server.psql(f"CREATE DATABASE {self.DATABASE};")
        dump = self._run("pg_dump", "--no-owner", "--no-privileges", worker_database_url())
        self._run("psql", "-q", "-v", "ON_ERROR_STOP=1", self.url, stdin=_without_foreign(dump))

    @staticmethod
    def _bin(name: str) -> str:
        from pgserver._commands import POSTGRES_BIN_PATH

        return str(POSTGRES_BIN_PATH / name)

    def _run(self, program: str, *args: str, stdin: bytes | None = None) -> bytes:
        return subprocess.run(  # noqa: S603 - fixed arguments
            [self._bin(program), *args], input=stdin, check=True, capture_output=True, timeout=60
        ).stdout

    def restart(self) -> None:
        """Stop (fast: every session is ended, as an operator's restart does) and start again as
        pgserver does, on the same socket; returns once the server accepts connections."""
        with tempfile.TemporaryFile() as output:  # not a pipe: the server would hold it open
            stopped = subprocess.run(  # noqa: S603 - fixed arguments
                [self._bin("pg_ctl"), "-D", str(self.server.pgdata), "-w", "-m", "fast", "stop"],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                timeout=30,
                user=self.server.system_user,  # pgserver's own user when run as root
                check=False,
            )
            output.seek(0)
            assert stopped.returncode == 0, output.read().decode(errors="replace")
        self.server.ensure_postgres_running()

    def psql(self, sql: str) -> str:
        return self._run("psql", "-XAtq", "-v", "ON_ERROR_STOP=1", self.url, "-c", sql).decode()

    def cleanup(self) -> None:
        """Stop the server and delete its data."""
        self.server.cleanup()


def _without_foreign(dump: bytes) -> bytes:
    """The system PostgreSQL of a developer's machine may mark columns with an attribute option
    that a stock server refuses; it means nothing to the copy."""
    return re.sub(rb"(?m)^ALTER TABLE ONLY \S+ ALTER COLUMN \S+ SET \(pg_attver=\d+\);$", b"", dump)
