"""What leaves for an external AI provider is minimised: no phones, no VINs, no driver names.
The facade's answers carry none of them already; this is the second line, applied to every
message and tool result that is sent out, the user's own text included."""

import re

from tenant_apps.fleet.models import Car

SENSITIVE_KEYS = frozenset({"driver", "driver_name", "driver_phone", "phone", "vin", "email"})
# 9 to 15 digits with optional separators, not part of a date or a decimal amount.
PHONE = re.compile(r"(?<!\w)(?<!\d\.)\+?\d(?:[ ()-]{0,2}\d){8,14}(?!\w|\.\d)")
VIN = re.compile(r"\b[A-HJ-NPR-Z0-9]{17}\b", re.IGNORECASE)


def _stem(surname: str) -> str:
    """Drop a feminine ending (-ова, -ева, -ина, -а), so the stem matches every case."""
    return surname[:-1] if surname[-1:].lower() in ("а", "a") else surname


class Minimiser:
    """Scrubs one company's personal data from text and JSON. The drivers' full names and
    surnames are read once and matched by one regular expression."""

    def __init__(self):
        names = set(Car.objects.exclude(driver_name="").values_list("driver_name", flat=True))
        full = {name for name in names if len(name) > 2}
        # Surnames as stems, so that declined forms go too: Асанов → Асанову, Петрова → Петровой,
        # and Kyrgyz ones, whose case endings follow the feminine -а: Петрова → Петрованын (4).
        stems = {_stem(name.split()[0]) for name in names if len(name.split()[0]) > 3}
        alternatives = [re.escape(n) for n in sorted(full, key=len, reverse=True)]
        alternatives += [re.escape(s) + r"\w{0,4}" for s in sorted(stems, key=len, reverse=True)]
        pattern = rf"\b(?:{'|'.join(alternatives)})\b"
        self.names = re.compile(pattern, re.IGNORECASE) if alternatives else None

    def text(self, value: str) -> str:
        value = VIN.sub("[vin]", value)
        value = PHONE.sub("[phone]", value)
        if self.names is not None:
            value = self.names.sub("[driver]", value)
        return value

    def data(self, value):
        if isinstance(value, dict):
            return {k: self.data(v) for k, v in value.items() if k not in SENSITIVE_KEYS}
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value
