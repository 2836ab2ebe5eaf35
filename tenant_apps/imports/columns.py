"""What each importable entity's sheet holds: its columns (an API field, a title in the user's
language, how a cell becomes the API's input) and the key that finds an existing record.

Titles are the exports' own words (the same translation strings), so that a report exported,
edited in Excel and imported again is understood. A column is recognised by its title in any
language the product speaks, case and spacing ignored."""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Model, TextChoices
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shared_apps.dictionaries.models import DictionaryKind
from shared_apps.dictionaries.selectors import dictionary_code_for
from tenant_apps.fleet.fields import numplate_normalize
from tenant_apps.fleet.models import (
    Car,
    CarStatus,
    FuelRecord,
    Inspection,
    Insurance,
    InsuranceType,
    MonthlyMileage,
    Spare,
    SpareCategory,
)

Cell = str | int | float | Decimal | dt.date | dt.datetime | bool | None

# Compiled once: a cell of every row goes through them (`re`'s own cache costs a look-up a call).
SPACES = re.compile(r"[\s\u00a0]")
RUSSIAN_DATE = re.compile(r"\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*")
RUSSIAN_MONTH = re.compile(r"\s*(\d{1,2})\.(\d{4})\s*")
ISO_MONTH = re.compile(r"(\d{4})-(\d{2})")


def text(value: Cell) -> str:
    """A cell as the API's text: numbers without a spurious `.0`, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value)  # the shortest text that is this float: 12.5, not 12.500000001
    return str(value).strip()


def decimal_text(value: Cell) -> str:
    """A number as the API's decimal text; a comma as the decimal separator (ru Excel's CSV)
    and spaces between thousands are read as such."""
    if isinstance(value, str):
        value = SPACES.sub("", value)
        if value.count(",") == 1 and "." not in value:
            value = value.replace(",", ".")
    return text(value)


def date_text(value: Cell) -> str:
    """A date: an Excel date cell, ISO `2026-03-15`, or the Russian `15.03.2026`."""
    if isinstance(value, str):
        match = RUSSIAN_DATE.fullmatch(value)
        if match:
            day, month, year = match.groups()
            return f"{year}-{int(month):02d}-{int(day):02d}"
    return text(value)


def month_text(value: Cell) -> str:
    """A month: `2026-03`, `03.2026`, or a date cell (Excel turns a typed 2026-03 into one)."""
    if isinstance(value, dt.date):
        return f"{value:%Y-%m}"
    if isinstance(value, str):
        match = RUSSIAN_MONTH.fullmatch(value)
        if match:
            return f"{match[2]}-{int(match[1]):02d}"
    return text(value)


def choice_text(choices: type[TextChoices]) -> Callable[[Cell], str]:
    """A code, or its name in any language (the exports write names): the code."""

    codes: dict[str, str] = {}  # every way to write a code → the code; made at the first cell

    def convert(value: Cell) -> str:
        if not codes:
            for code, label in choices.choices:
                codes.update(dict.fromkeys(_in_every_language(label), code))
                codes[code.casefold()] = code
        given = text(value)
        return codes.get(given.casefold(), given)  # else the serializer names the wrong choice

    return convert


def dictionary_text(kind: str) -> Callable[[Cell], str]:
    def convert(value: Cell) -> str:
        return dictionary_code_for(kind=kind, text=text(value))

    return convert


def _in_every_language(label: Promise) -> set[str]:
    names = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            names.add(str(label).casefold())
    return names


def title_key(title: object) -> str:
    """A title as it is matched: case, spaces and the punctuation around words ignored."""
    return re.sub(r"[\W_]+", " ", str(title)).strip().casefold()


@dataclass(frozen=True, eq=False)  # hashed by identity: hashing a lazy title translates it
class ImportColumn:
    field: str  # the API field the column fills
    title: Promise
    convert: Callable[[Cell], str] = text
    also: tuple[Promise, ...] = ()  # other titles it goes by

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.field,)

    def data(self, value: Cell) -> dict[str, str]:
        """The API input of a cell (an empty cell: nothing, so that an update keeps the value
        and a create hears that a required field is missing)."""
        converted = self.convert(value)
        return {self.field: converted} if converted != "" else {}

    def title_keys(self) -> set[str]:
        keys = set()
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                keys.update(title_key(title) for title in (self.title, *self.also))
        return keys


@dataclass(frozen=True)
class ImportEntity:
    name: str
    model: type[Model]
    columns: tuple[ImportColumn, ...]
    # The API fields that find the record a row updates; empty: every row is a new record.
    key: tuple[str, ...]

    @property
    def template_titles(self) -> list[str]:
        return [str(column.title) for column in self.columns]

    def column_for(self, title: object) -> ImportColumn | None:
        wanted = title_key(title)
        return next((c for c in self.columns if wanted in c.title_keys()), None)


def _numplate(value: Cell) -> str:
    return numplate_normalize(text(value))


class YearMonthColumn(ImportColumn):
    """A month in one column for the API's separate `year` and `month` (fuel records)."""

    @property
    def fields(self) -> tuple[str, ...]:
        return ("year", "month")

    def data(self, value: Cell) -> dict[str, str]:
        converted = month_text(value)
        match = ISO_MONTH.fullmatch(converted)
        if match is None:
            return {"month": converted} if converted else {}  # the serializer refuses it
        return {"year": match[1], "month": str(int(match[2]))}


