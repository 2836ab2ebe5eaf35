"""The words the local assistant knows, in Russian, English and Kyrgyz, by what they mean.

A plain entry is the start of a word (a stem: "топлив" finds "топливо", "топлива"), matched
also with one typo when it has six letters or more; an entry with regex syntax is matched as
written. Text is matched lowercased, with "ё" read as "е"."""

from tenant_apps.fleet.compliance import Obligation
from tenant_apps.fleet.models import CarStatus

# Word groups that mean a concept and also rank by it (`METRICS`).
PER_KM = (
    r"\bper km\b", r"\bper kilomet", r"(?:на|за) (?:1 )?км\b", r"(?:на|за) (?:1 )?километр",
    "километрге", r"(?:стои\w*|цена|стоимость) (?:1 )?(?:км|километр)",
)  # fmt: skip
OWNERSHIP = ("ownership", r"\btco\b", r"\btotal cost\b", "владени", r"полн\w* стоимост", "ээлик")

# What a question is about or asks for.
CONCEPTS: dict[str, tuple[str, ...]] = {
    "fuel": (
        "fuel", "petrol", "gasoline", "diesel", "liter", "litre", "refuel", "fill-up",
        "топлив", "бензин", "дизел", "солярк", "литр", r"(?<!\w)гсм\b", "заправ",
        "күйүүчү", "отун",
    ),
    "consumption": (
        "consumption", r"l/100", r"per 100\b", "efficien", "расход", r"л/100", r"на 100\b",
        "сарпт", "сарпта", r"100 км",
    ),
    "mileage": (
        "mileage", "odometer", r"\bkm driven\b", "distance", r"\bdrove\b", r"\bdriven\b",
        "пробег", "одометр", "проехал", "накатал", r"\bнаезд", r"\bездил", r"\bездит",
        "жүрүш", "жүргөн", "чакырым",
    ),
    "cost": (
        r"\bcosts?\b", r"\bspen[dt]\b", "spending", "expens", r"\bpaid\b", r"\bpay\b",
        "затрат", r"расходы\b", r"расходов\b", r"(?<!\w)трат", "потрат", "потрачен",
        "стоимост", "стоил", "заплат", "оплат", "деньг",
        "чыгым", "чыгаша", r"акча", "төлө", "кеткен",
    ),
    "upkeep": (
        "maintenance", r"\brepairs?\b", r"\bspares?\b", r"\bparts\b", r"\btyres?\b",
        r"\btires?\b", r"\bbatter", "upkeep", r"\bservicing\b",
        "ремонт", "обслуж", "запчаст", r"\bшин", "аккумулятор",
        "оңдо", "тейле", "тейлөө", "дөңгөлөк",
    ),
    "ownership": (
        *OWNERSHIP, *PER_KM, r"\ball[- ]in\b", "обходит", r"1 км\w*",
    ),
    "premium": ("premium", "преми", "страховые взнос", "камсыздандыруу акы"),
    "insurance": (
        "insurance", "insured", r"\bpolic(?:y|ies)\b", "страхов", "полис", "камсыздандыр",
    ),
    "documents": (
        "document", "papers", "expir", "valid until", "renew", "документ", "истека",
        "истёк", "истек", "просроч", "заканчива", "законч", "продл", "мөөнөт", "бүтө",
        "буткон", "бүткөн", "жарамдуу",
    ),
    "expired": (r"\bexpired\b", r"\blapsed\b", "просроч", r"\bистекш", r"истекл\w*\b",
                "мөөнөтү өткөн"),
    "summary": (
        "summary", "overview", r"\bfleet\b", r"\bstatus of\b", "сводк", "обзор", "автопарк",
        "итог", r"\bобщ\w* (?:картин|информац|данн)", "кыскача", r"\bжалпы\b", "маалымат",
    ),
    "cars": (
        r"\bcars?\b", "vehicle", r"\bautos?\b", r"\bunits\b", "машин", "машын", r"\bавто\b",
        r"\bавтомобил", "транспорт", r"\bтс\b", "унаа", "автоунаа", "машина",
    ),
    "count": (
        r"how many", r"how much", r"number of", r"\bcount\b", "сколько", "количеств", "канча",
    ),
    "which": (
        r"\bwhich\b", r"\bwhat cars\b", r"\blist\b", r"\bshow\b", r"\bname\b", r"\bwho\b",
        r"\bкаки\w+", r"\bкто\b", "список", "покажи", "перечисл", "назови", r"\bкайсы",
        "тизме", "көрсөт",
    ),
    "top": (
        r"\btop\b", r"\bmost\b", "highest", "biggest", "largest", r"\bworst\b", "leader",
        r"\bтоп\b", r"\bсам(?:ая|ый|ое|ые|ых|ой|ую|ого)\b", "больше всего", "наибол",
        "максимал", "лидер", r"\bэң\b", "көбүрөөк", "rank", "рейтинг",
    ),
    "expensive": ("expensive", "costliest", "дорог", "кымбат"),
    "without": (
        r"\bno valid\b", r"\bwithout\b", r"\bhave no\b", r"\bhas no\b", r"\bmissing\b",
        r"\bnot valid\b", r"\binvalid\b", r"\bбез\b", r"\bнет\b", "не действ", "просроч",
        "отсутств", r"\bжок\b", "жараксыз", r"\bжок\w*", "мөөнөтү өт", r"\bexpired\b",
        r"\blapsed\b",
    ),
    "write": (
        r"\badd\b", r"\brecord\b", r"\blog\b", r"\bcreate\b", r"\bset\b", r"\bchange\b",
        r"\bupdate\b", r"\bput\b", r"\bmark\b", r"\bmove\b", r"\breturn\b", r"\bcorrect\b",
        r"\brefuel+ed\b", r"\bfilled\b", r"\benter\b",
        "добав", "запиш", "внес", "созда", "измен", "установ", "постав", "переведи",
        "перевести", "верни", "вернуть", "отметь", "зафиксир", "исправ", "заправил",
        "залили", "залил", "оформ", "отправ",
        r"\bкош", "жазып", "жаз\b", "өзгөрт", "киргиз", r"\bкой\b", "куйдук", "куйду",
        "жөнөт", "которуп", "котор",
    ),
    # A correction replaces the month's figures; otherwise a fill-up adds to them.
    "replace": (
        r"\bset\b", r"\bchange\b", r"\bcorrect\b", r"\bupdate\b", r"\breplace\b", "измени",
        "исправ", "установ", "замени", "поправ", "өзгөрт", "оңдоп кой",
    ),
}  # fmt: skip

