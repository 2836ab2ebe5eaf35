"""The project's settings (dev, DEBUG off) with the baseline views added to the company URLs."""

from config.settings.dev import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.server.urls"
SPECTACULAR_SETTINGS = {**SPECTACULAR_SETTINGS, "SERVE_URLCONF": "bench.server.urls"}  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False}  # no per-request console output
