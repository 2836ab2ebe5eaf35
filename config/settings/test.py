"""Tests: a real PostgreSQL and Redis (see scripts/test); fast hashing; tight throttles."""

from urllib.parse import urlsplit

from .base import *  # noqa: F403
from .base import REDIS_URL, REST_FRAMEWORK

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
DOCS_PUBLIC = True
BASE_DOMAIN = "localhost"
ALLOWED_HOSTS = ["localhost", ".localhost"]

# Tests flush their Redis database: keep them off the one a developer's server uses.
# The broker has a database of its own: tests clear the cache's.
TEST_REDIS_URL = urlsplit(REDIS_URL)._replace(path="/15").geturl()
CACHES["default"]["LOCATION"] = TEST_REDIS_URL  # noqa: F405
CELERY_BROKER_URL = urlsplit(REDIS_URL)._replace(path="/14").geturl()

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"login_ip": "20/min", "login_username": "5/min"},
}
MEDIA_ROOT = str(BASE_DIR / ".data" / "test-media")  # noqa: F405
STATIC_ROOT = None

# No spare schemas unless a test makes them (a worker of the export tests would otherwise make
# committed ones in the test database).
TENANT_SPARE_SCHEMAS = 0

# A failed e-mail is retried within seconds, so that the retry tests do not wait.
EMAIL_RETRY_SECONDS = 0.5
