"""The local assistant's phrases, in each language it answers in."""

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
        "metric": {"cost": "maintenance cost", "consumption": "l/100 km", "fuel": "fuel cost",
                   "liters": "liters", "mileage": "km", "ownership": "cost of ownership",
                   "cost_per_km": "cost per km", "insurance": "insurance premiums"},
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
        "cars_list": "Cars ({filters}): {count} of {total}{items}.",
        "all_cars": "all",
        "premiums": (
            "Insurance premiums {scope}{from}–{to}: {total} {cur} for {count} policies{by_type}."
        ),
        "ownership": (
            "Cost of ownership {scope}{from}–{to}: {total} {cur} (fuel {fuel}, upkeep {upkeep}, "
            "insurance {insurance}), {km} km, {per_km} {cur}/km."
        ),
        "car_documents": "{numplate}: {items}.",
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
                   "fuel": "затраты на топливо", "liters": "литры", "mileage": "пробег, км",
                   "ownership": "стоимость владения", "cost_per_km": "стоимость 1 км",
                   "insurance": "страховые премии"},
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
        "cars_list": "Машин ({filters}): {count} из {total}{items}.",
        "all_cars": "все",
        "premiums": (
            "Страховые премии {scope}{from}–{to}: {total} {cur}, полисов: {count}{by_type}."
        ),
        "ownership": (
            "Стоимость владения {scope}{from}–{to}: {total} {cur} (топливо {fuel}, обслуживание "
            "{upkeep}, страховка {insurance}), {km} км, {per_km} {cur}/км."
        ),
        "car_documents": "{numplate}: {items}.",
    },
    "ky": {
        "help": (
            "Мен автопарк боюнча суроолорго жооп берем жана сиз ырастай турган өзгөртүүлөрдү "
            "даярдайм. Мисалы: «автопарк боюнча кыскача», «01KG123ABC күйүүчү май сарпталышы "
            "быйыл», «2026-жылы тейлөө чыгымдары», «эмнелердин мөөнөтү жакында бүтөт?», "
            "«чыгымдар боюнча топ 5 машина», «01KG123ABC үчүн күйүүчү май кош: 50 л, 3000 сом, "
            "420 км, март 2026»."
        ),
        "summary": (
            "Машиналар: {cars} (иштеп жатканы {active}, оңдоодо {repair}). {year}-жылы: "
            "күйүүчү май {fuel_liters} л, {fuel_cost} {cur}, жүрүш {mileage_km} км, орточо "
            "сарптоо {avg} л/100 км; тейлөө {maintenance_cost} {cur}. Документтер: мөөнөтү "
            "бүтүп жатканы {expiring}, мөөнөтү өткөнү {expired}."
        ),
        "fuel": (
            "Күйүүчү май {scope}{from}–{to}: {liters} л, {cost} {cur}, {km} км, "
            "орточо сарптоо {avg} л/100 км."
        ),
        "costs": (
            "Тейлөө {scope}{from}–{to}: {total} {cur} (запчасттар {parts}, иштер {work}, "
            "шиналар {tires}, аккумуляторлор {accumulators}, техкароолор {inspections})."
        ),
        "documents": "Жакынкы {days} күндө мөөнөтү бүтөт: {expiring}, мөөнөтү өткөн: {expired}.",
        "documents_items": " Эң жакындары: {items}.",
        "top": "«{metric}» боюнча топ машиналар, {from}–{to}: {items}.",
        "top_empty": "{from}–{to} үчүн маалымат жок.",
        "metric": {"cost": "тейлөө чыгымдары", "consumption": "л/100 км",
                   "fuel": "күйүүчү май чыгымдары", "liters": "литрлер", "mileage": "жүрүш, км",
                   "ownership": "ээлик наркы", "cost_per_km": "1 км наркы",
                   "insurance": "камсыздандыруу төлөмдөрү"},
        "for_car": "{numplate} боюнча, ",
        "no_car": "{plate} машинасын таба алган жокмун.",
        "need_car": "Кайсы машина? Мамлекеттик номерин жазыңыз, мисалы 01KG123ABC.",
        "proposed": "Текшерип, ырастаңыз: {summary}.",
        "fuel_action": "{verb} күйүүчү май {numplate}, {month}: {liters} л, {cost} {cur}, {km} км",
        "fill_action": "Куюуну кошуу {numplate}, {month}: {changes}",
        "replace_action": "Күйүүчү майды өзгөртүү {numplate}, {month}: {changes}",
        "need_fuel_new": (
            "{numplate} үчүн {month} боюнча күйүүчү май жазуусу али жок: наркын жана жүрүштү "
            "да жазыңыз (жүрбөсө «0 км»), мисалы «50 л, 3000 сом, 420 км»."
        ),
        "role_refused": (
            "Сиздин ролуңуз ({role}) {what} өзгөртүүгө уруксат бербейт; кайрылыңыз: {who}."
        ),
        "in_status": "«{status}» статусундагы машиналар: {total} ичинен {count}.",
        "lacking": "«{name}» тартипте эмес: {items}.",
        "all_covered": "Иштеп жаткан бардык машиналарда «{name}» тартипте.",
        "car_obligation": "{name}: {items}.",
        "compliance_item": "{numplate} {status}{due}",
        "what": {"fuel_record": "күйүүчү май жазууларын", "monthly_mileage": "жүрүштү",
                 "insurance": "камсыздандырууларды", "car": "машиналарды"},
        "mileage_action": "{verb} жүрүш {numplate}, {month}: {km} км",
        "mileage_change": "Жүрүштү өзгөртүү {numplate}, {month}: {before} → {km} км",
        "insurance_action": "{type} кошуу {numplate}: {details}",
        "status_action": "{numplate} машинасын «{status}» статусуна которуу",
        "add": "Кошуу",
        "change": "Өзгөртүү",
        "need_fuel": "Куюу үчүн литрлер керек, мисалы «50 л, 3000 сом, 420 км, март 2026».",
        "need_km": "Жүрүш үчүн километрлер керек, мисалы «1500 км, март 2026».",
        "cars_list": "Машиналар ({filters}): {total} ичинен {count}{items}.",
        "all_cars": "баары",
        "premiums": (
            "Камсыздандыруу төлөмдөрү {scope}{from}–{to}: {total} {cur}, полистер: "
            "{count}{by_type}."
        ),
        "ownership": (
            "Ээлик наркы {scope}{from}–{to}: {total} {cur} (күйүүчү май {fuel}, тейлөө "
            "{upkeep}, камсыздандыруу {insurance}), {km} км, {per_km} {cur}/км."
        ),
        "car_documents": "{numplate}: {items}.",
        # No Kyrgyz catalogue of the app's messages: these names are given here.
        "obligations": {"osago": "ОСАГО", "inspection": "Техкароо",
                        "fire_extinguisher": "Өрт өчүргүч", "first_aid_kit": "Дары кутусу",
                        "casco": "КАСКО", "battery_warranty": "Аккумулятордун кепилдиги",
                        "service": "Пландуу тейлөө"},
        "compliance_statuses": {"missing": "жок", "expired": "мөөнөтү өткөн",
                                "expiring": "мөөнөтү бүтүп баратат", "active": "жарактуу"},
    },
}  # fmt: skip
