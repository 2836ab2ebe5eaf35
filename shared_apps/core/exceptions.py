"""The API errors the apps raise besides DRF's own; each has a stable `code`."""

import math

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.exceptions import APIException
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings


def validation_detail(exc: DjangoValidationError) -> dict:
    """A Django ValidationError (a service's, a model's `full_clean()`) as a serializer's error
    detail: what a model's `clean()` says of no one field is the API's non-field error, not a
    field named `__all__`."""
    detail = as_serializer_error(exc)
    if NON_FIELD_ERRORS in detail:
        detail.setdefault(api_settings.NON_FIELD_ERRORS_KEY, []).extend(
            detail.pop(NON_FIELD_ERRORS)
        )
    return detail


class RequestTooLarge(APIException):
    status_code = 413
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


class BadRequest(APIException):
    status_code = 400
    default_detail = _("Bad request.")
    default_code = "bad_request"


class Conflict(APIException):
    """The request is valid but the current state forbids it (e.g. deleting a car with history)."""

    status_code = 409
    default_detail = _("The request conflicts with the current state of the resource.")
    default_code = "conflict"


class ServiceUnavailable(APIException):
    """A service the request needs (the job queue, the AI provider) is down."""

    status_code = 503
    default_detail = _("The service is temporarily unavailable; try again shortly.")
    default_code = "service_unavailable"


def throttled_detail(wait: int | None) -> str:
    """The 429 message, in the request's language (the admin logins' 429 says the same)."""
    if wait is None:
        return gettext("Too many requests; try again later.")
    return ngettext(
        "Too many requests; try again in %(wait)d second.",
        "Too many requests; try again in %(wait)d seconds.",
        wait,
    ) % {"wait": wait}


class Throttled(exceptions.Throttled):
    """DRF's 429 (code `throttled`, `Retry-After`) with a message that translates: DRF puts the
    number of seconds into its sentence before looking the sentence up, so it stays English."""

    def __init__(self, wait: float | None = None):
        wait = math.ceil(wait) if wait is not None else None
        super().__init__(detail=throttled_detail(wait))
        self.wait = wait
