"""What a request costs around its view: `GET /api/v1/auth/me/` (the cheapest authenticated
endpoint: it answers the user the authentication already loaded) of the `bench` company, sent
in this process through Django's test client with a Bearer token, so that the figures are the
stack's own, without a server or a network.

Printed side by side, with the host and user caches off (TENANT_HOST_CACHE_SECONDS=0,
AUTH_USER_CACHE_SECONDS=0) and on (the settings' values):
- the whole request: p50 and mean in ms, SQL queries and Redis commands per request;
- its parts, each timed alone: the company by host (`CompanyMiddleware`), the JWT's parse and
  check, the user's lookup (the authentication class minus the parse), with their queries and
  Redis commands;
- each middleware's own time (its call minus the rest of the chain below it).

Goal (issue "fast reads"): lists at page_size=100 in a p50 of 15 ms; this is the part of it that
is not the list's own work."""

import argparse
import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager

from bench.common import access_token, bench_company, django_setup, migrate, print_table

HOST = "bench.localhost"
PATH = "/api/v1/auth/me/"
REQUESTS = 2000
PARTS = 2000
MIDDLEWARE_REQUESTS = 2000
CACHES_OFF = {"TENANT_HOST_CACHE_SECONDS": 0, "AUTH_USER_CACHE_SECONDS": 0}


class RedisCounter:
    """Counts the commands sent to Redis (a pipeline counts as one round trip)."""

    def __init__(self) -> None:
        self.calls = 0

    @contextmanager
    def counting(self):
        import redis

        originals = (redis.Redis.execute_command, redis.client.Pipeline.execute)

        def command(client, *args, **kwargs):
            self.calls += 1
            return originals[0](client, *args, **kwargs)

        def pipeline(client, *args, **kwargs):
            self.calls += 1
            return originals[1](client, *args, **kwargs)

        redis.Redis.execute_command = command
        redis.client.Pipeline.execute = pipeline
        try:
            yield self
        finally:
            redis.Redis.execute_command, redis.client.Pipeline.execute = originals


