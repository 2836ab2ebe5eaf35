"""The API's JSON: DRF's `JSONRenderer`, written by orjson.

A list page of 100 rows spent ~0.4 ms in `json.dumps` (the pure-Python encoder, because DRF
passes its own encoder class); orjson writes the same page in a tenth of that. The output is
DRF's: compact, UTF-8, U+2028 and U+2029 escaped, and every value orjson does not write the same
way DRF's encoder does (datetimes, dates and times; lazy translations, sets, Decimals when not
coerced to text, ...) is handed to DRF's encoder (`JSONEncoder.default`). `tests/core/
test_renderers.py` compares both, byte for byte. Two deliberate differences, both still the same
JSON value: a float below 1e-4 is written `1.5e-7` (Python: `1.5e-07`), and NaN or infinity,
which DRF's strict encoder refuses with a 500, is written `null`.

Pretty printing (`Accept: application/json; indent=4`) and what orjson cannot write (an integer
beyond 64 bits, nesting deeper than 254) take DRF's own path."""

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
# A response sets DATES_FOR_ORJSON when every date and datetime in its data is one orjson writes
# as DRF's encoder does: any date, and an aware datetime in a zone of whole-minute offsets from
# `core.rows.WHOLE_MINUTE_OFFSETS_SINCE` on (a list page: `core.page_sql`). orjson then writes
# them itself, in C, rather than handing each to DRF's encoder (or the writer making its text).
DATES_FOR_ORJSON = "dates_for_orjson"
_DATES_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS
_default = JSONEncoder().default
LINE_SEPARATOR, PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()


class JSONRenderer(renderers.JSONRenderer):
    def get_indent(self, accepted_media_type, renderer_context):
        """DRF's, without parsing a media type that has no parameters (no `; indent=`)."""
        if accepted_media_type and ";" not in accepted_media_type:
            return renderer_context.get("indent", None)
        return super().get_indent(accepted_media_type, renderer_context)

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        if self.get_indent(accepted_media_type, renderer_context) is None:
            response = renderer_context.get("response")
            options = _DATES_OPTIONS if getattr(response, DATES_FOR_ORJSON, False) else _OPTIONS
            try:
                text = orjson.dumps(data, default=_default, option=options)
            except orjson.JSONEncodeError:
                pass  # DRF's encoder writes it, or raises as it always did
            else:
                return text.replace(b"\xe2\x80\xa8", b"\\u2028").replace(
                    b"\xe2\x80\xa9", b"\\u2029"
                )
        return super().render(data, accepted_media_type, renderer_context)
