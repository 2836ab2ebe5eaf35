"""Local development: debug on, API docs open to everyone."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
DOCS_PUBLIC = env.bool("DOCS_PUBLIC", default=True)

# Static files come from the apps (finders); collectstatic is for production images.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
