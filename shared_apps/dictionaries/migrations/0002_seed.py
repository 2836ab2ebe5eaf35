"""Initial dictionary values (ru / en / ky). Later edits happen in the platform admin; this
migration only inserts codes that are missing, so it never overwrites an admin's change."""

from django.db import migrations

LATIN_BRANDS = [
    "Toyota",
    "Lexus",
    "Honda",
    "Nissan",
    "Infiniti",
    "Mitsubishi",
    "Mazda",
    "Subaru",
    "Suzuki",
    "Isuzu",
    "Hino",
    "Hyundai",
    "Kia",
    "Daewoo",
    "SsangYong",
    "Chevrolet",
    "Ford",
    "Jeep",
    "Dodge",
    "Tesla",
    "Volkswagen",
    "Audi",
    "BMW",
    "Mercedes-Benz",
    "Porsche",
    "Opel",
    "Skoda",
    "Renault",
    "Peugeot",
    "Citroen",
    "Fiat",
    "Volvo",
    "Land Rover",
    "MAN",
    "Scania",
    "DAF",
    "Iveco",
    "Chery",
    "Geely",
    "Haval",
    "Changan",
    "BYD",
    "Zeekr",
    "JAC",
    "FAW",
    "Foton",
    "Howo",
    "Shacman",
    "Dongfeng",
    "Yutong",
]
CYRILLIC_BRANDS = [
    ("lada", "Lada", "ЛАДА"),
    ("gaz", "GAZ", "ГАЗ"),
    ("uaz", "UAZ", "УАЗ"),
    ("kamaz", "KAMAZ", "КАМАЗ"),
    ("maz", "MAZ", "МАЗ"),
    ("zil", "ZIL", "ЗИЛ"),
    ("paz", "PAZ", "ПАЗ"),
]

# kind -> [(code, ru, en, ky)]
ENTRIES = {
    "regions": [
        ("bishkek", "г. Бишкек", "Bishkek city", "Бишкек шаары"),
        ("osh_city", "г. Ош", "Osh city", "Ош шаары"),
        ("chui", "Чуйская область", "Chui Region", "Чүй облусу"),
        ("osh", "Ошская область", "Osh Region", "Ош облусу"),
        ("jalal_abad", "Джалал-Абадская область", "Jalal-Abad Region", "Жалал-Абад облусу"),
        ("issyk_kul", "Иссык-Кульская область", "Issyk-Kul Region", "Ысык-Көл облусу"),
        ("naryn", "Нарынская область", "Naryn Region", "Нарын облусу"),
        ("talas", "Таласская область", "Talas Region", "Талас облусу"),
        ("batken", "Баткенская область", "Batken Region", "Баткен облусу"),
    ],
    "fuel_types": [
        ("petrol", "Бензин", "Petrol", "Бензин"),
        ("diesel", "Дизель", "Diesel", "Дизель"),
        ("lpg", "Газ (пропан)", "LPG (propane)", "Газ (пропан)"),
        ("cng", "Газ (метан)", "CNG (methane)", "Газ (метан)"),
        ("hybrid", "Гибрид", "Hybrid", "Гибрид"),
        ("electric", "Электричество", "Electric", "Электр"),
    ],
    "vehicle_types": [
        ("car", "Легковой", "Passenger car", "Жеңил унаа"),
        ("suv", "Внедорожник", "SUV", "Жол тандабас"),
        ("van", "Фургон", "Van", "Фургон"),
        ("minibus", "Микроавтобус", "Minibus", "Микроавтобус"),
        ("bus", "Автобус", "Bus", "Автобус"),
        ("truck", "Грузовой", "Truck", "Жүк ташуучу"),
        ("special", "Спецтехника", "Special vehicle", "Атайын техника"),
        ("motorcycle", "Мотоцикл", "Motorcycle", "Мотоцикл"),
        ("trailer", "Прицеп", "Trailer", "Чиркегич"),
    ],
    "car_statuses": [
        ("active", "В работе", "Active", "Иштеп жатат"),
        ("repair", "В ремонте", "In repair", "Оңдоодо"),
        ("reserve", "В резерве", "In reserve", "Резервде"),
        ("decommissioned", "Списан", "Decommissioned", "Эсептен чыгарылган"),
    ],
    "insurance_types": [
        ("casco", "КАСКО", "CASCO", "КАСКО"),
        ("osago", "ОСАГО", "OSAGO (compulsory liability)", "ОСАГО"),
    ],
    "roles": [
        ("COMPANY_ADMIN", "Администратор компании", "Company admin", "Компаниянын администратору"),
        ("DISPATCHER", "Диспетчер", "Dispatcher", "Диспетчер"),
        ("MECHANIC", "Механик", "Mechanic", "Механик"),
        ("DRIVER", "Водитель", "Driver", "Айдоочу"),
        ("ACCOUNTANT", "Бухгалтер", "Accountant", "Бухгалтер"),
        ("GUEST", "Гость", "Guest", "Конок"),
    ],
    "languages": [
        ("ru", "Русский", "Russian", "Орусча"),
        ("en", "Английский", "English", "Англисче"),
        ("ky", "Кыргызский", "Kyrgyz", "Кыргызча"),
    ],
    "currencies": [
        ("KGS", "Кыргызский сом", "Kyrgyz som", "Кыргыз сому"),
        ("USD", "Доллар США", "US dollar", "АКШ доллары"),
        ("EUR", "Евро", "Euro", "Евро"),
        ("RUB", "Российский рубль", "Russian rouble", "Орус рубли"),
        ("KZT", "Казахстанский тенге", "Kazakhstani tenge", "Казак теңгеси"),
        ("CNY", "Китайский юань", "Chinese yuan", "Кытай юаны"),
    ],
    "brands": sorted(
        [(name.lower().replace(" ", "-"), name, name, name) for name in LATIN_BRANDS]
        + [(code, ru, en, ru) for code, en, ru in CYRILLIC_BRANDS],
        key=lambda row: row[2].lower(),
    ),
}


def seed(apps, schema_editor):
    DictionaryEntry = apps.get_model("dictionaries", "DictionaryEntry")
    existing = set(DictionaryEntry.objects.values_list("kind", "code"))
    DictionaryEntry.objects.bulk_create(
        DictionaryEntry(
            kind=kind, code=code, name_ru=ru, name_en=en, name_ky=ky, sort_order=position
        )
        for kind, rows in ENTRIES.items()
        for position, (code, ru, en, ky) in enumerate(rows)
        if (kind, code) not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("dictionaries", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
