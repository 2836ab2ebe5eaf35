"""The one error envelope of the API (drf-standardized-errors' format), for responses built
outside DRF: unknown hosts, Django's own 404/500 handlers, the health check, unknown API paths."""

from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

API_NOT_FOUND = "api-not-found"


def error_response(status: int, code: str, detail: str, *, attr: str | None = None) -> JsonResponse:
    error_type = "server_error" if status >= 500 else "client_error"
    return JsonResponse(
        {"type": error_type, "errors": [{"code": code, "detail": detail, "attr": attr}]},
        status=status,
    )


def not_found_view(request, exception=None) -> JsonResponse:
    return error_response(404, "not_found", "Not found.")


@csrf_exempt  # a 404 for every method: Django's CSRF check would answer a write with its HTML 403
def api_not_found_view(request) -> JsonResponse:
    """Every `/api/` path that names no endpoint (the last URL pattern): the JSON 404, also with
    DEBUG on, where Django's own page would list every URL of the API. An endpoint's path
    without its trailing slash is redirected for a read; a write is refused here, because a
    redirected POST arrives as a GET."""
    with_slash = f"{request.path}/"
    if not request.path.endswith("/") and _names_an_endpoint(with_slash):
        if request.method in ("GET", "HEAD"):
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
        detail = _("Not found. API paths end with a slash: %(path)s") % {"path": with_slash}
        return error_response(404, "not_found", detail)
    return not_found_view(request)


def _names_an_endpoint(path: str) -> bool:
    try:
        return resolve(path).url_name != API_NOT_FOUND
    except Resolver404:
        return False


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
