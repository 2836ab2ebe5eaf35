# Production image: dependencies built in one stage, a slim non-root runtime in the other.
# BASE_IMAGE: any Debian-like image with Python 3.11 (python3 -m venv) on PATH as `python`;
# ./scripts/check-image and the README (Deployment) show how to build with a local one.
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# The dependencies that pyproject.toml declares, in a layer that only a change of that file
# rebuilds: the project's code runs from /app (below), so its package folders stay empty here.
COPY pyproject.toml ./
RUN mkdir config shared_apps tenant_apps && touch README.md \
    && python -m venv /venv && /venv/bin/pip install .

FROM ${BASE_IMAGE} AS runtime
# PATH in full: a base image made with debootstrap declares none.
ENV PATH=/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
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
COPY --chown=fleet locale ./locale
RUN SECRET_KEY=build-only-collectstatic-key-not-used-at-run-time-0123456789 \
    python manage.py collectstatic --noinput -v 0 && chown -R fleet staticfiles
USER fleet
EXPOSE 8000
# Kept only by the docker image format (podman builds OCI by default: build with --format
# docker); docker-compose.yml declares each service's own check.
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
