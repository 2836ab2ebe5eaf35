from django.core.validators import ProhibitNullCharactersValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from rest_framework import serializers

NUL_MESSAGE = ProhibitNullCharactersValidator.message  # translated, as Django's own
NUL_CODE = ProhibitNullCharactersValidator.code


# Free-form JSON (export `params`, an action's `data`) is flat in every legitimate request; a
# deeper document is an attack on the recursion of whoever reads it next.
MAX_JSON_DEPTH = 10


def _json_nodes(value):
    """(node, depth) of every value and key of a JSON document, the document itself at depth 1,
    walked with a stack instead of recursion: a hostile document may be nested 1,000 deep."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        yield node, depth
        if isinstance(node, dict):
            stack.extend((key, depth + 1) for key in node)
            stack.extend((item, depth + 1) for item in node.values())
        elif isinstance(node, list | tuple):
            stack.extend((item, depth + 1) for item in node)


class _JSONValidator:
    """A validator object with a `code`, so that the API schema lists the error it raises."""

    code: str

    def __eq__(self, other) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))


@deconstructible
class NulCharactersRefused(_JSONValidator):
    """Free-form JSON may not hold U+0000 in any key or string: PostgreSQL cannot store it, in
    text or in jsonb. DRF's string fields refuse it the same way."""

    message = NUL_MESSAGE
    code = NUL_CODE

    def __call__(self, value) -> None:
        if any(isinstance(node, str) and "\x00" in node for node, _ in _json_nodes(value)):
            raise serializers.ValidationError(self.message, code=self.code)


@deconstructible
class JSONDepthLimited(_JSONValidator):
    """Free-form JSON may be nested at most MAX_JSON_DEPTH levels (`{"a": 1}` is one level)."""

    code = "json_too_deep"

    def __call__(self, value) -> None:
        deepest = max(
            (depth for node, depth in _json_nodes(value) if isinstance(node, dict | list | tuple)),
            default=0,
        )
        if deepest > MAX_JSON_DEPTH:
            message = _("Nested too deeply: at most %(depth)s levels of objects and lists.")
            raise serializers.ValidationError(message % {"depth": MAX_JSON_DEPTH}, code=self.code)


refuse_nul_characters = NulCharactersRefused()
limit_json_depth = JSONDepthLimited()
# Both, in the order that reports the structure before its contents.
FREE_FORM_JSON_VALIDATORS = [limit_json_depth, refuse_nul_characters]
