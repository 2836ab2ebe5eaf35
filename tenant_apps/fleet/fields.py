"""Model fields that normalise their value on every save and every exact lookup, so that the
API, the admin, the seed and the AI assistant all store and find `01 kg 123 abc` as `01KG123ABC`."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Kyrgyz patronymic particles are written in lower case: "Асанов Бакыт уулу".
LOWERCASE_NAME_PARTICLES = frozenset({"уулу", "кызы", "uulu", "kyzy", "оглы"})
NUMPLATE_PATTERN = re.compile(r"^[0-9A-ZА-ЯЁӨҮҢ]{2,16}$")  # Latin or Cyrillic letters
VIN_PATTERN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")  # ISO 3779: no I, O or Q


# Cyrillic letters that look like Latin ones are stored as the Latin letter, so that `01КG123АВС`
# typed on a Russian keyboard is the same plate as `01KG123ABC`.
LOOKALIKES = str.maketrans("АВЕКМНОРСТУХ", "ABEKMHOPCTYX")


def numplate_normalize(value: str) -> str:
    """`01 kg 123-abc` → `01KG123ABC`: upper case, no spaces or dashes, Latin look-alikes."""
    return re.sub(r"[\s-]+", "", value).upper().translate(LOOKALIKES)


def vin_normalize(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def person_name_normalize(value: str) -> str:
    """`иванов иван  иванович` → `Иванов Иван Иванович`; double-barrelled names keep each part
    capitalised (`Петров-Водкин`), Kyrgyz particles stay lower case (`Асанов Бакыт уулу`)."""
    words = []
    for word in value.split():
        lowered = word.lower()
        if lowered in LOWERCASE_NAME_PARTICLES:
            words.append(lowered)
        else:
            words.append("-".join(part[:1].upper() + part[1:].lower() for part in word.split("-")))
    return " ".join(words)


@deconstructible
class NormalizedPatternValidator:
    """`normalize(value)` must match `pattern` (a blank value passes when `allow_blank`). An
    object with a `code` rather than a function, so that the API schema lists its error code."""

    def __init__(self, *, pattern, normalize, message, code: str, allow_blank: bool = False):
        self.pattern, self.normalize = pattern, normalize
        self.message, self.code, self.allow_blank = message, code, allow_blank

    def __call__(self, value: str) -> None:
        if self.allow_blank and not value:
            return
        if not self.pattern.match(self.normalize(value)):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, NormalizedPatternValidator) and (
            (self.pattern, self.normalize, self.message, self.code, self.allow_blank)
            == (other.pattern, other.normalize, other.message, other.code, other.allow_blank)
        )

    def __hash__(self) -> int:
        return hash((self.pattern, self.code))


validate_numplate = NormalizedPatternValidator(
    pattern=NUMPLATE_PATTERN,
    normalize=numplate_normalize,
    message=_("Enter a number plate of 2 to 16 letters and digits, e.g. 01KG123ABC."),
    code="invalid_numplate",
)
validate_vin = NormalizedPatternValidator(
    pattern=VIN_PATTERN,
    normalize=vin_normalize,
    message=_("A VIN has 17 characters: digits and Latin letters except I, O and Q."),
    code="invalid_vin",
    allow_blank=True,
)


class NormalizedCharField(models.CharField):
    """A CharField whose subclasses define `normalize`; applied when saving and when looking up
    exact values (`filter(numplate="01 kg 123abc")` finds `01KG123ABC`)."""

    @staticmethod
    def normalize(value: str) -> str:
        raise NotImplementedError

    def to_python(self, value):
        value = super().to_python(value)
        return self.normalize(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return self.normalize(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            value = self.normalize(value)
            setattr(model_instance, self.attname, value)
        return value


class NumplateField(NormalizedCharField):
    normalize = staticmethod(numplate_normalize)


class VinField(NormalizedCharField):
    normalize = staticmethod(vin_normalize)


class PersonNameField(NormalizedCharField):
    normalize = staticmethod(person_name_normalize)
