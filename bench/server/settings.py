"""The project's settings (dev, DEBUG off) with the benchmark's additions: the baseline views in
the company URLs, and with BENCH_NEW_MIGRATION=1 a tenant app with one new migration."""

import os

from config.settings.dev import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.server.urls"
SPECTACULAR_SETTINGS = {**SPECTACULAR_SETTINGS, "SERVE_URLCONF": "bench.server.urls"}  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False}  # no per-request console output

if os.environ.get("BENCH_NEW_MIGRATION") == "1":
    TENANT_APPS = [*TENANT_APPS, "bench.newapp"]  # noqa: F405
    INSTALLED_APPS = [*INSTALLED_APPS, "bench.newapp"]  # noqa: F405
