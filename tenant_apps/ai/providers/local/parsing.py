"""A question read into what it asks (`Question`): the concepts it names, the car, the status,
region, vehicle type or obligation, the ranking, the figures it states (liters, money, km) and
the period. No database here: the provider resolves the plates and answers.

Words are matched by stem and tolerate one typo (`words.py`); numbers are read as people write
them ("1 500", "12,500", "40,5"), and a number with a unit is never a year ("2000 som")."""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from tenant_apps.fleet.fields import numplate_normalize
from tenant_apps.reports.periods import month_add

from . import words

# "3000", "3 000", "3\u00a0000,50", "12,500.5": thousands separated by a (no-break) space or a
# comma followed by three digits; a comma before one or two digits is a decimal one.
NUMBER = r"(?<![\d.,])(\d{1,3}(?:[ \u00a0,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
LITERS = re.compile(NUMBER + r"\s*(?:l|л|lit(?:er|re)s?|литр\w*)(?!\w)", re.IGNORECASE)
MONEY = re.compile(NUMBER + r"\s*(?:som|soms|kgs|сом\w*|с\.)(?!\w)", re.IGNORECASE)
KM = re.compile(NUMBER + r"\s*(?:km|км|kilomet\w*|километр\w*|чакырым\w*)(?!\w)", re.IGNORECASE)
# A year standing alone: not an amount or a quantity ("2000 som", "2000 l").
YEAR = re.compile(
    r"(?<![\d.,])(199\d|20\d\d)\b(?!\s*(?:som|kgs|сом|с\.|l\b|л\b|lit|литр|km|км|кило|kilo))",
    re.IGNORECASE,
)
ISO_MONTH = re.compile(r"\b(\d{4})-(0[1-9]|1[0-2])\b(?!-\d)")
ISO_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
DOTTED_DATE = re.compile(r"\b(\d{2})\.(\d{2})\.(\d{4})\b")
PLATE_KG = re.compile(r"\b\d{2}\s*[A-ZА-Я]{2}\s*\d{3}\s*[A-ZА-Я]{3}\b", re.IGNORECASE)
TOKEN = re.compile(r"[0-9A-Za-zА-Яа-яЁё-]{4,20}")
WORD = re.compile(r"[^\W\d_]{6,}")
MAX_PLATES = 20  # plate-like words looked up per message (one query)
# "number OS-123", "no. 123", "№123", "номер 123": the word on its own, and a number with a digit
# ("another OSAGO" names none).
POLICY_NUMBER = re.compile(
    r"(?:(?<!\w)(?:number|no\.?|номер|номери)\s+|№\s*)([\w/-]*\d[\w/-]*)", re.IGNORECASE
)
LIMIT = re.compile(r"\b(?:top|топ)[\s-]*(\d{1,2})\b|\b(\d{1,2})\s+(?:cars|машин|унаа)")
WINDOW = re.compile(
    r"(?:next|within|coming|ближайш\w*|следующ\w*|в течение|жакынкы|кийинки)\s+(\d{1,4})\s*"
    r"(?:days?|дн\w*|день|күн\w*)"
)
LAST_MONTHS = re.compile(
    r"(?:last|past|previous|последн\w*|прошедш\w*|акыркы|өткөн)\s+(\d{1,2})\s*"
    r"(?:months?|мес\w*|ай\w*)"
)
ORDINAL_QUARTER = {"перв": 0, "втор": 1, "трет": 2, "четв": 3, "бир": 0, "эки": 1, "үч": 2,
                   "төрт": 3, "first": 0, "second": 1, "third": 2, "fourth": 3}  # fmt: skip
QUARTER = re.compile(
    r"\bq([1-4])\b|\b([1-4])(?:-?(?:й|ий|ый|st|nd|rd|th|чи|инчи|нчү|үнчү))?\s*"
    r"(?:квартал|quarter|чейрек)"
    r"|\b(перв|втор|трет|четв[её]рт|first|second|third|fourth|биринчи|экинчи|үчүнчү|төртүнчү)"
    r"\w*\s+(?:квартал|quarter|чейрек)"
)


def normalised(text: str) -> str:
    return text.lower().replace("ё", "е")


def _compile(entry: str) -> re.Pattern:
    if re.search(r"[\\()\[\]?|+*]", entry):
        return re.compile(entry)
    return re.compile(r"(?<!\w)" + re.escape(entry))


