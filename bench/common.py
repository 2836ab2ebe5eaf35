"""Helpers shared by the benchmarks: a Django set-up, a company to measure in, measurements in
fresh processes (so that each peak memory figure is that run's own) and the printed table."""

import multiprocessing
import os
import resource
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from queue import Empty

BENCH_SLUG = "bench"


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()


def migrate() -> None:
    """Bring the bench database up to date (a fresh .data/bench starts empty)."""
    from django.core.management import call_command

    call_command("migrate_schemas", verbosity=0)


def bench_company(
    slug: str = BENCH_SLUG, name: str = "Benchmark LLC", admin_username: str = "bench-boss"
):
    """A benchmark's company, `bench` by default (created once; its data is kept in
    .data/bench between runs)."""
    from shared_apps.companies.models import Company
    from shared_apps.companies.services import company_create

    company = Company.objects.filter(slug=slug).first()
    if company is None:
        company = company_create(
            slug=slug,
            name=name,
            admin_username=admin_username,
            admin_password="Bench-pass-2026!",
        ).company
    return company


def access_token(username: str = "bench-boss") -> str:
    """A Bearer token of a benchmark company's user (the bench company's admin by default)."""
    from shared_apps.accounts.models import User
    from shared_apps.accounts.tokens import refresh_token_for

    return str(refresh_token_for(User.objects.get(username=username)).access_token)


@dataclass(frozen=True)
class Measurement:
    seconds: float
    rows: int
    peak_mb: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")


def pg_binary(name: str) -> str:
    """A PostgreSQL client program (psql, pg_dump): pgserver's own, matching the embedded
    server, else the one on PATH."""
    try:
        import pgserver

        bundled = Path(pgserver.__file__).parent / "pginstall" / "bin" / name
        if bundled.exists():
            return str(bundled)
    except ImportError:
        pass
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"the benchmarks need {name}")
    return found


def peak_resident_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM belongs to the process image, whereas
    `ru_maxrss` survives exec: a spawned child would report at least its parent's size."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(target: Callable[..., int | tuple[int, float]], args: tuple, queue) -> None:
    django_setup()
    from django.db import connection

    connection.set_tenant(bench_company())
    started = time.perf_counter()
    result = target(*args)
    seconds = time.perf_counter() - started
    rows, seconds = result if isinstance(result, tuple) else (result, seconds)
    queue.put(Measurement(seconds=seconds, rows=rows, peak_mb=peak_resident_mb()))


def in_fresh_process(target: Callable, *args, env: dict[str, str] | None = None):
    """`target(*args, queue)` (a module-level function) in a new process started with
    `os.environ` updated by `env`; what it puts in the queue."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    saved = dict(os.environ)
    os.environ.update(env or {})  # a spawned process starts with the environment of this moment
    try:
        process = context.Process(target=target, args=(*args, queue))
        process.start()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    while True:  # a child that dies before answering must not leave us waiting forever
        try:
            result = queue.get(timeout=1)
            break
        except Empty:
            if not process.is_alive():
                raise RuntimeError(f"the measured process died ({process.exitcode})") from None
    process.join()
    assert process.exitcode == 0, process.exitcode
    return result


def measure(target: Callable[..., int | tuple[int, float]], *args) -> Measurement:
    """Run `target(*args)` (a module-level function) in a fresh process, in the bench company's
    schema: its time and the process's peak resident memory. The target returns its row count,
    or (rows, seconds) when only part of it is to be timed."""
    return in_fresh_process(_child, target, args)


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    line = "  ".join("-" * w for w in widths)
    print(f"\n{title}\n{line}")
    print("  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)))
    print(line)
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    print(line)