CAR = ImportColumn("car", _("Number plate"), _numplate, also=(_("Car"),))
COST = ImportColumn("cost", _("Cost"), decimal_text)

ENTITIES: dict[str, ImportEntity] = {
    entity.name: entity
    for entity in (
        ImportEntity(
            "cars",
            Car,
            (
                ImportColumn("numplate", _("Number plate"), _numplate),
                ImportColumn("title", _("Model")),
                ImportColumn("brand", _("Brand"), dictionary_text(DictionaryKind.BRANDS)),
                ImportColumn("region", _("Region"), dictionary_text(DictionaryKind.REGIONS)),
                ImportColumn(
                    "vehicle_type",
                    _("Vehicle type"),
                    dictionary_text(DictionaryKind.VEHICLE_TYPES),
                ),
                ImportColumn(
                    "fuel_type", _("Fuel type"), dictionary_text(DictionaryKind.FUEL_TYPES)
                ),
                ImportColumn("year", _("Year"), decimal_text),
                ImportColumn("vin", _("VIN")),
                ImportColumn("driver_name", _("Driver")),
                ImportColumn("driver_phone", _("Driver's phone")),
                ImportColumn("fuel_card", _("Fuel card")),
                ImportColumn("status", _("Status"), choice_text(CarStatus)),
                ImportColumn("commissioned_at", _("Commissioned"), date_text),
            ),
            key=("numplate",),
        ),
        ImportEntity(
            "fuel-records",
            FuelRecord,
            (
                CAR,
                YearMonthColumn("month", _("Month")),
                ImportColumn("liters", _("Liters"), decimal_text),
                ImportColumn("total_cost", _("Cost"), decimal_text),
                ImportColumn("mileage_km", _("Mileage, km"), decimal_text),
            ),
            key=("car", "year", "month"),
        ),
        ImportEntity(
            "monthly-mileages",
            MonthlyMileage,
            (
                CAR,
                ImportColumn("month", _("Month"), month_text),
                ImportColumn("mileage_km", _("Mileage, km"), decimal_text),
            ),
            key=("car", "month"),
        ),
        ImportEntity(
            "insurances",
            Insurance,
            (
                CAR,
                ImportColumn("insurance_type", _("Type"), choice_text(InsuranceType)),
                ImportColumn("number", _("Number")),
                ImportColumn("start_date", _("Start"), date_text),
                ImportColumn("end_date", _("End"), date_text),
                COST,
            ),
            key=("car", "insurance_type", "number"),
        ),
        ImportEntity(
            "inspections",
            Inspection,
            (
                CAR,
                ImportColumn("number", _("Number")),
                ImportColumn("inspected_at", _("Inspected"), date_text, also=(_("Start"),)),
                ImportColumn("valid_until", _("Valid until"), date_text, also=(_("End"),)),
                COST,
            ),
            key=("car", "number"),
        ),
        ImportEntity(
            "spares",
            Spare,
            (
                CAR,
                ImportColumn("name", _("Part")),
                ImportColumn("category", _("Category"), choice_text(SpareCategory)),
                ImportColumn("description", _("Description")),
                ImportColumn("part_price", _("Parts"), decimal_text, also=(_("Part price"),)),
                ImportColumn("work_description", _("Work done")),
                ImportColumn("work_price", _("Work"), decimal_text, also=(_("Work price"),)),
                ImportColumn("installed_at", _("Installed"), date_text),
            ),
            key=("car", "installed_at", "name"),
        ),
    )
}

ENTITY_NAMES = tuple(ENTITIES)
