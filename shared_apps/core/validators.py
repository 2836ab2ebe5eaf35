from django.core.validators import ProhibitNullCharactersValidator
from rest_framework import serializers

NUL_MESSAGE = ProhibitNullCharactersValidator.message  # translated, as Django's own
NUL_CODE = ProhibitNullCharactersValidator.code


def refuse_nul_characters(value) -> None:
    """Free-form JSON (a dict of parameters, an action's data) may not hold U+0000 in any key or
    string: PostgreSQL cannot store it, in text or in jsonb. DRF's string fields refuse it the
    same way."""
    if isinstance(value, str):
        if "\x00" in value:
            raise serializers.ValidationError(NUL_MESSAGE, code=NUL_CODE)
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_nul_characters(key)
            refuse_nul_characters(item)
    elif isinstance(value, list | tuple):
        for item in value:
            refuse_nul_characters(item)
