"""The API errors the apps raise besides DRF's own; each has a stable `code`."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException


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
