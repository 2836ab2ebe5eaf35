"""What leaves for an external AI provider is minimised: no phones, no VINs, no driver names.
The facade's answers carry none of them already; this is the second line, applied to every
message and tool result that is sent out, the user's own text included."""

import re

from tenant_apps.fleet.models import Car

SENSITIVE_KEYS = frozenset({"driver", "driver_name", "driver_phone", "phone", "vin", "email"})
PHONE = re.compile(r"\+?\d[\d ()-]{7,}\d")
VIN = re.compile(r"\b[A-HJ-NPR-Z0-9]{17}\b", re.IGNORECASE)


class Minimiser:
    """Scrubs one company's personal data from text and JSON. The drivers' full names and
    surnames are read once and matched by one regular expression."""

    def __init__(self):
        names = set(Car.objects.exclude(driver_name="").values_list("driver_name", flat=True))
        words = {name for name in names if len(name) > 2}
        words |= {name.split()[0] for name in names if len(name.split()[0]) > 3}
        alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        self.names = re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE) if words else None

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
