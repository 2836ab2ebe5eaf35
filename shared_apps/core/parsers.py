from django.conf import settings
from django.utils.translation import gettext as _
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
            size = settings.MAX_UPLOAD_REQUEST_BYTES // 2**20
            raise RequestTooLarge(_("The request is larger than %(size)s MB.") % {"size": size})
        return super().parse(stream, media_type, parser_context)