# An obligation a car has (its document, kit item, warranty or service), by the words for it.
OBLIGATIONS: list[tuple[str, tuple[str, ...]]] = [
    (Obligation.OSAGO, ("osago", "осаго", r"\bmtpl\b", "compulsory insurance")),
    (Obligation.CASCO, ("casco", "каско")),
    (Obligation.INSPECTION, (
        "inspection", r"\bmot\b", "техосмотр", r"\bосмотр", "техкароо", "техникалык кароо",
        r"\bкароо",
    )),
    (Obligation.FIRE_EXTINGUISHER, ("extinguisher", "огнетушит", "өрт өчүргүч")),
    (Obligation.FIRST_AID_KIT, ("first-aid", "first aid", "аптечк", "дары кутус")),
    (Obligation.BATTERY_WARRANTY, (
        "battery warrant", r"гаранти\w* (?:на )?аккумулятор", r"аккумулятор\w* гаранти",
        "аккумулятордун кепилдиг",
    )),
    (Obligation.SERVICE, (
        "service due", "due for service", "scheduled service", "next service",
        r"планов\w* (?:то|обслуживан)", r"\bпора на то\b", r"\bна то\b", "техобслуживан",
        "пландуу тейлөө",
    )),
]  # fmt: skip

# A car status, by the words for it (in "из ремонта в работу" the last one named is the target).
STATUSES: list[tuple[str, tuple[str, ...]]] = [
    (CarStatus.REPAIR, ("repair", "ремонт", "оңдоо", "оңдоодо")),
    (CarStatus.RESERVE, ("reserve", "резерв")),
    (CarStatus.DECOMMISSIONED, ("decommission", "write off", "written off", "списа", "списан",
                                "эсептен чыгар")),
    (CarStatus.ACTIVE, ("active", "in service", "в работ", "актив", r"\bon the road\b",
                        r"\bработа(?:ют|ет)\b", "иштеп жат", "ишке", "иштеген")),
]  # fmt: skip
# Words before a status that it is left, not entered.
STATUS_LEFT = r"(?:\bиз|\bfrom|\bout of|\bдан|\bтан)\s+$"

