"""DRF exception handling: everything, including Django's own exceptions and unexpected errors,
leaves in the envelope `{"type", "errors": [{"code", "detail", "attr"}]}`.

drf-standardized-errors does the formatting; `FleetExceptionHandler` (its documented extension
point, `EXCEPTION_HANDLER_CLASS`) only turns a few more exceptions into API errors. Keeping the
package's own `exception_handler` as DRF's handler is also what makes it document every error
response in the OpenAPI schema."""

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework.exceptions import APIException, AuthenticationFailed, Throttled
from rest_framework.exceptions import ValidationError as DRFValidationError

from . import exceptions
from .exceptions import BadRequest, RequestTooLarge, validation_detail


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


class FleetExceptionHandler(ExceptionHandler):
    def convert_known_exceptions(self, exc: Exception) -> Exception:
        # Services raise Django's ValidationError; show it as the same 400 a serializer gives.
        if isinstance(exc, DjangoValidationError):
            return DRFValidationError(detail=validation_detail(exc))
        if isinstance(exc, AuthenticationFailed):
            return _flatten_simplejwt_error(exc)
        if isinstance(exc, Throttled) and not isinstance(exc, exceptions.Throttled):
            return exceptions.Throttled(wait=exc.wait)  # DRF's message does not translate
        if isinstance(exc, RequestDataTooBig):
            return RequestTooLarge()
        if isinstance(exc, SuspiciousOperation):
            return BadRequest()
        return super().convert_known_exceptions(exc)
