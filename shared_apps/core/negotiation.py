"""DRF's content negotiation, with the renderer chosen for an `Accept` header remembered.

A client sends the same `Accept` header with every request (a React app's HTTP client, a
script, none at all), and DRF parses it and matches it against the renderers again each time:
~0.1 ms of a list page. The choice depends only on the header and the view's renderers, so it
is kept per process for the headers seen most recently (`Recent`, bounded in entries and in the
length of a header, so that a client sending ever new headers costs what DRF costs, no more).
A `?format=` or a format suffix, and every refusal (406), take DRF's path."""

from rest_framework.negotiation import DefaultContentNegotiation

from .memo import Recent

MAX_REMEMBERED = 256  # headers × renderer lists
MAX_HEADER_LENGTH = 256  # a longer header is negotiated each time
_chosen = Recent(MAX_REMEMBERED)


class ContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        header = request.META.get("HTTP_ACCEPT", "*/*")  # DRF's default: anything
        if (
            format_suffix
            or len(header) > MAX_HEADER_LENGTH
            or self.settings.URL_FORMAT_OVERRIDE in request.query_params
        ):
            return super().select_renderer(request, renderers, format_suffix)
        key = (tuple(type(renderer) for renderer in renderers), header)
        chosen = _chosen.get(key)
        if chosen is None:
            renderer, media_type = super().select_renderer(request, renderers)
            _chosen.remember(key, (renderers.index(renderer), media_type))
            return renderer, media_type
        index, media_type = chosen
        return renderers[index], media_type
