"""Run by ./scripts/run inside devstack (services are up and in the environment): migrate,
seed the demo company, then serve the API with a Celery worker (and beat) beside it.
Ctrl-C or SIGTERM stops both."""

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
WEB = [PYTHON, "manage.py", "runserver", "0.0.0.0:8000", "--noreload"]


def main() -> int:
    for command in SETUP:
        subprocess.run(command, check=True)
    worker = subprocess.Popen(WORKER)
    web = subprocess.Popen(WEB)
    print(
        "\nFleet API: http://demo.localhost:8000/api/docs/"
        "  (platform admin: http://localhost:8000/admin/)\n",
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
