# syntax=docker/dockerfile:1
# Production-like image: dependencies built in one stage, a slim non-root runtime in the other.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY config ./config
COPY shared_apps ./shared_apps
COPY tenant_apps ./tenant_apps
RUN python -m venv /venv && /venv/bin/pip install .

FROM python:3.11-slim AS runtime
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.prod \
    MEDIA_ROOT=/data/media
RUN useradd --create-home --uid 10001 fleet && mkdir -p /data/media && chown -R fleet /data
COPY --from=build /venv /venv
WORKDIR /app
COPY --chown=fleet manage.py ./
COPY --chown=fleet config ./config
COPY --chown=fleet shared_apps ./shared_apps
COPY --chown=fleet tenant_apps ./tenant_apps
RUN SECRET_KEY=build-only-collectstatic-key-not-used-at-run-time-0123456789 \
    python manage.py collectstatic --noinput -v 0 && chown -R fleet staticfiles
USER fleet
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
