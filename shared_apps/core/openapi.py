"""OpenAPI pieces for the error responses that only some endpoints can give (the common ones are
added to every endpoint by drf-standardized-errors)."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from drf_standardized_errors.openapi_serializers import ClientErrorEnum, ServerErrorEnum
from rest_framework import serializers

_ERRORS = {
    409: (ClientErrorEnum, "The request conflicts with the resource's current state."),
    410: (ClientErrorEnum, "The resource existed but is gone for good."),
    413: (ClientErrorEnum, "The request body is too large."),
    503: (ServerErrorEnum, "A service the request needs is down; try again later."),
}


def error_response(status_code: int, codes: list[str]) -> OpenApiResponse:
    """The documented envelope of one error status, with the `code`s it can carry."""
    error_type, description = _ERRORS[status_code]
    suffix = "".join(code.title().replace("_", "") for code in codes)  # one component per set
    errors = inline_serializer(
        name=f"Error{status_code}{suffix}",
        fields={
            "code": serializers.ChoiceField(choices=codes),
            "detail": serializers.CharField(),
            "attr": serializers.CharField(allow_null=True),
        },
        many=True,
    )
    envelope = inline_serializer(
        name=f"ErrorResponse{status_code}{suffix}",
        fields={"type": serializers.ChoiceField(choices=error_type.choices), "errors": errors},
    )
    return OpenApiResponse(envelope, description=description)
