from django.conf import settings
from rest_framework.parsers import MultiPartParser

from .exceptions import RequestTooLarge


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
            raise RequestTooLarge(
                f"The request is larger than {settings.MAX_UPLOAD_REQUEST_BYTES // 2**20} MB."
            )
        return super().parse(stream, media_type, parser_context)
