"""The one error envelope of the API (drf-standardized-errors' format), for responses built
outside DRF: unknown hosts, Django's own 404/500 handlers, the health check."""

from django.http import JsonResponse


def error_response(status: int, code: str, detail: str, *, attr: str | None = None) -> JsonResponse:
    error_type = "server_error" if status >= 500 else "client_error"
    return JsonResponse(
        {"type": error_type, "errors": [{"code": code, "detail": detail, "attr": attr}]},
        status=status,
    )


def not_found_view(request, exception=None) -> JsonResponse:
    return error_response(404, "not_found", "Not found.")


def server_error_view(request) -> JsonResponse:
    return error_response(500, "error", "Server Error (500)")  # as drf-standardized-errors


def bad_request_view(request, exception=None) -> JsonResponse:
    return error_response(400, "bad_request", "Bad request.")


def permission_denied_view(request, exception=None) -> JsonResponse:
    return error_response(
        403, "permission_denied", "You do not have permission to perform this action."
    )


# Django looks these names up on the root URLconf; both URLconfs import them from here.
handler400 = bad_request_view
handler403 = permission_denied_view
handler404 = not_found_view
handler500 = server_error_view
