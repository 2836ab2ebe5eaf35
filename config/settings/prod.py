"""Production: refuses to start with a development secret or with DEBUG on."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, env

if DEBUG:  # noqa: F405
    raise ImproperlyConfigured("DEBUG must be off in production (config.settings.prod).")
# Only a key given to this deployment: never the checkout's development key, never an example's.
if not env("SECRET_KEY", default="") or len(SECRET_KEY) < 50 or "change-me" in SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY to a random value of at least 50 characters.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
# One JSON object per log line, for the log collector.
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING = {
    **LOGGING,  # noqa: F405
    "handlers": {"console": {**LOGGING["handlers"]["console"], "formatter": LOG_FORMAT}},  # noqa: F405
}
# TLS is usually terminated by the proxy in front; turn these on once it serves HTTPS only.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
