"""Production: refuses to start with a development secret or with DEBUG on."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, env

if DEBUG:  # noqa: F405
    raise ImproperlyConfigured("DEBUG must be off in production (config.settings.prod).")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-insecure") or "change-me" in SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY to a random value of at least 50 characters.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
# TLS is usually terminated by the proxy in front; turn these on once it serves HTTPS only.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