# Regions (codes of the dictionary). Osh alone is the city; with "region"/"область", the region.
REGIONS: list[tuple[str, tuple[str, ...]]] = [
    ("osh", (r"\bош\w*\s+(?:обл|облус)", r"\bosh\s+(?:region|oblast)", r"\bошск\w* обл")),
    ("bishkek", ("бишкек", "bishkek", "фрунзе")),
    ("osh_city", (r"\bош(?:е|а|ту|то|тогу)?\b", r"\bosh\b")),
    ("chui", ("чуй", "чүй", "chui", "chuy")),
    ("jalal_abad", ("джалал", "жалал", "jalal", "jalal-abad", "djalal")),
    ("issyk_kul", ("иссык", "ысык", "issyk", "ysyk", "каракол")),
    ("naryn", ("нарын", "naryn")),
    ("talas", ("талас", "talas")),
    ("batken", ("баткен", "batken")),
]
# Vehicle types (codes of the dictionary).
VEHICLE_TYPES: list[tuple[str, tuple[str, ...]]] = [
    ("minibus", ("minibus", "микроавтобус", "маршрутк", r"\bбус\b")),
    ("bus", (r"\bbus(?:es)?\b", r"\bавтобус")),
    ("truck", ("truck", "lorry", "lorries", "грузов", "самосвал", "жүк ташуучу", r"\bжүк\b")),
    ("suv", (r"\bsuvs?\b", "внедорожник", r"\bджип", "жол тандабас", r"\bjeeps?\b")),
    ("van", (r"\bvans?\b", "фургон")),
    ("special", ("special vehicle", "спецтехник", "атайын техника")),
    ("motorcycle", ("motorcycle", "motorbike", "мотоцикл")),
    ("trailer", ("trailer", "прицеп", "чиркегич")),
    ("car", ("passenger car", "легков", "седан", "sedan", "жеңил унаа", "жеңил машина")),
]

# Ranking metrics (the facade's), by the words for them, the more specific first.
METRICS: list[tuple[str, tuple[str, ...]]] = [
    ("cost_per_km", PER_KM),
    ("ownership", OWNERSHIP),
    ("insurance", (*CONCEPTS["insurance"], *CONCEPTS["premium"])),
    ("consumption", (*CONCEPTS["consumption"], "прожорлив", "жеген", "ест больше")),
    ("liters", ("liter", "litre", "литр")),
    ("mileage", (*CONCEPTS["mileage"], r"\bkm\b", r"\bкм\b", "километр")),
    ("fuel", CONCEPTS["fuel"]),
    ("cost", (*CONCEPTS["upkeep"], *CONCEPTS["expensive"], r"\bcosts?\b", "затрат", "чыгым")),
]  # fmt: skip

# Month names: English (and their three letters), Russian stems (every case: "март",
# "марта", "марте"; Kyrgyz writes these too: "мартта"), and the Kyrgyz calendar's names.
MONTHS = {
    "en": ["january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"],
    "ru": ["январ", "феврал", "март", "апрел", "ма[йяе]", "июн", "июл", "август", "сентябр",
           "октябр", "ноябр", "декабр"],
    "ky": ["үчтүн айы", "бирдин айы", "жалган куран", "чын куран", "бугу", "кулжа", "теке",
           "баш оона", "аяк оона", "тогуздун айы", "жетинин айы", "бештин айы"],
}  # fmt: skip
