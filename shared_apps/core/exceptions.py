"""DRF exception handling: everything, including Django's own exceptions and unexpected errors,
leaves in the envelope `{"type", "errors": [{"code", "detail", "attr"}]}`."""

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_standardized_errors.handler import exception_handler as standardized_exception_handler
from rest_framework.exceptions import APIException, AuthenticationFailed
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.serializers import as_serializer_error


class RequestTooLarge(APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "request_too_large"


class BadRequest(APIException):
    status_code = 400
    default_detail = "Bad request."
    default_code = "bad_request"


def _flatten_simplejwt_error(exc: APIException) -> APIException:
    """simplejwt puts `{"detail", "code", "messages"}` in `detail`; make it one plain error."""
    detail = exc.detail
    if not (isinstance(detail, dict) and "detail" in detail):
        return exc
    flat = APIException(
        detail=str(detail["detail"]), code=str(detail.get("code", exc.default_code))
    )
    flat.status_code = exc.status_code
    flat.auth_header = getattr(exc, "auth_header", None)
    return flat


def exception_handler(exc, context):
    # Services raise Django's ValidationError; show it as the same 400 a serializer gives.
    if isinstance(exc, DjangoValidationError):
        exc = DRFValidationError(detail=as_serializer_error(exc))
    elif isinstance(exc, AuthenticationFailed):
        exc = _flatten_simplejwt_error(exc)
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, SuspiciousOperation):
        exc = BadRequest()
    return standardized_exception_handler(exc, context)


class Conflict(APIException):
    """The request is valid but the current state forbids it (e.g. deleting a car with history)."""

    status_code = 409
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"
