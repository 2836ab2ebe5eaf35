"""Run by ./scripts/run inside devstack (services are up and in the environment): migrate,
seed the demo company, then serve the API with a Celery worker (and beat) beside it.
Ctrl-C or SIGTERM stops both."""

import os
import signal
import subprocess
import sys

PYTHON = sys.executable
SETUP = [
    [PYTHON, "manage.py", "deploy_migrations", "-v", "0"],
    [PYTHON, "manage.py", "seed_demo"],
]
WORKER = [
    PYTHON,
    "-m",
    "celery",
    "-A",
    "config",
    "worker",
    "--beat",
    "--loglevel=INFO",
    "--concurrency=2",
    "--schedule=.data/run/celerybeat-schedule",
]


def web_command(environ: dict[str, str]) -> list[str]:
    """Django's development server, on this machine only unless `HOST` (e.g. 0.0.0.0) says
    otherwise: it runs with DEBUG on and a key that only this checkout knows."""
    address = f"{environ.get('HOST', '127.0.0.1')}:{environ.get('PORT', '8000')}"
    return [PYTHON, "manage.py", "runserver", address, "--noreload"]


def main() -> int:
    for command in SETUP:
        subprocess.run(command, check=True)
    worker = subprocess.Popen(WORKER)
    web = subprocess.Popen(web_command(os.environ))
    port = os.environ.get("PORT", "8000")
    print(
        f"\nFleet API: http://demo.localhost:{port}/api/docs/"
        f"  (platform admin: http://localhost:{port}/admin/)\n",
        flush=True,
    )

    def stop(*_):
        for process in (web, worker):
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    web.wait()
    stop()
    worker.wait()
    return web.returncode


if __name__ == "__main__":
    sys.exit(main())
