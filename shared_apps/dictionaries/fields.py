from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .selectors import dictionary_has_code


class DictionaryCodeField(serializers.CharField):
    """A code of one dictionary (`regions`, `brands`, ...), checked against its active entries.
    A value the object already has stays valid after its entry is retired, so that editing
    another field of an old car does not fail."""

    # Declared (not only raised) so that the API schema lists the code.
    default_error_messages = {"invalid_choice": _("'%(code)s' is not in the %(kind)s dictionary.")}

    def __init__(self, *, kind: str, **kwargs):
        self.kind = kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("help_text", f"A code from `/api/v1/dictionaries/{kind}/`.")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        code = super().to_internal_value(data)
        if not code and self.allow_blank:
            return code
        instance = getattr(self.parent, "instance", None)
        if instance is not None and getattr(instance, self.source, None) == code:
            return code
        if not dictionary_has_code(kind=self.kind, code=code):
            raise serializers.ValidationError(
                self.error_messages["invalid_choice"] % {"code": code, "kind": self.kind},
                code="invalid_choice",
            )
        return code
