from django.core.validators import ProhibitNullCharactersValidator
from django.utils.deconstruct import deconstructible
from rest_framework import serializers

NUL_MESSAGE = ProhibitNullCharactersValidator.message  # translated, as Django's own
NUL_CODE = ProhibitNullCharactersValidator.code


@deconstructible
class NulCharactersRefused:
    """Free-form JSON (a dict of parameters, an action's data) may not hold U+0000 in any key or
    string: PostgreSQL cannot store it, in text or in jsonb. DRF's string fields refuse it the
    same way. An object with a `code`, so that the API schema lists the error it raises."""

    message = NUL_MESSAGE
    code = NUL_CODE

    def __call__(self, value) -> None:
        if isinstance(value, str):
            if "\x00" in value:
                raise serializers.ValidationError(self.message, code=self.code)
        elif isinstance(value, dict):
            for key, item in value.items():
                self(key)
                self(item)
        elif isinstance(value, list | tuple):
            for item in value:
                self(item)

    def __eq__(self, other) -> bool:
        return isinstance(other, NulCharactersRefused)

    def __hash__(self) -> int:
        return hash(NulCharactersRefused)


refuse_nul_characters = NulCharactersRefused()