@cache
def _patterns(entries: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    return tuple(_compile(entry) for entry in entries)


@cache
def _fuzzy_stems(entries: tuple[str, ...]) -> tuple[str, ...]:
    """The plain one-word stems long enough to be recognised with a typo."""
    return tuple(
        e for e in entries if len(e) >= 6 and re.fullmatch(r"[^\W\d_]+", e) and " " not in e
    )


def _one_edit(a: str, b: str) -> bool:
    """At most one letter differs, is missing, is added or two neighbours are swapped."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )  # fmt: skip
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _near(token: str, stem: str) -> bool:
    """The token starts with the stem, give or take one typo (never in the first letter)."""
    if token[0] != stem[0]:
        return False
    n = len(stem)
    return any(_one_edit(token[:k], stem) for k in (n - 1, n, n + 1) if k <= len(token))


def matches(text: str, entries: tuple[str, ...], tokens: tuple[str, ...] = ()) -> bool:
    """Whether normalised `text` has one of `entries` (its words `tokens`: for the typos)."""
    if any(pattern.search(text) for pattern in _patterns(entries)):
        return True
    stems = _fuzzy_stems(entries)
    return any(_near(token, stem) for token in tokens for stem in stems)


def first_named(
    text: str, table: list[tuple[str, tuple[str, ...]]], tokens: tuple[str, ...] = ()
) -> str | None:
    """The first code of `table` whose words `text` has."""
    return next((code for code, entries in table if matches(text, entries, tokens)), None)


def number(text: str) -> Decimal:
    """A number as written: "1 500", "12,500" (thousands), "40,5" (a decimal comma)."""
    cleaned = re.sub(r"[ \u00a0]", "", text)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?", cleaned):
        cleaned = cleaned.replace(",", "")
    return Decimal(cleaned.replace(",", "."))


@dataclass
class Question:
    """What a question asks, as read from its words."""

    text: str  # as typed
    norm: str  # lowercased, "ё" as "е"
    concepts: frozenset[str]
    plates: list[str] = field(default_factory=list)  # plate-like words, normalised, in order
    named_plates: list[str] = field(default_factory=list)  # those shaped like a KG plate
    liters: Decimal | None = None
    money: Decimal | None = None
    km: int | None = None
    policy_number: str | None = None
    dates: list[str] = field(default_factory=list)  # ISO dates, in order
    period: tuple[str, str] | None = None  # YYYY-MM, YYYY-MM
    month: dt.date | None = None  # the one month named, for a write
    window_days: int | None = None
    status: str | None = None  # the status named last (a write's target)
    obligation: str | None = None
    region: str | None = None
    vehicle_type: str | None = None
    metric: str | None = None
    limit: int | None = None

    def about(self, *concepts: str) -> bool:
        return any(concept in self.concepts for concept in concepts)


def parse(text: str, *, today: dt.date) -> Question:
    norm = normalised(text.strip())
    tokens = tuple(dict.fromkeys(WORD.findall(norm)))
    concepts = frozenset(
        name for name, entries in words.CONCEPTS.items() if matches(norm, entries, tokens)
    )
    question = Question(text=text, norm=norm, concepts=concepts)
    _read_plates(question)
    _read_figures(question)
    question.status = _named_status(norm)
    question.obligation = first_named(norm, words.OBLIGATIONS, tokens)
    question.region = first_named(norm, words.REGIONS)
    question.vehicle_type = first_named(norm, words.VEHICLE_TYPES, tokens)
    question.metric = first_named(norm, words.METRICS, tokens)
    if question.metric == "fuel" and "cost" not in concepts:
        question.metric = "liters"  # "the most fuel" is liters; "fuel cost" is money
    limit = LIMIT.search(norm)
    question.limit = int(limit[1] or limit[2]) if limit else None
    periods = Periods(today)
    # Kyrgyz "күйүүчү май" is fuel ("май": oil), not the month of May.
    dated = re.sub(r"(күйүүчү|мотор)\s+май\w*", r"\1", norm)
    question.period = periods.of(dated)
    question.month = periods.month(dated) or periods.month_without_year(dated)
    question.window_days = periods.window_days(dated)
    return question


def _read_plates(question: Question) -> None:
    text = question.text
    candidates = [m.group(0) for m in PLATE_KG.finditer(text)]
    candidates += [t for t in TOKEN.findall(text) if re.search(r"\d", t) and
                   re.search(r"[A-Za-zА-Яа-я]", t)]  # fmt: skip
    question.plates = list(dict.fromkeys(numplate_normalize(c) for c in candidates))[:MAX_PLATES]
    question.named_plates = [numplate_normalize(c) for c in candidates if PLATE_KG.fullmatch(c)]


def _read_figures(question: Question) -> None:
    norm, text = question.norm, question.text
    liters, money, km = LITERS.search(norm), MONEY.search(norm), KM.search(norm)
    question.liters = number(liters[1]) if liters else None
    question.money = number(money[1]) if money else None
    question.km = int(number(km[1])) if km else None
    policy = POLICY_NUMBER.search(text)
    question.policy_number = policy[1] if policy else None
    question.dates = [m.group(1) for m in ISO_DATE.finditer(text)]
    question.dates += [f"{y}-{m}-{d}" for d, m, y in DOTTED_DATE.findall(text)]


def _named_status(norm: str) -> str | None:
    """The status a car is to be put in: the last one named, but not one it leaves ("из
    ремонта в работу", "from repair to active")."""
    named = sorted(
        (match.start(), status)
        for status, entries in words.STATUSES
        for pattern in _patterns(entries)
        for match in pattern.finditer(norm)
    )
    targets = [s for start, s in named if not re.search(words.STATUS_LEFT, norm[:start])]
    return targets[-1] if targets else None


def _month_pattern() -> str:
    english = words.MONTHS["en"] + [m[:3] for m in words.MONTHS["en"]]
    russian = [rf"{stem}\w*" for stem in words.MONTHS["ru"]]
    kyrgyz = [rf"{name}\w*" for name in words.MONTHS["ky"]]
    return "(?:" + "|".join(kyrgyz + english + russian) + ")"


MONTH_NAME = _month_pattern()
MONTH_YEAR = re.compile(rf"\b({MONTH_NAME})\.?\s+(\d{{4}})\b")
YEAR_MONTH = re.compile(rf"\b(\d{{4}})(?:-?(?:жыл|г)\w*\.?)?\s+({MONTH_NAME})")
MONTH_RANGE = re.compile(
    rf"\b(?:from|с)\s+({MONTH_NAME})\.?(?:\s+(\d{{4}}))?\s+(?:to|till|until|по|до|-)\s+"
    rf"({MONTH_NAME})\.?\s+(\d{{4}})\b"
)


class Periods:
    """Periods as people name them, relative to the company's today."""

    def __init__(self, today: dt.date):
        self.today = today
        self.this_month = today.replace(day=1)

    @staticmethod
    def month_index(name: str) -> int:
        for index, kyrgyz in enumerate(words.MONTHS["ky"]):
            if name.startswith(kyrgyz):
                return index + 1
        if name.isascii():
            return next(i + 1 for i, m in enumerate(words.MONTHS["en"]) if m.startswith(name[:3]))
        return next(i + 1 for i, stem in enumerate(words.MONTHS["ru"]) if re.match(stem, name))

    def _months_ago(self, months: int) -> dt.date:
        return month_add(self.this_month, -months)

    def month(self, norm: str) -> dt.date | None:
        """A month named with its year: "March 2026", "март 2026", "2026-03", "2026-жылы март"."""
        match = MONTH_YEAR.search(norm)
        if match:
            return dt.date(int(match[2]), self.month_index(match[1]), 1)
        match = YEAR_MONTH.search(norm)
        if match and not (match[2] == "may" and not re.search(r"\bin may\b", norm)):
            return dt.date(int(match[1]), self.month_index(match[2]), 1)
        match = ISO_MONTH.search(norm)
        if match:
            return dt.date(int(match[1]), int(match[2]), 1)
        return None

    def month_without_year(self, norm: str) -> dt.date | None:
        """ "за март", "in March", "мартта": the latest such month that has begun (this year's,
        or last year's while this year's is still ahead)."""
        match = re.search(rf"\b({MONTH_NAME})", norm)
        if match is None or (match[1] == "may" and not re.search(r"\bin may\b", norm)):
            return None  # "may" is mostly the verb
        index = self.month_index(match[1])
        return dt.date(self.today.year - (index > self.today.month), index, 1)

    def quarter(self, norm: str) -> dt.date | None:
        """The first month of the quarter named: "last quarter", "Q3 2026", "3 квартал",
        "третий квартал", "өткөн чейрек" (without a year: the latest that has begun)."""
        current = (self.today.month - 1) // 3
        if re.search(r"(?:last|previous|прошл\w*|предыдущ\w*|өткөн) (?:quarter|квартал|чейрек)",
                     norm):  # fmt: skip
            index, year = (current - 1) % 4, self.today.year - (current == 0)
            return dt.date(year, index * 3 + 1, 1)
        if re.search(r"(?:this|current|этот|этом|текущ\w*|бул|ушул) (?:quarter|квартал|чейрек)",
                     norm):  # fmt: skip
            return dt.date(self.today.year, current * 3 + 1, 1)
        match = QUARTER.search(norm)
        if match is None:
            return None
        if match[3]:
            index = next(v for k, v in ORDINAL_QUARTER.items() if match[3].startswith(k))
        else:
            index = int(match[1] or match[2]) - 1
        named = YEAR.search(norm[match.end() :]) or YEAR.search(norm)
        year = int(named[1]) if named else self.today.year - (index > current)
        return dt.date(year, index * 3 + 1, 1)

    def of(self, norm: str) -> tuple[str, str] | None:
        """The months a question is about, `YYYY-MM` to `YYYY-MM`; None: it names none."""
        this = f"{self.this_month:%Y-%m}"
        last_months = LAST_MONTHS.search(norm)
        if last_months:
            count = max(1, int(last_months[1]))
            return f"{self._months_ago(count - 1):%Y-%m}", this
        if re.search(r"half a year|полгода|жарым жыл", norm):
            return f"{self._months_ago(5):%Y-%m}", this
        if re.search(r"last month|previous month|прошл\w* месяц|өткөн ай", norm):
            previous = f"{self._months_ago(1):%Y-%m}"
            return previous, previous
        if re.search(r"this month|(?:этот|этом|текущ\w*) месяц|(?:бул|ушул) ай", norm):
            return this, this
        if re.search(r"last year|previous year|прошл\w* год|былтыр|өткөн жыл", norm):
            year = self.today.year - 1
            return f"{year}-01", f"{year}-12"
        if re.search(r"this year|(?:этот|этом|текущ\w*) год|быйыл|ушул жыл|бул жыл", norm):
            return f"{self.today.year}-01", this
        span = MONTH_RANGE.search(norm)
        if span:  # "from January to March 2026": the first month takes the year that fits
            first, first_year, last, last_year = span.groups()
            first_month, last_month = self.month_index(first), self.month_index(last)
            year = int(last_year)
            start_year = int(first_year) if first_year else year - (first_month > last_month)
            return f"{start_year}-{first_month:02d}", f"{year}-{last_month:02d}"
        quarter = self.quarter(norm)
        if quarter is not None:
            last = dt.date(quarter.year, quarter.month + 2, 1)
            return f"{quarter:%Y-%m}", f"{last:%Y-%m}"
        months = list(ISO_MONTH.finditer(norm))
        if len(months) >= 2:
            return months[0].group(0), months[1].group(0)
        month = self.month(norm) or self.month_without_year(norm)
        if month is not None:
            return f"{month:%Y-%m}", f"{month:%Y-%m}"
        year = YEAR.search(norm)
        if year:
            named = int(year[1])
            return f"{named}-01", this if named == self.today.year else f"{named}-12"
        return None

    def window_days(self, norm: str) -> int | None:
        """The warning window a question asks for: "next 60 days", "в ближайшие 10 дней",
        "жакынкы 30 күндө", "in the next month" (to the end of next month); None: the
        company's own."""
        match = WINDOW.search(norm)
        if match:
            return int(match[1])
        if re.search(r"next month|следующ\w* месяц|кийинки ай", norm):
            end = self._months_ago(-2) - dt.timedelta(days=1)
            return (end - self.today).days
        if re.search(r"this week|на этой неделе|бул жума", norm):
            return 6 - self.today.weekday()
        if re.search(r"next week|следующ\w* недел|кийинки жума", norm):
            return 13 - self.today.weekday()
        return None
