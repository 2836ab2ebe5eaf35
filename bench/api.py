"""List endpoints under load: `GET /api/v1/cars/?page_size=100` and
`GET /api/v1/fuel-records/?page_size=100` of the large company, served by gunicorn with 2 sync
workers, against a bare view on the same server (bench/server/views.py: same middleware and JWT
authentication, the same rows from one raw SQL query, orjson) under the same load.

The load generator is an asyncio client in this process: CONCURRENCY connections, each sending its
next request as soon as the previous answer is read, for SECONDS after a WARM_UP. It shares the
machine's two cores with the server, the same way for both sides of each comparison.

Goal (issue 6): each endpoint at least half the bare view's requests per second."""

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench import dataset
from bench.common import bench_company, django_setup, migrate, print_table
from scripts.devstack import free_port

HOST = "bench.localhost"
CONCURRENCY = 8
WARM_UP = 2.0
SECONDS = 10.0
GOAL = 0.5  # the endpoint's requests/s over the bare view's
ENDPOINTS = {
    "/api/v1/cars/?page_size=100": "/bare/cars/",
    "/api/v1/fuel-records/?page_size=100": "/bare/fuel-records/",
}
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Load:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[p - 1]


async def _get(port: int, path: str, token: str) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {token}\r\n"
        "Accept-Language: en\r\nConnection: close\r\n\r\n".encode()
    )
    response = await reader.read()  # gunicorn's sync workers close after each answer
    writer.close()
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


async def _load(port: int, path: str, token: str) -> Load:
    latencies: list[float] = []
    errors = 0
    recording = False

    async def client(stop_at: float) -> None:
        nonlocal errors
        while (now := time.perf_counter()) < stop_at:
            status, _ = await _get(port, path, token)
            if recording:
                latencies.append((time.perf_counter() - now) * 1000)
                errors += status != 200

    started = time.perf_counter()
    stop_at = started + WARM_UP + SECONDS
    clients = [asyncio.create_task(client(stop_at)) for _ in range(CONCURRENCY)]
    await asyncio.sleep(WARM_UP)
    recording, recorded_from = True, time.perf_counter()
    await asyncio.gather(*clients)
    return Load(len(latencies), errors, time.perf_counter() - recorded_from, latencies)


def _serve(port: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.server.settings", "DEBUG": "off"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def _token() -> str:
    from shared_apps.accounts.models import User
    from shared_apps.accounts.tokens import refresh_token_for

    return str(refresh_token_for(User.objects.get(username="bench-boss")).access_token)


def _same_rows(port: int, path: str, bare: str, token: str) -> None:
    """Both sides answer 200 with the same 100 rows in the same order."""
    ours, bare_answer = (asyncio.run(_get(port, p, token)) for p in (path, bare))
    assert ours[0] == bare_answer[0] == 200, (ours, bare_answer)
    ours_ids = [row["id"] for row in json.loads(ours[1])["results"]]
    bare_ids = [row["id"] for row in json.loads(bare_answer[1])["results"]]
    assert ours_ids == bare_ids, (ours_ids[:5], bare_ids[:5])
    assert len(ours_ids) == 100, len(ours_ids)


def main(argv: list[str]) -> int:
    django_setup()
    from django.db import connection

    migrate()
    connection.set_tenant(bench_company())
    dataset.seed()
    token = _token()
    connection.close()

    port = free_port()
    server = _serve(port)
    table, misses = [], 0
    try:
        for path, bare in ENDPOINTS.items():
            _same_rows(port, path, bare, token)
            ours = asyncio.run(_load(port, path, token))
            base = asyncio.run(_load(port, bare, token))
            assert ours.errors == base.errors == 0, (ours.errors, base.errors)
            ratio = ours.rps / base.rps
            misses += ratio < GOAL
            table.append(
                [
                    f"GET {path}",
                    f"{ours.rps:.0f}",
                    *(f"{ours.percentile(p):.0f}" for p in (50, 95, 99)),
                    f"{base.rps:.0f}",
                    *(f"{base.percentile(p):.0f}" for p in (50, 95, 99)),
                    f"{ratio:.2f} (goal >= {GOAL})",
                    "ok" if ratio >= GOAL else "MISS",
                ]
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    print_table(
        f"List endpoints under load: gunicorn, 2 workers, {CONCURRENCY} concurrent clients, "
        f"{SECONDS:.0f} s each (latencies in ms)",
        ["endpoint", "rps", "p50", "p95", "p99", "bare rps", "p50", "p95", "p99", "ratio", ""],
        table,
    )
    return misses
