from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, MultiPartParser

from .exceptions import RequestTooLarge


class DepthSafeJSONParser(JSONParser):
    """DRF's JSON parser, answering a body nested deeper than Python's recursion limit (about
    1,000 levels, even in an anonymous login) with a 400 `parse_error` instead of letting the
    `RecursionError` out as a 500. Free-form JSON fields have a much lower limit of their own
    (`validators.MAX_JSON_DEPTH`)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_("JSON parse error - the document is nested too deeply.")) from exc


class LimitedMultiPartParser(MultiPartParser):
    """Multipart bodies over MAX_UPLOAD_REQUEST_BYTES are refused (413) before a byte of them is
    read; Django's own limit does not count file parts, which would be spooled to disk first.
    Smaller files are then checked by their field (a photo: at most 10 MB → 400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = parser_context["request"]
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_UPLOAD_REQUEST_BYTES:
            size = settings.MAX_UPLOAD_REQUEST_BYTES // 2**20
            raise RequestTooLarge(_("The request is larger than %(size)s MB.") % {"size": size})
        return super().parse(stream, media_type, parser_context)
