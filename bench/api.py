"""List endpoints under load: `GET /api/v1/{cars,fuel-records,spares,insurances}/?page_size=100`
of the large company, served by gunicorn with 2 sync workers, next to two baselines serving the
same 100 rows under the same load:

- the bare view (bench/server/views.py): the same middleware and JWT authentication as the API,
  the rows from one raw SQL query, orjson; no DRF view, filter, count or serializer;
- the floor (bench/server/floor.py): the same query from a plain WSGI app, psycopg and orjson, no
  Django at all: the distance of both to what this machine can do.

The load generator is an asyncio client in this process: CONCURRENCY connections, each sending its
next request as soon as the previous answer is read, for SECONDS in all after a WARM_UP, the API,
the bare view and the floor taking turns in ROUNDS rounds; then one client alone for the latency
of a page (p50). It shares the machine's two cores with the servers, the
same way for every side of each comparison. The queries of a page are counted in process at two
page sizes: they must not grow with it.

Goals (issue 16): each endpoint at least 0.8 of the bare view's requests per second, and a
single client's p50 at most 15 ms."""

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
from bench.common import access_token, bench_company, django_setup, migrate, print_table
from scripts.devstack import free_port

HOST = "bench.localhost"
CONCURRENCY = 8
WARM_UP = 2.0
SECONDS = 10.0
ROUNDS = 5  # the sides of a comparison take turns (`_alternating`)
SINGLE_SECONDS = 5.0
GOAL = 0.8  # the endpoint's requests/s over the bare view's
P50_GOAL_MS = 15.0  # one client alone
ENDPOINTS = ["cars", "fuel-records", "spares", "insurances"]
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


async def _load(
    port: int,
    path: str,
    token: str,
    clients: int = CONCURRENCY,
    seconds: float = SECONDS,
    warm_up: float = WARM_UP,
) -> Load:
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
    stop_at = started + warm_up + seconds
    tasks = [asyncio.create_task(client(stop_at)) for _ in range(clients)]
    await asyncio.sleep(warm_up)
    recording, recorded_from = True, time.perf_counter()
    await asyncio.gather(*tasks)
    return Load(len(latencies), errors, time.perf_counter() - recorded_from, latencies)


def _serve(port: int, app: str = "config.wsgi:application", **env) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.server.settings",
        "DEBUG": "off",
        **env,
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            app,
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


def _alternating(*sides: tuple[int, str, str]) -> list[Load]:
    """Each side (port, path, token) under load for SECONDS in all, in ROUNDS rounds that take
    turns, after a warm-up of each: a machine whose speed drifts (another process, the CPU's
    clock) then weighs on every side alike, where one side after the other could meet a
    different machine."""
    for port, path, token in sides:
        asyncio.run(_load(port, path, token, seconds=0))
    rounds = [
        [
            asyncio.run(_load(port, path, token, seconds=SECONDS / ROUNDS, warm_up=0.2))
            for port, path, token in sides
        ]
        for _ in range(ROUNDS)
    ]
    return [
        Load(
            requests=sum(load.requests for load in loads),
            errors=sum(load.errors for load in loads),
            seconds=sum(load.seconds for load in loads),
            latencies_ms=[ms for load in loads for ms in load.latencies_ms],
        )
        for loads in zip(*rounds, strict=True)
    ]


def _ids(port: int, path: str, token: str) -> list[int]:
    status, body = asyncio.run(_get(port, path, token))
    assert status == 200, (path, status, body[:300])
    return [row["id"] for row in json.loads(body)["results"]]


def _page_queries(name: str, token: str) -> tuple[int, int]:
    """The queries of the endpoint's page at 25 and at 100 rows (a repeated request: the
    count comes from its cache), in process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Bearer {token}")
    counts = []
    for size in (25, 100):
        path = f"/api/v1/{name}/?page_size={size}"
        assert client.get(path).status_code == 200  # warm: caches of the host, user, count
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        counts.append(len(queries))
    return counts[0], counts[1]


def _floor_env() -> dict:
    from django.db import connection

    # The libpq URI the project itself reads (the embedded server's socket folder as its host).
    return {
        "BENCH_FLOOR_DSN": os.environ["DATABASE_URL"],
        "BENCH_FLOOR_SCHEMA": connection.schema_name,
    }


def main(argv: list[str]) -> int:
    django_setup()
    from django.db import connection

    migrate()
    connection.set_tenant(bench_company())
    dataset.seed()
    dataset.seed_compliance()  # the insurances
    token = access_token()
    queries = {name: _page_queries(name, token) for name in ENDPOINTS}
    floor_env = _floor_env()
    connection.close()

    port, floor_port = free_port(), free_port()
    server = _serve(port)
    floor = _serve(floor_port, "bench.server.floor:application", **floor_env)
    table, misses = [], 0
    try:
        for name in ENDPOINTS:
            path, bare = f"/api/v1/{name}/?page_size=100", f"/bare/{name}/"
            ours_ids = _ids(port, path, token)
            assert len(ours_ids) == 100, (name, len(ours_ids))
            assert ours_ids == _ids(port, bare, token) == _ids(floor_port, f"/floor/{name}/", "")
            ours, base, bottom = _alternating(
                (port, path, token), (port, bare, token), (floor_port, f"/floor/{name}/", "")
            )
            alone = [
                asyncio.run(_load(p, u, token, clients=1, seconds=SINGLE_SECONDS))
                for p, u in ((port, path), (port, bare), (floor_port, f"/floor/{name}/"))
            ]
            assert ours.errors == base.errors == bottom.errors == 0
            ratio = ours.rps / base.rps
            p50 = alone[0].percentile(50)
            ok = ratio >= GOAL and p50 <= P50_GOAL_MS
            misses += not ok
            table.append(
                [
                    f"{name}",
                    f"{ours.rps:.0f}",
                    f"{base.rps:.0f}",
                    f"{bottom.rps:.0f}",
                    f"{ratio:.2f} (>= {GOAL})",
                    f"{p50:.1f} (<= {P50_GOAL_MS:.0f})",
                    *(f"{load.percentile(50):.1f}" for load in alone[1:]),
                    f"{ours.percentile(95):.0f} / {base.percentile(95):.0f}",
                    "{} / {}".format(*queries[name]),
                    "ok" if ok else "MISS",
                ]
            )
    finally:
        for process in (server, floor):
            process.terminate()
            process.wait(timeout=30)
    print_table(
        f"List pages of 100 rows under load: gunicorn, 2 workers, {CONCURRENCY} concurrent "
        f"clients, {SECONDS:.0f} s each; then one client alone, {SINGLE_SECONDS:.0f} s "
        "(latencies in ms)",
        ["list", "API rps", "bare rps", "floor rps", "API / bare", "API p50 alone",
         "bare p50", "floor p50", "p95 API / bare", "queries at 25 / 100", ""],
        table,
    )  # fmt: skip
    return misses