def _per_call(call: Callable[[], object], runs: int) -> tuple[float, float, float, float]:
    """p50 and mean in ms of `call` over `runs` (after a warm-up), and its queries and Redis
    commands per call (counted over one more call)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(20):
        call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    counter = RedisCounter()
    with CaptureQueriesContext(connection) as queries, counter.counting():
        call()
    return statistics.median(times), statistics.fmean(times), len(queries), counter.calls


def _client(token: str):
    from django.test import Client

    client = Client(HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")

    def get() -> None:
        response = client.get(PATH)
        assert response.status_code == 200, (response.status_code, response.content[:300])

    return get


def _parts(token: str, company) -> dict[str, Callable[[], object]]:
    from django.db import connection
    from django.test import RequestFactory

    from shared_apps.accounts import tokens
    from shared_apps.accounts.authentication import CompanyJWTAuthentication
    from shared_apps.companies.middleware import CompanyMiddleware

    factory = RequestFactory(HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Bearer {token}")
    middleware = CompanyMiddleware(lambda request: None)
    authentication = CompanyJWTAuthentication()

    def company_by_host() -> None:
        request = factory.get(PATH)
        assert middleware.process_request(request) is None
        assert request.tenant.pk == company.pk

    def authenticated() -> None:
        request = factory.get(PATH)
        request.tenant = company
        connection.set_tenant(company)
        user, _ = authentication.authenticate(request)
        assert user.company_id == company.pk

    return {
        "company by host": company_by_host,
        "JWT parse and check": lambda: tokens.access_token_parse(token, company=company),
        "JWT parse + user": authenticated,
    }


def _measure(token: str, company, overrides: dict) -> dict[str, tuple[float, float, int, int]]:
    from django.core.cache import cache
    from django.test import override_settings

    with override_settings(**overrides):
        cache.clear()
        figures = {"request": _per_call(_client(token), REQUESTS)}
        for name, call in _parts(token, company).items():
            figures[name] = _per_call(call, PARTS)
    parse, both = figures["JWT parse and check"], figures["JWT parse + user"]
    figures["user lookup"] = tuple(b - p for b, p in zip(both, parse, strict=True))
    return figures


class _TimedMiddleware:
    """A middleware that adds its own time (its whole call, minus the rest of the chain it
    calls) to `spent[name]`."""

    def __init__(self, factory, name: str, spent: dict[str, float], get_response) -> None:
        self.name, self.spent, self.inner = name, spent, 0.0

        def rest_of_chain(request):
            started = time.perf_counter()
            try:
                return get_response(request)
            finally:
                self.inner += time.perf_counter() - started

        self.middleware = factory(rest_of_chain)

    def __getattr__(self, attribute):  # process_view and the like, which the handler calls
        return getattr(self.middleware, attribute)

    def __call__(self, request):
        self.inner = 0.0
        started = time.perf_counter()
        response = self.middleware(request)
        self.spent[self.name] += time.perf_counter() - started - self.inner
        return response


def _middleware_costs(token: str) -> list[list[str]]:
    """Each middleware's own time per request, caches on (its `__call__` minus the chain below
    it; hooks such as `process_view` count with the view)."""
    from django.conf import settings
    from django.core.handlers import base
    from django.test import Client
    from django.utils.module_loading import import_string

    spent = dict.fromkeys(settings.MIDDLEWARE, 0.0)

    def timed_import(path: str):
        factory = import_string(path)
        if path not in spent:
            return factory
        return lambda get_response: _TimedMiddleware(factory, path, spent, get_response)

    client = Client(HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")
    base.import_string = timed_import  # the handler builds its chain through it
    try:
        client.handler.load_middleware()
    finally:
        base.import_string = import_string
    for _ in range(20):
        client.get(PATH)
    spent.update(dict.fromkeys(spent, 0.0))
    for _ in range(MIDDLEWARE_REQUESTS):
        assert client.get(PATH).status_code == 200
    rows = [
        [name.rsplit(".", 1)[1], f"{seconds / MIDDLEWARE_REQUESTS * 1e6:.0f}"]
        for name, seconds in spent.items()
    ]
    return [*rows, ["all", f"{sum(spent.values()) / MIDDLEWARE_REQUESTS * 1e6:.0f}"]]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench overhead")
    parser.add_argument("--no-middleware", action="store_true", help="skip the middleware table")
    args, _ = parser.parse_known_args(argv)  # the other benchmarks' options are theirs
    django_setup()
    import logging

    from django.conf import settings
    from django.db import connection

    logging.disable(logging.WARNING)  # no line per request on the console
    migrate()
    company = bench_company()
    connection.set_schema_to_public()
    token = access_token()

    on = {
        name: getattr(settings, name, None)
        for name in CACHES_OFF
        if getattr(settings, name, None) is not None
    }
    off = _measure(token, company, CACHES_OFF)
    cached = _measure(token, company, {})
    rows = []
    for name in off:
        before, after = off[name], cached[name]
        rows.append(
            [
                name,
                f"{before[0]:.3f}",
                f"{before[1]:.3f}",
                str(before[2]),
                str(before[3]),
                f"{after[0]:.3f}",
                f"{after[1]:.3f}",
                str(after[2]),
                str(after[3]),
            ]
        )
    print_table(
        f"Per request overhead: GET {PATH} in process ({REQUESTS} requests; parts {PARTS} "
        f"calls each). Caches off | on ({on or 'settings not present'})",
        ["what", "off p50 ms", "mean", "SQL", "Redis", "on p50 ms", "mean", "SQL", "Redis"],
        rows,
    )
    if not args.no_middleware:
        print_table(
            f"Each middleware's own time, caches on (mean of {MIDDLEWARE_REQUESTS} requests)",
            ["middleware", "µs"],
            _middleware_costs(token),
        )
    return 0
