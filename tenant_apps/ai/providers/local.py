"""The built-in assistant: no network, no model. It recognises the common questions (in Russian
and English; Kyrgyz gets the Russian answers) by their words, answers them with the facade's
numbers (the reports' own), and turns plain requests to record fuel, a mileage, an insurance or
a car's status into proposed actions. Anything else gets a list of what it can do."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.db import connection
from django.utils import translation

from shared_apps.accounts.roles import Role
from shared_apps.dictionaries.selectors import dictionary_list
from tenant_apps.fleet.compliance import ComplianceStatus, Obligation
from tenant_apps.fleet.fields import numplate_normalize
from tenant_apps.fleet.models import Car, CarStatus, FuelRecord, MonthlyMileage
from tenant_apps.fleet.rights import WRITE_ROLES
from tenant_apps.fleet.selectors import company_today

from .. import facade
from ..actions import ENTITIES, writable_entities
from . import ChatReply, ChatRequest, reply_data

MONTHS = {
    "en": [
        "january", "february", "march", "april", "may", "june",
        "july", "august", "september", "october", "november", "december",
    ],
    # Stems that match every case: "март", "марта", "марте".
    "ru": ["январ", "феврал", "март", "апрел", "ма[йяе]", "июн", "июл", "август", "сентябр",
           "октябр", "ноябр", "декабр"],
}  # fmt: skip
MONTH_WORD = re.compile(
    r"\b(?:("
    + "|".join(MONTHS["en"] + [m[:3] for m in MONTHS["en"]])
    + r")|("
    + "|".join(MONTHS["ru"])
    + r")\w*)\.?\s+(\d{4})\b",
    re.IGNORECASE,
)
MONTH_NAME = (
    "(?:" + "|".join(MONTHS["en"] + [m[:3] for m in MONTHS["en"]]) + "|"
    + "|".join(rf"{stem}\w*" for stem in MONTHS["ru"]) + ")"
)  # fmt: skip
MONTH_RANGE = re.compile(
    rf"\b(?:from|с)\s+({MONTH_NAME})\.?(?:\s+(\d{{4}}))?\s+(?:to|till|until|по|до|-)\s+"
    rf"({MONTH_NAME})\.?\s+(\d{{4}})\b",
    re.IGNORECASE,
)
ISO_MONTH = re.compile(r"\b(\d{4})-(0[1-9]|1[0-2])\b(?!-\d)")
ISO_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
DOTTED_DATE = re.compile(r"\b(\d{2})\.(\d{2})\.(\d{4})\b")
PLATE_KG = re.compile(r"\b\d{2}\s*[A-ZА-Я]{2}\s*\d{3}\s*[A-ZА-Я]{3}\b", re.IGNORECASE)
TOKEN = re.compile(r"[0-9A-Za-zА-Яа-яЁё-]{4,20}")
# "3000", "3 000", "3\u00a0000,50", "12,500.5": thousands separated by a (no-break) space or,
# in English, a comma followed by three digits; a comma before one or two digits is a decimal one.
NUMBER = r"(\d{1,3}(?:[ \u00a0,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
LITERS = re.compile(NUMBER + r"\s*(?:l|л|lit(?:er|re)s?|литр\w*)\b", re.IGNORECASE)
MONEY = re.compile(NUMBER + r"\s*(?:som|soms|kgs|сом\w*|с\.)(?![\w])", re.IGNORECASE)
KM = re.compile(NUMBER + r"\s*(?:km|км|kilomet\w*|километр\w*)(?![\w])", re.IGNORECASE)
# A year standing alone: not an amount or a quantity ("2000 som", "2000 l").
YEAR = re.compile(
    r"\b(199\d|20\d\d)\b(?!\s*(?:som|kgs|сом|с\.|l\b|л\b|lit|литр|km|км|кило|kilo))",
    re.IGNORECASE,
)
MAX_CANDIDATES = 20  # plate-like words looked up per message (one query)
# "number OS-123", "no. 123", "№123", "номер 123": the word on its own, and a number with a digit
# ("another OSAGO" names none).
POLICY_NUMBER = re.compile(
    r"(?:(?<!\w)(?:number|no\.?|номер)\s+|№\s*)([\w/-]*\d[\w/-]*)", re.IGNORECASE
)
# Verbs that replace a month's figures; otherwise a fill-up adds to them.
REPLACE_VERBS = (r"\bset\b", r"\bchange\b", r"\bcorrect\b", r"\bupdate\b", r"\breplace\b",
                 "измени", "исправ", "установ", "замени", "поправ")  # fmt: skip


def _has(text: str, *stems: str) -> bool:
    return any(re.search(stem, text) for stem in stems)


WRITE_VERBS = (r"\badd\b", r"\brecord\b", r"\blog\b", r"\bcreate\b", r"\bset\b", r"\bchange\b",
               r"\bupdate\b", r"\bput\b", r"\bmark\b", r"\bmove\b", r"\breturn\b",
               r"\bcorrect\b", "добав", "запиш", "внес", "созда", "измен", "установ", "постав",
               "переведи", "верни", "отметь", "зафиксир", "исправ")  # fmt: skip

TEXTS = {
    "en": {
        "help": (
            "I can answer questions about your fleet and prepare changes for you to confirm. "
            "Try: “fleet summary”, “fuel consumption of 01KG123ABC this year”, “maintenance costs "
            "in 2026”, “what expires soon?”, “top 5 cars by cost”, or “add fuel for 01KG123ABC: "
            "50 l, 3000 som, 420 km, March 2026”."
        ),
        "summary": (
            "{cars} cars ({active} active, {repair} in repair). In {year}: {fuel_liters} l of "
            "fuel for {fuel_cost} {cur}, {mileage_km} km, {avg} l/100 km on average; maintenance "
            "{maintenance_cost} {cur}. Documents: {expiring} expiring, {expired} expired."
        ),
        "fuel": (
            "Fuel {scope}{from}–{to}: {liters} l, {cost} {cur}, {km} km, "
            "average {avg} l/100 km."
        ),
        "costs": (
            "Maintenance {scope}{from}–{to}: {total} {cur} (parts {parts}, work {work}, "
            "tyres {tires}, batteries {accumulators}, inspections {inspections})."
        ),
        "documents": "{expiring} documents expire within {days} days, {expired} have expired.",
        "documents_items": " Soonest: {items}.",
        "top": "Top cars by {metric}, {from}–{to}: {items}.",
        "top_empty": "No data for {from}–{to}.",
        "metric": {"cost": "maintenance cost", "consumption": "l/100 km", "fuel": "fuel cost"},
        "for_car": "of {numplate}, ",
        "no_car": "I could not find the car {plate}.",
        "need_car": "Which car? Give its number plate, e.g. 01KG123ABC.",
        "proposed": "Please review and confirm: {summary}.",
        "fuel_action": "{verb} fuel for {numplate}, {month}: {liters} l, {cost} {cur}, {km} km",
        "fill_action": "Add a fill-up to {numplate}, {month}: {changes}",
        "replace_action": "Change the fuel of {numplate}, {month}: {changes}",
        "need_fuel_new": (
            "{numplate} has no fuel record for {month} yet: give the cost and the km driven "
            "too (“0 km” if none), e.g. “50 l, 3000 som, 420 km”."
        ),
        "role_refused": "Your role ({role}) cannot change {what}; ask {who}.",
        "in_status": "Cars with the status “{status}”: {count} of {total}.",
        "lacking": "No valid {name}: {items}.",
        "all_covered": "Every car in service has a valid {name}.",
        "car_obligation": "{name}: {items}.",
        "compliance_item": "{numplate} {status}{due}",
        "what": {"fuel_record": "fuel records", "monthly_mileage": "mileages",
                 "insurance": "insurances", "car": "cars"},
        "mileage_action": "{verb} the mileage of {numplate}, {month}: {km} km",
        "mileage_change": "Change the mileage of {numplate}, {month}: {before} → {km} km",
        "insurance_action": "Add {type} for {numplate}: {details}",
        "status_action": "Set the status of {numplate} to {status}",
        "add": "Add",
        "change": "Change",
        "need_fuel": "For fuel I need the liters, e.g. “50 l, 3000 som, 420 km, March 2026”.",
        "need_km": "For a mileage I need the kilometres, e.g. “1500 km, March 2026”.",
    },
    "ru": {
        "help": (
            "Я отвечаю на вопросы об автопарке и готовлю изменения, которые вы подтверждаете. "
            "Например: «сводка по автопарку», «расход топлива 01KG123ABC за этот год», "
            "«затраты на обслуживание в 2026», «что скоро истекает?», «топ 5 машин по "
            "затратам», «добавь топливо для 01KG123ABC: 50 л, 3000 сом, 420 км, март 2026»."
        ),
        "summary": (
            "Машин: {cars} (в работе {active}, в ремонте {repair}). За {year}: топливо "
            "{fuel_liters} л на {fuel_cost} {cur}, пробег {mileage_km} км, средний расход {avg} "
            "л/100 км; обслуживание {maintenance_cost} {cur}. Документы: истекают {expiring}, "
            "просрочены {expired}."
        ),
        "fuel": (
            "Топливо {scope}{from}–{to}: {liters} л, {cost} {cur}, {km} км, "
            "средний расход {avg} л/100 км."
        ),
        "costs": (
            "Обслуживание {scope}{from}–{to}: {total} {cur} (запчасти {parts}, работы {work}, "
            "шины {tires}, аккумуляторы {accumulators}, техосмотры {inspections})."
        ),
        "documents": "Истекают в ближайшие {days} дн.: {expiring}, просрочены: {expired}.",
        "documents_items": " Ближайшие: {items}.",
        "top": "Топ машин по показателю «{metric}», {from}–{to}: {items}.",
        "top_empty": "Нет данных за {from}–{to}.",
        "metric": {"cost": "затраты на обслуживание", "consumption": "л/100 км",
                   "fuel": "затраты на топливо"},
        "for_car": "по {numplate}, ",
        "no_car": "Не нашёл машину {plate}.",
        "need_car": "Какая машина? Укажите госномер, например 01KG123ABC.",
        "proposed": "Проверьте и подтвердите: {summary}.",
        "fuel_action": "{verb} топливо для {numplate}, {month}: {liters} л, {cost} {cur}, {km} км",
        "fill_action": "Добавить заправку {numplate}, {month}: {changes}",
        "replace_action": "Изменить топливо {numplate}, {month}: {changes}",
        "need_fuel_new": (
            "У {numplate} ещё нет записи о топливе за {month}: укажите и стоимость, и пробег "
            "(«0 км», если не ездила), например «50 л, 3000 сом, 420 км»."
        ),
        "role_refused": "Ваша роль ({role}) не позволяет менять {what}; обратитесь к: {who}.",
        "in_status": "Машин в статусе «{status}»: {count} из {total}.",
        "lacking": "«{name}» не в порядке: {items}.",
        "all_covered": "«{name}» в порядке у всех машин в работе.",
        "car_obligation": "{name}: {items}.",
        "compliance_item": "{numplate} {status}{due}",
        "what": {"fuel_record": "записи о топливе", "monthly_mileage": "пробег",
                 "insurance": "страховки", "car": "машины"},
        "mileage_action": "{verb} пробег {numplate}, {month}: {km} км",
        "mileage_change": "Изменить пробег {numplate}, {month}: {before} → {km} км",
        "insurance_action": "Добавить {type} для {numplate}: {details}",
        "status_action": "Перевести {numplate} в статус «{status}»",
        "add": "Добавить",
        "change": "Изменить",
        "need_fuel": "Для заправки нужны литры, например «50 л, 3000 сом, 420 км, март 2026».",
        "need_km": "Для пробега нужны километры, например «1500 км, март 2026».",
    },
}  # fmt: skip
OBLIGATION_WORDS = [
    (Obligation.OSAGO, ("osago", "осаго")),
    (Obligation.CASCO, ("casco", "каско")),
    (Obligation.INSPECTION, ("inspection", "техосмотр", "техосмотр")),
    (Obligation.FIRE_EXTINGUISHER, ("extinguisher", "огнетушит")),
    (Obligation.FIRST_AID_KIT, ("first-aid", "first aid", "аптечк")),
    (Obligation.BATTERY_WARRANTY, ("battery warranty", "гарантия на аккумулятор")),
]
# "which cars have no valid OSAGO", "без ОСАГО", "у каких машин нет техосмотра"
WITHOUT_WORDS = (r"\bno valid\b", r"\bwithout\b", r"\bhave no\b", r"\bmissing\b", r"\bбез\b",
                 r"\bнет\b", "не действ", "просроч", "отсутств")  # fmt: skip
STATUS_WORDS = [
    (CarStatus.REPAIR, ("repair", "ремонт")),
    (CarStatus.RESERVE, ("reserve", "резерв")),
    (CarStatus.DECOMMISSIONED, ("decommission", "списа", "списан")),
    (CarStatus.ACTIVE, ("active", "in service", "в работ", "актив")),
]


class LocalProvider:
    name = "local"

    def answer(self, request: ChatRequest) -> ChatReply:
        self.lang = "en" if request.language == "en" else "ru"
        self.t = TEXTS[self.lang]
        self.company = connection.tenant
        self.today = company_today(self.company)
        self.role = request.role
        text = request.message.strip()
        lowered = text.lower()
        car, missing_plate = self._car(text, request.car_id)

        if _has(lowered, *WRITE_VERBS) or LITERS.search(lowered):
            reply = self._write(lowered, text, car, missing_plate)
            if reply is not None:
                return reply
        if missing_plate:
            return ChatReply(self.t["no_car"].format(plate=missing_plate))
        date_from, date_to = self._period(lowered, request)
        status = _target_status(lowered)
        if status and _has(lowered, r"how many cars", r"\bwhich cars", r"сколько (?:машин|авто)",
                           r"какие (?:машин|авто)"):  # fmt: skip
            return self._cars_in_status(status)
        obligation = next((o for o, words in OBLIGATION_WORDS if _has(lowered, *words)), None)
        if obligation and (car or _has(lowered, *WITHOUT_WORDS)):
            return self._compliance(car, obligation, lacking=car is None)
        if _has(lowered, r"\btop\b", r"\bmost\b", r"\bhighest\b", r"\bworst\b", r"\bтоп\b",
                r"\bсам(?:ая|ый|ое|ые|ых|ой|ую)\b", "больше всего", "наибол",
                "дорог", "expensive"):  # fmt: skip
            return self._top(lowered, date_from, date_to)
        if _has(lowered, "expir", "insurance", "inspection", "osago", "casco", "истека",
                "просроч", "страхов", "техосмотр", "осаго", "каско", "документ"):  # fmt: skip
            return self._documents(lowered)
        about_fuel = _has(lowered, "fuel", "consumption", "liter", "litre", "mileage", "топлив",
                          "расход", "литр", "бензин", "дизел", "пробег", "заправ")  # fmt: skip
        about_upkeep = _has(lowered, "maintenance", "repair", "spare", "ремонт", "обслуж",
                            "запчаст")  # fmt: skip
        if about_upkeep or (not about_fuel and _has(lowered, r"\bcosts?\b", "spend", "затрат",
                                                    "траты")):  # fmt: skip
            return self._costs(car, date_from, date_to)
        if about_fuel:
            return self._fuel(car, date_from, date_to)
        if _has(lowered, "summary", "overview", "fleet", "how many", "сводк", "обзор",
                "автопарк", "сколько", "парк", "итог"):  # fmt: skip
            return self._summary()
        return ChatReply(self.t["help"])

    # --- Understanding -------------------------------------------------------------------------

    def _car(self, text: str, car_id: int | None) -> tuple[dict | None, str | None]:
        """The car the message names (by plate), else the context's; and a plate that was
        named but not found."""
        candidates = [m.group(0) for m in PLATE_KG.finditer(text)]
        candidates += [t for t in TOKEN.findall(text) if re.search(r"\d", t) and
                       re.search(r"[A-Za-zА-Яа-я]", t)]  # fmt: skip
        plates = list(dict.fromkeys(numplate_normalize(c) for c in candidates))[:MAX_CANDIDATES]
        found = dict(Car.objects.filter(numplate__in=plates).values_list("numplate", "pk"))
        for plate in plates:  # the first one named wins
            if plate in found:
                return facade.find_car(numplate=plate), None
        named = [c for c in candidates if PLATE_KG.fullmatch(c)]
        if named:  # a plate was named and is not ours: say so, never answer for another car
            return None, numplate_normalize(named[0])
        if car_id is not None:
            car = Car.objects.filter(pk=car_id).first()
            if car is not None:
                return facade.find_car(numplate=car.numplate), None
        return None, None

    @staticmethod
    def _month_index(word: str) -> int:
        word = word.lower()
        for index, name in enumerate(MONTHS["en"]):
            if name.startswith(word[:3]) and word.isascii():
                return index + 1
        return next(i + 1 for i, stem in enumerate(MONTHS["ru"]) if re.match(stem, word))

    def _month(self, text: str) -> dt.date | None:
        match = MONTH_WORD.search(text)
        if match:
            english, russian, year = match.groups()
            if english:
                names = MONTHS["en"]
                index = next(i for i, m in enumerate(names) if m.startswith(english.lower()[:3]))
            else:
                index = next(
                    i for i, stem in enumerate(MONTHS["ru"]) if re.match(stem, russian.lower())
                )
            return dt.date(int(year), index + 1, 1)
        match = ISO_MONTH.search(text)
        if match:
            return dt.date(int(match[1]), int(match[2]), 1)
        return None

    def _period(self, lowered: str, request: ChatRequest) -> tuple[str | None, str | None]:
        this_month = self.today.replace(day=1)
        if _has(lowered, "last month", "прошл(ый|ом) месяц"):
            previous = (this_month - dt.timedelta(days=1)).replace(day=1)
            return f"{previous:%Y-%m}", f"{previous:%Y-%m}"
        if _has(lowered, "this month", "(этот|этом) месяц"):
            return f"{this_month:%Y-%m}", f"{this_month:%Y-%m}"
        if _has(lowered, "last year", "прошл(ый|ом) год"):
            year = self.today.year - 1
            return f"{year}-01", f"{year}-12"
        span = MONTH_RANGE.search(lowered)
        if span:  # "from January to March 2026": the first month takes the year that fits
            first, first_year, last, last_year = span.groups()
            first_month, last_month = self._month_index(first), self._month_index(last)
            year = int(last_year)
            start_year = int(first_year) if first_year else year - (first_month > last_month)
            return f"{start_year}-{first_month:02d}", f"{year}-{last_month:02d}"
        quarter = self._quarter(lowered)
        if quarter is not None:
            first = quarter
            last = dt.date(first.year, first.month + 2, 1)
            return f"{first:%Y-%m}", f"{last:%Y-%m}"
        months = list(ISO_MONTH.finditer(lowered))
        if len(months) >= 2:
            return months[0].group(0), months[1].group(0)
        month = self._month(lowered) or self._month_without_year(lowered)
        if month is not None:
            return f"{month:%Y-%m}", f"{month:%Y-%m}"
        year = YEAR.search(lowered)
        if year:
            last = (
                min(f"{year[1]}-12", f"{this_month:%Y-%m}")
                if int(year[1]) == self.today.year
                else f"{year[1]}-12"
            )
            return f"{year[1]}-01", last
        return request.date_from, request.date_to

    def _month_without_year(self, lowered: str) -> dt.date | None:
        """ "за март", "in March": the latest March that has begun (this year's, or last year's
        while this year's is still ahead)."""
        match = re.search(rf"\b({MONTH_NAME})\b", lowered, re.IGNORECASE)
        if match is None or (match[1] == "may" and not re.search(r"\bin may\b", lowered)):
            return None  # "may" is mostly the verb
        index = self._month_index(match[1])
        year = self.today.year - (index > self.today.month)
        return dt.date(year, index, 1)

    def _quarter(self, lowered: str) -> dt.date | None:
        """The first month of the quarter named: "last quarter", "this quarter", "Q3 2026",
        "3 квартал", "третий квартал" (without a year: the latest such quarter that has begun)."""
        current = (self.today.month - 1) // 3
        if _has(lowered, "last quarter", "previous quarter", r"прошл\w* квартал"):
            index, year = (current - 1) % 4, self.today.year - (current == 0)
            return dt.date(year, index * 3 + 1, 1)
        if _has(lowered, "this quarter", r"(?:этот|этом|текущ\w*) квартал"):
            return dt.date(self.today.year, current * 3 + 1, 1)
        match = re.search(
            r"\bq([1-4])\b|\b([1-4])(?:-?(?:й|ий|ый|st|nd|rd|th))?\s*(?:квартал|quarter)"
            r"|\b(перв|втор|трет|четв[её]рт)\w*\s+квартал",
            lowered,
        )
        if match is None:
            return None
        ordinals = {"перв": 0, "втор": 1, "трет": 2, "четв": 3}
        word = match[3]
        index = int(match[1] or match[2]) - 1 if word is None else ordinals[word[:4]]
        named = YEAR.search(lowered[match.end() :]) or YEAR.search(lowered)
        year = int(named[1]) if named else self.today.year - (index > current)
        return dt.date(year, index * 3 + 1, 1)

    # --- Answers ----------------------------------------------------------------------------

    def _fmt(self, template: str, **values) -> str:
        return template.format(cur=self.company.default_currency, **values)

    def _summary(self) -> ChatReply:
        s = facade.fleet_summary()
        reply = self._fmt(
            self.t["summary"],
            cars=s["cars"],
            active=s["cars_by_status"].get("active", 0),
            repair=s["cars_by_status"].get("repair", 0),
            year=s["year"],
            fuel_liters=s["fuel_liters"],
            fuel_cost=s["fuel_cost"],
            mileage_km=s["mileage_km"],
            avg=s["avg_consumption_l_per_100km"] or "—",
            maintenance_cost=s["maintenance_cost"],
            expiring=s["documents"]["expiring"],
            expired=s["documents"]["expired"],
        )
        return ChatReply(reply, data=reply_data("fleet_summary", s))

    def _scope(self, car: dict | None) -> str:
        return self.t["for_car"].format(numplate=car["numplate"]) if car else ""

    def _fuel(self, car, date_from, date_to) -> ChatReply:
        result = facade.fuel_consumption(
            car_id=car["id"] if car else None, date_from=date_from, date_to=date_to
        )
        totals = result["totals"]
        reply = self._fmt(
            self.t["fuel"],
            scope=self._scope(car),
            **{"from": result["from"], "to": result["to"]},
            liters=totals["liters"],
            cost=totals["cost"],
            km=totals["mileage_km"],
            avg=totals["avg_consumption_l_per_100km"] or "—",
        )
        return ChatReply(reply, data=reply_data("fuel_consumption", result))

    def _costs(self, car, date_from, date_to) -> ChatReply:
        result = facade.maintenance_costs(
            car_id=car["id"] if car else None, date_from=date_from, date_to=date_to
        )
        totals = result["totals"]
        reply = self._fmt(
            self.t["costs"],
            scope=self._scope(car),
            **{"from": result["from"], "to": result["to"]},
            **{k: totals[k] for k in ("total", "parts", "work", "tires", "accumulators")},
            inspections=totals["inspections"],
        )
        return ChatReply(reply, data=reply_data("maintenance_costs", result))

    def _window_days(self, lowered: str) -> int | None:
        """The warning window a question asks for: "next 60 days", "в ближайшие 10 дней", "in
        the next month" (to the end of next month); None: the company's own."""
        match = re.search(
            r"(?:next|within|ближайш\w*|следующ\w*|в течение)\s+(\d{1,4})\s*(?:days?|дн)", lowered
        )
        if match:
            return int(match[1])
        if _has(lowered, r"next month", r"следующ\w* месяц"):
            next_month = (self.today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
            end = (next_month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            return (end - self.today).days
        return None

    def _documents(self, lowered: str) -> ChatReply:
        result = facade.documents_status(days=self._window_days(lowered))
        reply = self.t["documents"].format(
            days=result["days"],
            expiring=result["counts"]["expiring"],
            expired=result["counts"]["expired"],
        )
        # What needs doing: a policy yet to start is no news (it is the renewal).
        urgent = [i for i in result["items"] if i["status"] in ("expiring", "expired")][:5]
        if urgent:
            items = ", ".join(f"{i['numplate']} {i['type']} {i['end']}" for i in urgent)
            reply += self.t["documents_items"].format(items=items)
        return ChatReply(reply, data=reply_data("documents", result))

    def _top(self, lowered, date_from, date_to) -> ChatReply:
        if _has(lowered, "consumption", "l/100", "расход"):
            metric = "consumption"
        elif _has(lowered, "fuel", "топлив", "бензин"):
            metric = "fuel"
        else:
            metric = "cost"
        limit = re.search(r"\b(?:top|топ)[\s-]*(\d{1,2})\b", lowered)
        # "самая дорогая машина", "the most expensive car": one car
        one = _has(lowered, r"\bсам(?:ая|ый|ое)\b", r"\bthe most\b", r"\bmost expensive car\b")
        result = facade.top_cars(
            metric=metric,
            date_from=date_from,
            date_to=date_to,
            limit=int(limit[1]) if limit else 1 if one else 5,
        )
        period = {"from": result["from"], "to": result["to"]}
        data = reply_data("top_cars", result)
        if not result["rows"]:
            return ChatReply(self.t["top_empty"].format(**period), data=data)
        items = ", ".join(f"{r['numplate']} ({r['value']})" for r in result["rows"])
        reply = self.t["top"].format(metric=self.t["metric"][metric], items=items, **period)
        return ChatReply(reply, data=data)

    def _cars_in_status(self, status: str) -> ChatReply:
        summary = facade.fleet_summary()
        names = {
            e["code"]: e["name"] for e in dictionary_list(kind="car_statuses", language=self.lang)
        }
        reply = self.t["in_status"].format(
            status=names.get(status, status),
            count=summary["cars_by_status"].get(status, 0),
            total=summary["cars"],
        )
        return ChatReply(reply, data=reply_data("fleet_summary", summary))

    def _compliance(self, car: dict | None, obligation: str, *, lacking: bool) -> ChatReply:
        """One car's obligation (its document, kit item, ...), or the cars that lack it: no
        valid cover today (missing or expired), worst first."""
        result = facade.compliance(obligation=obligation, car_id=car["id"] if car else None)
        with translation.override(self.lang):
            name = str(Obligation(obligation).label)
            statuses = {code: str(label) for code, label in ComplianceStatus.choices}
        rows = result["rows"]
        if lacking:
            rows = [r for r in rows if r["status"] in ("missing", "expired")]
            if not rows:
                return ChatReply(
                    self.t["all_covered"].format(name=name),
                    data=reply_data("compliance_rows", result),
                )
        items = ", ".join(
            self.t["compliance_item"].format(
                numplate=r["numplate"],
                status=statuses[r["status"]].lower(),
                due=f" {r['due']}" if r["due"] else "",
            )
            for r in rows
        )
        template = "lacking" if lacking else "car_obligation"
        reply = self.t[template].format(name=name, items=items or statuses["missing"].lower())
        return ChatReply(reply, data=reply_data("compliance_rows", result))

    # --- Proposed changes ---------------------------------------------------------------------

    def _propose(self, action: dict) -> ChatReply:
        return ChatReply(self.t["proposed"].format(summary=action["summary"]), actions=[action])

    def _write(self, lowered, text, car, missing_plate) -> ChatReply | None:
        wants_fuel = _has(lowered, "fuel", "топлив", "заправ", "бензин", "дизел", "liters",
                          "литр")  # fmt: skip
        wants_mileage = _has(lowered, "mileage", "пробег", "odometer", "одометр")
        wants_insurance = _has(lowered, "osago", "casco", "insurance", "осаго", "каско", "страхов")
        status = _target_status(lowered)
        if not (wants_fuel or wants_mileage or wants_insurance or status):
            return None
        entity = (
            "fuel_record"
            if wants_fuel
            else "monthly_mileage"
            if wants_mileage
            else "insurance"
            if wants_insurance
            else "car"
        )
        refused = self._refused(entity)
        if refused is not None:
            return refused
        if car is None:
            return ChatReply(
                self.t["no_car"].format(plate=missing_plate)
                if missing_plate
                else self.t["need_car"]
            )
        if wants_fuel:
            return self._fuel_action(lowered, car)
        if wants_mileage:
            return self._mileage_action(lowered, car)
        if wants_insurance:
            return self._insurance_action(lowered, text, car)
        return self._status_action(car, status)

    def _refused(self, entity: str) -> ChatReply | None:
        """Why no change is proposed to a user whose role may not make it (it would only be
        refused when confirmed), naming who may."""
        if entity in writable_entities(self.role):
            return None
        allowed = WRITE_ROLES[ENTITIES[entity]]
        with translation.override(self.lang):
            names = {code: str(label) for code, label in Role.choices}
        who = ", ".join(names[role] for role in Role.values if role in allowed)
        return ChatReply(
            self.t["role_refused"].format(
                role=names.get(self.role, self.role), what=self.t["what"][entity], who=who
            )
        )

    def _month_or_current(self, lowered: str) -> dt.date:
        return (
            self._month(lowered) or self._month_without_year(lowered) or self.today.replace(day=1)
        )

    def _month_label(self, month: dt.date) -> str:
        return f"{month:%Y-%m}"

    def _fuel_action(self, lowered: str, car: dict) -> ChatReply:
        """A fill-up adds its liters, cost and km to the month's record (a correction, "set" or
        "change", replaces them); what the message does not say is left as it is, never set to
        zero. A new month's record needs all three, so the missing ones are asked for."""
        liters = LITERS.search(lowered)
        if liters is None:
            return ChatReply(self.t["need_fuel"])
        month = self._month_or_current(lowered)
        cost, km = MONEY.search(lowered), KM.search(lowered)
        said = {"liters": _number(liters[1])}
        if cost:
            said["total_cost"] = _number(cost[1])
        if km:
            said["mileage_km"] = int(_number(km[1]))
        existing = FuelRecord.objects.filter(
            car_id=car["id"], year=month.year, month=month.month
        ).first()
        if existing is None:
            if len(said) < 3:
                return ChatReply(
                    self.t["need_fuel_new"].format(
                        numplate=car["numplate"], month=self._month_label(month)
                    )
                )
            data = {"car": car["id"], "year": month.year, "month": month.month}
            data.update({k: _plain(v) for k, v in said.items()})
            summary = self._fmt(
                self.t["fuel_action"],
                verb=self.t["add"],
                numplate=car["numplate"],
                month=self._month_label(month),
                liters=data["liters"],
                cost=data["total_cost"],
                km=data["mileage_km"],
            )
            return self._propose(_action("fuel_record", None, data, summary))
        replace = _has(lowered, *REPLACE_VERBS)
        changes = {
            field: value if replace else getattr(existing, field) + value
            for field, value in said.items()
        }
        shown = ", ".join(
            f"{field} {_plain(getattr(existing, field))} → {_plain(value)}"
            for field, value in changes.items()
        )
        summary = self.t["replace_action" if replace else "fill_action"].format(
            numplate=car["numplate"], month=self._month_label(month), changes=shown
        )
        data = {field: _plain(value) for field, value in changes.items()}
        return self._propose(_action("fuel_record", existing, data, summary))

    def _mileage_action(self, lowered: str, car: dict) -> ChatReply:
        km = KM.search(lowered)
        if km is None:
            return ChatReply(self.t["need_km"])
        month = self._month_or_current(lowered)
        data = {"car": car["id"], "month": f"{month:%Y-%m}", "mileage_km": int(_number(km[1]))}
        existing = MonthlyMileage.objects.filter(car_id=car["id"], month=month).first()
        summary = self.t["mileage_change" if existing else "mileage_action"].format(
            verb=self.t["add"],
            numplate=car["numplate"],
            month=self._month_label(month),
            km=data["mileage_km"],
            before=existing.mileage_km if existing else None,
        )
        return self._propose(_action("monthly_mileage", existing, data, summary))

    def _insurance_action(self, lowered: str, text: str, car: dict) -> ChatReply:
        kind = "casco" if _has(lowered, "casco", "каско") else "osago"
        dates = [m.group(1) for m in ISO_DATE.finditer(text)]
        dates += [f"{y}-{m}-{d}" for d, m, y in DOTTED_DATE.findall(text)]
        number = POLICY_NUMBER.search(text)
        cost = MONEY.search(lowered)
        data = {"car": car["id"], "insurance_type": kind}
        if number:
            data["number"] = number[1]
        if dates:
            data["start_date"] = dates[0]
        if len(dates) > 1:
            data["end_date"] = dates[1]
        if cost:
            data["cost"] = _decimal(cost[1])
        details = ", ".join(f"{k}={v}" for k, v in data.items() if k not in ("car",))
        summary = self.t["insurance_action"].format(
            type=kind.upper(), numplate=car["numplate"], details=details
        )
        return self._propose(_action("insurance", None, data, summary))

    def _status_action(self, car: dict, status: str) -> ChatReply:
        names = {
            e["code"]: e["name"] for e in dictionary_list(kind="car_statuses", language=self.lang)
        }
        summary = self.t["status_action"].format(
            numplate=car["numplate"], status=names.get(status, status)
        )
        action = {
            "action": "update",
            "entity": "car",
            "id": car["id"],
            "data": {"status": status},
            "summary": summary,
        }
        return self._propose(action)


def _plain(value) -> str | int:
    """A figure as the API takes it: money and liters with two places, km whole."""
    return value if isinstance(value, int) else f"{Decimal(value):.2f}"


def _target_status(lowered: str) -> str | None:
    """The status a car is to be put in: the last one named, but not one it leaves ("из
    ремонта в работу", "from repair to active")."""
    named = sorted(
        (match.start(), status)
        for status, words in STATUS_WORDS
        for word in words
        for match in re.finditer(re.escape(word), lowered)
    )
    targets = [
        status
        for start, status in named
        if not re.search(r"(?:\bиз|\bfrom|\bout of)\s+$", lowered[:start])
    ]
    return targets[-1] if targets else None


def _number(text: str) -> Decimal:
    """A number as written: "1 500", "12,500" (thousands), "40,5" (a decimal comma)."""
    cleaned = re.sub(r"[ \u00a0]", "", text)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?", cleaned):
        cleaned = cleaned.replace(",", "")
    return Decimal(cleaned.replace(",", "."))


def _decimal(text: str) -> str:
    try:
        return f"{_number(text):.2f}"
    except InvalidOperation:
        return text


def _action(entity: str, existing, data: dict, summary: str) -> dict:
    if existing is None:
        return {"action": "create", "entity": entity, "id": None, "data": data, "summary": summary}
    changes = {k: v for k, v in data.items() if k not in ("car", "year", "month")}
    return {"action": "update", "entity": entity, "id": existing.pk, "data": changes,
            "summary": summary}  # fmt: skip
