"""The assistant's corpus: questions as fleet managers type them (Russian, English and Kyrgyz;
without capitals, with typos), each with the exact reply expected, on the fixed fleet of
`corpus_fleet` on 15 May 2026. Every figure in a reply can be checked by hand against that
module's docstring; asked by a dispatcher whose own language is Russian, so the question's
language picks the answer's.

Two rules of the reports show here: a fleet average over petrol and diesel cars is "—" (fuel
types are never averaged together), and the decommissioned car's 2025 fuel is not in 2025's
fleet figures (the reports leave decommissioned cars out)."""

import pytest
import time_machine

from shared_apps.accounts.roles import Role
from tests.ai.corpus_fleet import NOW, build_fleet
from tests.ai.test_assistant import chat

CORPUS = [
    # summary
    (
        "сводка по автопарку",
        "Машин: 5 (в работе 2, в ремонте 1). За 2026: топливо 850.00 л на 51000.00 KGS, пробег 7000 км, средний расход — л/100 км; обслуживание 51700.00 KGS. Документы: истекают 2, просрочены 1.",
    ),
    (
        "сводка",
        "Машин: 5 (в работе 2, в ремонте 1). За 2026: топливо 850.00 л на 51000.00 KGS, пробег 7000 км, средний расход — л/100 км; обслуживание 51700.00 KGS. Документы: истекают 2, просрочены 1.",
    ),
    (
        "fleet summary",
        "5 cars (2 active, 1 in repair). In 2026: 850.00 l of fuel for 51000.00 KGS, 7000 km, — l/100 km on average; maintenance 51700.00 KGS. Documents: 2 expiring, 1 expired.",
    ),
    (
        "give me an overview of the fleet",
        "5 cars (2 active, 1 in repair). In 2026: 850.00 l of fuel for 51000.00 KGS, 7000 km, — l/100 km on average; maintenance 51700.00 KGS. Documents: 2 expiring, 1 expired.",
    ),
    (
        "overveiw",
        "5 cars (2 active, 1 in repair). In 2026: 850.00 l of fuel for 51000.00 KGS, 7000 km, — l/100 km on average; maintenance 51700.00 KGS. Documents: 2 expiring, 1 expired.",
    ),
    (
        "общая картина по парку",
        "Машин: 5 (в работе 2, в ремонте 1). За 2026: топливо 850.00 л на 51000.00 KGS, пробег 7000 км, средний расход — л/100 км; обслуживание 51700.00 KGS. Документы: истекают 2, просрочены 1.",
    ),
    (
        "автопарк боюнча кыскача",
        "Машиналар: 5 (иштеп жатканы 2, оңдоодо 1). 2026-жылы: күйүүчү май 850.00 л, 51000.00 KGS, жүрүш 7000 км, орточо сарптоо — л/100 км; тейлөө 51700.00 KGS. Документтер: мөөнөтү бүтүп жатканы 2, мөөнөтү өткөнү 1.",
    ),
    (
        "жалпы маалымат берчи",
        "Машиналар: 5 (иштеп жатканы 2, оңдоодо 1). 2026-жылы: күйүүчү май 850.00 л, 51000.00 KGS, жүрүш 7000 км, орточо сарптоо — л/100 км; тейлөө 51700.00 KGS. Документтер: мөөнөтү бүтүп жатканы 2, мөөнөтү өткөнү 1.",
    ),
    # fuel
    (
        "расход топлива за этот год",
        "Топливо 2026-01–2026-05: 850.00 л, 51000.00 KGS, 7000 км, средний расход — л/100 км.",
    ),
    (
        "расход топлива 01KG001AAA",
        "Топливо по 01KG001AAA, 2026-01–2026-05: 230.00 л, 13800.00 KGS, 2500 км, средний расход 9.20 л/100 км.",
    ),
    (
        "сколько литров заправили в марте",
        "Топливо 2026-03–2026-03: 350.00 л, 21000.00 KGS, 2000 км, средний расход — л/100 км.",
    ),
    (
        "fuel consumption last quarter",
        "Fuel 2026-01–2026-03: 650.00 l, 39000.00 KGS, 5000 km, average — l/100 km.",
    ),
    (
        "fuel for 01kg001aaa in april 2026",
        "Fuel of 01KG001AAA, 2026-04–2026-04: 80.00 l, 4800.00 KGS, 1000 km, average 8.00 l/100 km.",
    ),
    (
        "расход топлива за 1 квартал",
        "Топливо 2026-01–2026-03: 650.00 л, 39000.00 KGS, 5000 км, средний расход — л/100 км.",
    ),
    (
        "расход тополива за март",
        "Топливо 2026-03–2026-03: 350.00 л, 21000.00 KGS, 2000 км, средний расход — л/100 км.",
    ),
    (
        "fuel consumtion this year",
        "Fuel 2026-01–2026-05: 850.00 l, 51000.00 KGS, 7000 km, average — l/100 km.",
    ),
    (
        "сколько бензина ушло в прошлом месяце",
        "Топливо 2026-04–2026-04: 200.00 л, 12000.00 KGS, 2000 км, средний расход — л/100 км.",
    ),
    ("fuel 2025", "Fuel 2025-01–2025-12: 460.00 l, 27600.00 KGS, 2600 km, average — l/100 km."),
    (
        "расход топлива с января по март 2026",
        "Топливо 2026-01–2026-03: 650.00 л, 39000.00 KGS, 5000 км, средний расход — л/100 км.",
    ),
    (
        "пробег за этот год",
        "Топливо 2026-01–2026-05: 850.00 л, 51000.00 KGS, 7000 км, средний расход — л/100 км.",
    ),
    (
        "mileage of 01KG002BBB",
        "Fuel of 01KG002BBB, 2026-01–2026-05: 320.00 l, 19200.00 KGS, 3000 km, average 10.67 l/100 km.",
    ),
    (
        "күйүүчү май быйыл",
        "Күйүүчү май 2026-01–2026-05: 850.00 л, 51000.00 KGS, 7000 км, орточо сарптоо — л/100 км.",
    ),
    (
        "01KG001AAA күйүүчү май сарпталышы",
        "Күйүүчү май 01KG001AAA боюнча, 2026-01–2026-05: 230.00 л, 13800.00 KGS, 2500 км, орточо сарптоо 9.20 л/100 км.",
    ),
    (
        "өткөн айда канча күйүүчү май кетти",
        "Күйүүчү май 2026-04–2026-04: 200.00 л, 12000.00 KGS, 2000 км, орточо сарптоо — л/100 км.",
    ),
    (
        "fuel last 3 months",
        "Fuel 2026-03–2026-05: 550.00 l, 33000.00 KGS, 4000 km, average — l/100 km.",
    ),
    (
        "расход за последние 2 месяца",
        "Топливо 2026-04–2026-05: 200.00 л, 12000.00 KGS, 2000 км, средний расход — л/100 км.",
    ),
    (
        "how much fuel did 02KG003CCC use in march",
        "Fuel of 02KG003CCC, 2026-03–2026-03: 300.00 l, 18000.00 KGS, 1500 km, average 20.00 l/100 km.",
    ),
    (
        "сколько проехали в апреле",
        "Топливо 2026-04–2026-04: 200.00 л, 12000.00 KGS, 2000 км, средний расход — л/100 км.",
    ),
    (
        "average consumption of 01 KG 002 BBB",
        "Fuel of 01KG002BBB, 2026-01–2026-05: 320.00 l, 19200.00 KGS, 3000 km, average 10.67 l/100 km.",
    ),
    (
        "расход 02kg003ccc за 2025 год",
        "Топливо по 02KG003CCC, 2025-01–2025-12: 400.00 л, 24000.00 KGS, 2000 км, средний расход 20.00 л/100 км.",
    ),
    (
        "fuel in q3 2025",
        "Fuel 2025-07–2025-09: 400.00 l, 24000.00 KGS, 2000 km, average 20.00 l/100 km.",
    ),
    (
        "how many liters in february",
        "Fuel 2026-02–2026-02: 200.00 l, 12000.00 KGS, 2000 km, average 10.00 l/100 km.",
    ),
    (
        "литры за февраль 2026",
        "Топливо 2026-02–2026-02: 200.00 л, 12000.00 KGS, 2000 км, средний расход 10.00 л/100 км.",
    ),
    (
        "дизель за март",
        "Топливо 2026-03–2026-03: 350.00 л, 21000.00 KGS, 2000 км, средний расход — л/100 км.",
    ),
    (
        "мартта канча күйүүчү май кетти",
        "Күйүүчү май 2026-03–2026-03: 350.00 л, 21000.00 KGS, 2000 км, орточо сарптоо — л/100 км.",
    ),
    (
        "02KG003CCC жүрүшү быйыл",
        "Күйүүчү май 02KG003CCC боюнча, 2026-01–2026-05: 300.00 л, 18000.00 KGS, 1500 км, орточо сарптоо 20.00 л/100 км.",
    ),
    (
        "fuel cost in december",
        "Fuel 2025-12–2025-12: 60.00 l, 3600.00 KGS, 600 km, average 10.00 l/100 km.",
    ),
    (
        "сколько стоило топливо в январе",
        "Топливо 2026-01–2026-01: 100.00 л, 6000.00 KGS, 1000 км, средний расход 10.00 л/100 км.",
    ),
    # costs
    (
        "затраты на обслуживание в 2026",
        "Обслуживание 2026-01–2026-05: 51700.00 KGS (запчасти 25000.00, работы 6000.00, шины 12000.00, аккумуляторы 7500.00, техосмотры 1200.00).",
    ),
    (
        "сколько потратили на ремонт",
        "Обслуживание 2026-01–2026-05: 51700.00 KGS (запчасти 25000.00, работы 6000.00, шины 12000.00, аккумуляторы 7500.00, техосмотры 1200.00).",
    ),
    (
        "maintenance costs this year",
        "Maintenance 2026-01–2026-05: 51700.00 KGS (parts 25000.00, work 6000.00, tyres 12000.00, batteries 7500.00, inspections 1200.00).",
    ),
    (
        "repair costs of 02KG003CCC",
        "Maintenance of 02KG003CCC, 2026-01–2026-05: 25000.00 KGS (parts 20000.00, work 5000.00, tyres 0.00, batteries 0.00, inspections 0.00).",
    ),
    (
        "затраты на запчасти за апрель",
        "Обслуживание 2026-04–2026-04: 26200.00 KGS (запчасти 20000.00, работы 5000.00, шины 0.00, аккумуляторы 0.00, техосмотры 1200.00).",
    ),
    (
        "тейлөө чыгымдары быйыл",
        "Тейлөө 2026-01–2026-05: 51700.00 KGS (запчасттар 25000.00, иштер 6000.00, шиналар 12000.00, аккумуляторлор 7500.00, техкароолор 1200.00).",
    ),
    (
        "оңдоого канча акча кетти",
        "Тейлөө 2026-01–2026-05: 51700.00 KGS (запчасттар 25000.00, иштер 6000.00, шиналар 12000.00, аккумуляторлор 7500.00, техкароолор 1200.00).",
    ),
    (
        "maintenance costs last year",
        "Maintenance 2025-01–2025-12: 5100.00 KGS (parts 3000.00, work 0.00, tyres 0.00, batteries 0.00, inspections 2100.00).",
    ),
    (
        "расходы на ремонт за прошлый квартал",
        "Обслуживание 2026-01–2026-03: 25500.00 KGS (запчасти 5000.00, работы 1000.00, шины 12000.00, аккумуляторы 7500.00, техосмотры 0.00).",
    ),
    (
        "how much did we spend on spares in march",
        "Maintenance 2026-03–2026-03: 6000.00 KGS (parts 5000.00, work 1000.00, tyres 0.00, batteries 0.00, inspections 0.00).",
    ),
    (
        "затраты на обслуживание 01KG001AAA",
        "Обслуживание по 01KG001AAA, 2026-01–2026-05: 13500.00 KGS (запчасти 5000.00, работы 1000.00, шины 0.00, аккумуляторы 7500.00, техосмотры 0.00).",
    ),
    (
        "upkeep for 01kg002bbb in february 2026",
        "Maintenance of 01KG002BBB, 2026-02–2026-02: 12000.00 KGS (parts 0.00, work 0.00, tyres 12000.00, batteries 0.00, inspections 0.00).",
    ),
    (
        "what did repairs cost in 2025",
        "Maintenance 2025-01–2025-12: 5100.00 KGS (parts 3000.00, work 0.00, tyres 0.00, batteries 0.00, inspections 2100.00).",
    ),
    (
        "расходы на обслуживание за полгода",
        "Обслуживание 2025-12–2026-05: 51700.00 KGS (запчасти 25000.00, работы 6000.00, шины 12000.00, аккумуляторы 7500.00, техосмотры 1200.00).",
    ),
    (
        "ремонт 02KG003CCC апрель 2026 сколько стоил",
        "Обслуживание по 02KG003CCC, 2026-04–2026-04: 25000.00 KGS (запчасти 20000.00, работы 5000.00, шины 0.00, аккумуляторы 0.00, техосмотры 0.00).",
    ),
    # ownership
    (
        "стоимость владения за этот год",
        "Стоимость владения 2026-01–2026-05: 116437.54 KGS (топливо 51000.00, обслуживание 51700.00, страховка 13737.54), 7000 км, 16.63 KGS/км.",
    ),
    (
        "cost of ownership of 01KG001AAA",
        "Cost of ownership of 01KG001AAA, 2026-01–2026-05: 40207.40 KGS (fuel 13800.00, upkeep 13500.00, insurance 12907.40), 2500 km, 16.08 KGS/km.",
    ),
    (
        "total cost per km this year",
        "Cost of ownership 2026-01–2026-05: 116437.54 KGS (fuel 51000.00, upkeep 51700.00, insurance 13737.54), 7000 km, 16.63 KGS/km.",
    ),
    (
        "во сколько обходится 02KG003CCC",
        "Стоимость владения по 02KG003CCC, 2026-01–2026-05: 43427.40 KGS (топливо 18000.00, обслуживание 25000.00, страховка 427.40), 1500 км, 28.95 KGS/км.",
    ),
    (
        "ээлик наркы быйыл",
        "Ээлик наркы 2026-01–2026-05: 116437.54 KGS (күйүүчү май 51000.00, тейлөө 51700.00, камсыздандыруу 13737.54), 7000 км, 16.63 KGS/км.",
    ),
    (
        "стоимость владения 01KG002BBB за 1 квартал",
        "Стоимость владения по 01KG002BBB, 2026-01–2026-03: 24271.23 KGS (топливо 12000.00, обслуживание 12000.00, страховка 271.23), 2000 км, 12.14 KGS/км.",
    ),
    (
        "tco for the fleet in april",
        "Cost of ownership 2026-04–2026-04: 40961.64 KGS (fuel 12000.00, upkeep 26200.00, insurance 2761.64), 2000 km, 20.48 KGS/km.",
    ),
    (
        "сколько стоит километр у 02KG003CCC",
        "Стоимость владения по 02KG003CCC, 2026-01–2026-05: 43427.40 KGS (топливо 18000.00, обслуживание 25000.00, страховка 427.40), 1500 км, 28.95 KGS/км.",
    ),
    # premiums
    (
        "сколько заплатили за страховки в этом году",
        "Страховые премии 2026-01–2026-05: 32550.00 KGS, полисов: 3 (КАСКО 30000.00, ОСАГО 2550.00).",
    ),
    (
        "insurance premiums this year",
        "Insurance premiums 2026-01–2026-05: 32550.00 KGS for 3 policies (CASCO 30000.00, OSAGO (compulsory liability) 2550.00).",
    ),
    (
        "стоимость страховки 01KG001AAA",
        "Страховые премии по 01KG001AAA, 2026-01–2026-05: 30000.00 KGS, полисов: 1 (КАСКО 30000.00).",
    ),
    (
        "камсыздандырууга канча төлөдүк быйыл",
        "Камсыздандыруу төлөмдөрү 2026-01–2026-05: 32550.00 KGS, полистер: 3 (КАСКО 30000.00, ОСАГО 2550.00).",
    ),
    (
        "how much did we pay for insurance in 2025",
        "Insurance premiums 2025-01–2025-12: 2300.00 KGS for 2 policies (OSAGO (compulsory liability) 2300.00).",
    ),
    (
        "страховые премии за май",
        "Страховые премии 2026-05–2026-05: 1250.00 KGS, полисов: 1 (ОСАГО 1250.00).",
    ),
    (
        "insurance cost of 02KG003CCC",
        "Insurance premiums of 02KG003CCC, 2026-01–2026-05: 1300.00 KGS for 1 policies (OSAGO (compulsory liability) 1300.00).",
    ),
    # documents
    (
        "что скоро истекает?",
        "Истекают в ближайшие 30 дн.: 2, просрочены: 1. Ближайшие: 01KG002BBB osago 2026-04-30, 01KG001AAA osago 2026-05-31, 01KG002BBB inspection 2026-06-10.",
    ),
    (
        "what expires soon",
        "2 documents expire within 30 days, 1 have expired. Soonest: 01KG002BBB osago 2026-04-30, 01KG001AAA osago 2026-05-31, 01KG002BBB inspection 2026-06-10.",
    ),
    (
        "какие документы истекают в ближайшие 60 дней",
        "Истекают в ближайшие 60 дн.: 2, просрочены: 1. Ближайшие: 01KG002BBB osago 2026-04-30, 01KG001AAA osago 2026-05-31, 01KG002BBB inspection 2026-06-10.",
    ),
    (
        "what expires in the next 10 days",
        "0 documents expire within 10 days, 1 have expired. Soonest: 01KG002BBB osago 2026-04-30.",
    ),
    (
        "что истекает в следующем месяце",
        "Истекают в ближайшие 46 дн.: 2, просрочены: 1. Ближайшие: 01KG002BBB osago 2026-04-30, 01KG001AAA osago 2026-05-31, 01KG002BBB inspection 2026-06-10.",
    ),
    (
        "просроченные документы",
        "Истекают в ближайшие 30 дн.: 2, просрочены: 1. Ближайшие: 01KG002BBB osago 2026-04-30.",
    ),
    (
        "мөөнөтү жакында бүтө турган документтер",
        "Жакынкы 30 күндө мөөнөтү бүтөт: 2, мөөнөтү өткөн: 1. Эң жакындары: 01KG002BBB osago 2026-04-30, 01KG001AAA osago 2026-05-31, 01KG002BBB inspection 2026-06-10.",
    ),
    (
        "когда заканчивается осаго",
        "Истекают в ближайшие 30 дн.: 2, просрочены: 1. Ближайшие: 01KG002BBB osago 2026-04-30, 01KG001AAA osago 2026-05-31.",
    ),
    (
        "expiring documents",
        "2 documents expire within 30 days, 1 have expired. Soonest: 01KG002BBB osago 2026-04-30, 01KG001AAA osago 2026-05-31, 01KG002BBB inspection 2026-06-10.",
    ),
    (
        "документы истекающие в ближайшие 20 дней",
        "Истекают в ближайшие 20 дн.: 1, просрочены: 1. Ближайшие: 01KG002BBB osago 2026-04-30, 01KG001AAA osago 2026-05-31.",
    ),
    (
        "что заканчивается на этой неделе",
        "Истекают в ближайшие 2 дн.: 0, просрочены: 1. Ближайшие: 01KG002BBB osago 2026-04-30.",
    ),
    (
        "which insurances expire soon",
        "2 documents expire within 30 days, 1 have expired. Soonest: 01KG002BBB osago 2026-04-30, 01KG001AAA osago 2026-05-31.",
    ),
    # compliance by obligation
    (
        "which cars have no valid osago",
        "No valid OSAGO: 01KG004DDD missing 2026-05-20, 01KG002BBB expired 2026-04-30.",
    ),
    (
        "у каких машин нет осаго",
        "«ОСАГО» не в порядке: 01KG004DDD отсутствует 2026-05-20, 01KG002BBB просрочено 2026-04-30.",
    ),
    ("машины без техосмотра", "«Техосмотр» не в порядке: 02KG003CCC отсутствует."),
    ("cars without inspection", "No valid Inspection: 02KG003CCC missing."),
    (
        "у кого нет огнетушителя",
        "«Огнетушитель» не в порядке: 01KG004DDD отсутствует, 02KG003CCC отсутствует, 01KG002BBB просрочено 2026-05-01.",
    ),
    (
        "cars without a first aid kit",
        "No valid First-aid kit: 01KG002BBB missing, 01KG004DDD missing, 02KG003CCC missing.",
    ),
    (
        "кайсы машиналарда ОСАГО жок",
        "«ОСАГО» тартипте эмес: 01KG004DDD жок 2026-05-20, 01KG002BBB мөөнөтү өткөн 2026-04-30.",
    ),
    ("осаго 01KG001AAA", "ОСАГО: 01KG001AAA истекает 2026-05-31."),
    ("когда заканчивается осаго 01KG002BBB", "ОСАГО: 01KG002BBB просрочено 2026-04-30."),
    ("техосмотр 01KG002BBB", "Техосмотр: 01KG002BBB истекает 2026-06-10."),
    ("каско 01KG001AAA", "КАСКО: 01KG001AAA действует 2026-12-31."),
    ("аптечка 01KG001AAA", "Аптечка: 01KG001AAA истекает 2026-06-01."),
    (
        "гарантия на аккумулятор 01KG001AAA",
        "Гарантия на аккумулятор: 01KG001AAA истекает 2026-06-01.",
    ),
    ("which cars have no casco", "Every car in service has a valid CASCO."),
    (
        "cars with expired osago",
        "No valid OSAGO: 01KG004DDD missing 2026-05-20, 01KG002BBB expired 2026-04-30.",
    ),
    ("у каких машин просрочен техосмотр", "«Техосмотр» не в порядке: 02KG003CCC отсутствует."),
    ("огнетушитель 01KG002BBB", "Огнетушитель: 01KG002BBB просрочено 2026-05-01."),
    ("when does the inspection of 01KG004DDD end", "Inspection: 01KG004DDD active 2027-04-19."),
    ("01KG004DDD осаго качан бүтөт", "ОСАГО: 01KG004DDD жок 2026-05-20."),
    ("техкароосу жок машиналар", "«Техкароо» тартипте эмес: 02KG003CCC жок."),
    ("first aid kit of 02KG003CCC", "First-aid kit: 02KG003CCC missing."),
    (
        "cars missing a fire extinguisher",
        "No valid Fire extinguisher: 01KG004DDD missing, 02KG003CCC missing, 01KG002BBB expired 2026-05-01.",
    ),
    # car documents
    (
        "документы 01KG001AAA",
        "01KG001AAA: ОСАГО истекает 2026-05-31, Аптечка истекает 2026-06-01, Гарантия на аккумулятор истекает 2026-06-01, Техосмотр действует 2026-10-01, КАСКО действует 2026-12-31, Огнетушитель действует 2027-01-01.",
    ),
    (
        "documents of 02KG003CCC",
        "02KG003CCC: Inspection missing, Fire extinguisher missing, First-aid kit missing, OSAGO active 2027-01-31.",
    ),
    (
        "01KG004DDD документтери",
        "01KG004DDD: ОСАГО жок 2026-05-20, Өрт өчүргүч жок, Дары кутусу жок, Техкароо жарактуу 2027-04-19.",
    ),
    (
        "is 01KG002BBB insured?",
        "01KG002BBB: First-aid kit missing, OSAGO expired 2026-04-30, Fire extinguisher expired 2026-05-01, Inspection expiring 2026-06-10.",
    ),
    (
        "what papers does 01KG001AAA have",
        "01KG001AAA: OSAGO expiring 2026-05-31, First-aid kit expiring 2026-06-01, Battery warranty expiring 2026-06-01, Inspection active 2026-10-01, CASCO active 2026-12-31, Fire extinguisher active 2027-01-01.",
    ),
    (
        "страховка 01KG004DDD",
        "01KG004DDD: ОСАГО отсутствует 2026-05-20, Огнетушитель отсутствует, Аптечка отсутствует, Техосмотр действует 2027-04-19.",
    ),
    # cars lists
    ("сколько машин в ремонте", "Машин в статусе «В ремонте»: 1 из 5."),
    ("какие машины в ремонте", "Машин в статусе «В ремонте»: 1 из 5: 02KG003CCC."),
    ("how many cars are in reserve", "Cars with the status “In reserve”: 1 of 5."),
    ("list cars in repair", "Cars with the status “In repair”: 1 of 5: 02KG003CCC."),
    ("сколько грузовиков", "Машин (Грузовой): 1 из 5."),
    ("how many trucks do we have", "Cars (Truck): 1 of 5."),
    ("машины в бишкеке", "Машин (г. Бишкек): 2 из 5: 01KG001AAA, 01KG004DDD."),
    ("cars in osh", "Cars (Osh city): 1 of 5: 01KG002BBB."),
    ("сколько машин в чуйской области", "Машин (Чуйская область): 1 из 5."),
    ("канча машина оңдоодо", "«Оңдоодо» статусундагы машиналар: 5 ичинен 1."),
    ("кайсы машиналар резервде", "«Резервде» статусундагы машиналар: 5 ичинен 1: 01KG004DDD."),
    ("списанные машины", "Машин в статусе «Списан»: 1 из 5: 04KG005EEE."),
    ("which cars are decommissioned", "Cars with the status “Decommissioned”: 1 of 5: 04KG005EEE."),
    ("сколько микроавтобусов", "Машин (Микроавтобус): 1 из 5."),
    ("how many suvs", "Cars (SUV): 1 of 5."),
    (
        "list all cars",
        "Cars (all): 5 of 5: 01KG001AAA, 01KG002BBB, 01KG004DDD, 02KG003CCC, 04KG005EEE.",
    ),
    ("сколько машин в работе", "Машин в статусе «В работе»: 2 из 5."),
    ("активные машины в бишкеке", "Машин (г. Бишкек, В работе): 1 из 5: 01KG001AAA."),
    ("how many cars in naryn", "Cars (Naryn Region): 1 of 5."),
    ("какие машины в оше", "Машин (г. Ош): 1 из 5: 01KG002BBB."),
    ("бишкектеги машиналар", "Машиналар (Бишкек шаары): 5 ичинен 2: 01KG001AAA, 01KG004DDD."),
    (
        "how many vehicles do we have",
        "5 cars (2 active, 1 in repair). In 2026: 850.00 l of fuel for 51000.00 KGS, 7000 km, — l/100 km on average; maintenance 51700.00 KGS. Documents: 2 expiring, 1 expired.",
    ),
    (
        "сколько у нас машин",
        "Машин: 5 (в работе 2, в ремонте 1). За 2026: топливо 850.00 л на 51000.00 KGS, пробег 7000 км, средний расход — л/100 км; обслуживание 51700.00 KGS. Документы: истекают 2, просрочены 1.",
    ),
    # top
    (
        "самая дорогая машина",
        "Топ машин по показателю «затраты на обслуживание», 2026-01–2026-05: 02KG003CCC (25000.00).",
    ),
    (
        "the most expensive car",
        "Top cars by maintenance cost, 2026-01–2026-05: 02KG003CCC (25000.00).",
    ),
    (
        "top 3 cars by fuel cost",
        "Top cars by fuel cost, 2026-01–2026-05: 01KG002BBB (19200.00), 02KG003CCC (18000.00), 01KG001AAA (13800.00).",
    ),
    (
        "топ 5 по расходу топлива",
        "Топ машин по показателю «л/100 км», 2026-01–2026-05: 02KG003CCC (20.00), 01KG002BBB (10.67), 01KG001AAA (9.20).",
    ),
    (
        "кто больше всего ездил",
        "Топ машин по показателю «пробег, км», 2026-01–2026-05: 01KG002BBB (3000), 01KG001AAA (2500), 02KG003CCC (1500).",
    ),
    (
        "top cars by mileage this year",
        "Top cars by km, 2026-01–2026-05: 01KG002BBB (3000 km), 01KG001AAA (2500 km), 02KG003CCC (1500 km).",
    ),
    (
        "больше всего литров",
        "Топ машин по показателю «литры», 2026-01–2026-05: 01KG002BBB (320.00), 02KG003CCC (300.00), 01KG001AAA (230.00).",
    ),
    (
        "top 2 by cost of ownership",
        "Top cars by cost of ownership, 2026-01–2026-05: 02KG003CCC (43427.40), 01KG001AAA (40207.40).",
    ),
    (
        "highest cost per km",
        "Top cars by cost per km, 2026-01–2026-05: 02KG003CCC (28.95), 01KG001AAA (16.08), 01KG002BBB (10.52).",
    ),
    (
        "эң кымбат машина",
        "«тейлөө чыгымдары» боюнча топ машиналар, 2026-01–2026-05: 02KG003CCC (25000.00).",
    ),
    (
        "топ 3 машины по страховке",
        "Топ машин по показателю «страховые премии», 2026-01–2026-05: 01KG001AAA (12907.40), 02KG003CCC (427.40), 01KG002BBB (361.64).",
    ),
    (
        "worst consumption",
        "Top cars by l/100 km, 2026-01–2026-05: 02KG003CCC (20.00), 01KG002BBB (10.67), 01KG001AAA (9.20).",
    ),
    (
        "самый большой расход",
        "Топ машин по показателю «л/100 км», 2026-01–2026-05: 02KG003CCC (20.00).",
    ),
    (
        "top 5 cars by cost",
        "Top cars by maintenance cost, 2026-01–2026-05: 02KG003CCC (25000.00), 01KG001AAA (13500.00), 01KG002BBB (12000.00), 01KG004DDD (1200.00).",
    ),
    (
        "which car used the most fuel in 2026",
        "Top cars by liters, 2026-01–2026-05: 01KG002BBB (320.00).",
    ),
    (
        "топ машин по затратам на ремонт за прошлый год",
        "Топ машин по показателю «затраты на обслуживание», 2025-01–2025-12: 01KG002BBB (4000.00), 01KG001AAA (1100.00).",
    ),
    (
        "most liters last quarter",
        "Top cars by liters, 2026-01–2026-03: 02KG003CCC (300.00), 01KG002BBB (200.00), 01KG001AAA (150.00).",
    ),
    (
        "самый высокий расход топлива в марте",
        "Топ машин по показателю «л/100 км», 2026-03–2026-03: 02KG003CCC (20.00).",
    ),
    (
        "эң көп жүргөн машина",
        "«жүрүш, км» боюнча топ машиналар, 2026-01–2026-05: 01KG002BBB (3000).",
    ),
    (
        "top 10 by maintenance",
        "Top cars by maintenance cost, 2026-01–2026-05: 02KG003CCC (25000.00), 01KG001AAA (13500.00), 01KG002BBB (12000.00), 01KG004DDD (1200.00).",
    ),
    # writes (dispatcher)
    (
        "заправили 01KG001AAA: 40 литров, 2500 сом",
        "У 01KG001AAA ещё нет записи о топливе за 2026-05: укажите и стоимость, и пробег («0 км», если не ездила), например «50 л, 3000 сом, 420 км».",
    ),
    (
        "добавь топливо для 01KG001AAA: 50 л, 3000 сом, 420 км, май 2026",
        "Проверьте и подтвердите: Добавить топливо для 01KG001AAA, 2026-05: 50.00 л, 3000.00 KGS, 420 км.",
    ),
    (
        "заправили 01KG001AAA в апреле 2026: 40 л, 2500 сом",
        "Проверьте и подтвердите: Добавить заправку 01KG001AAA, 2026-04: liters 80.00 → 120.00, total_cost 4800.00 → 7300.00.",
    ),
    (
        "исправь топливо 01KG001AAA за апрель 2026: 75 л",
        "Проверьте и подтвердите: Изменить топливо 01KG001AAA, 2026-04: liters 80.00 → 75.00.",
    ),
    (
        "переведи 02KG003CCC из ремонта в работу",
        "Проверьте и подтвердите: Перевести 02KG003CCC в статус «В работе».",
    ),
    (
        "отправь 01KG001AAA в ремонт",
        "Проверьте и подтвердите: Перевести 01KG001AAA в статус «В ремонте».",
    ),
    (
        "add mileage for 01KG002BBB: 1 500 km, april 2026",
        "Please review and confirm: Add the mileage of 01KG002BBB, 2026-04: 1500 km.",
    ),
    (
        "record 12,500 km mileage for 01KG001AAA march 2026",
        "Please review and confirm: Add the mileage of 01KG001AAA, 2026-03: 12500 km.",
    ),
    (
        "добавь осаго для 01KG004DDD номер OS-777 2026-05-20 2027-05-19 1250 сом",
        "Проверьте и подтвердите: Добавить OSAGO для 01KG004DDD: insurance_type=osago, number=OS-777, start_date=2026-05-20, end_date=2027-05-19, cost=1250.00.",
    ),
    (
        "add another osago for 01KG001AAA",
        "Please review and confirm: Add OSAGO for 01KG001AAA: insurance_type=osago.",
    ),
    (
        "01KG001AAA үчүн күйүүчү май кош: 50 л, 3000 сом, 420 км, май 2026",
        "Текшерип, ырастаңыз: Кошуу күйүүчү май 01KG001AAA, 2026-05: 50.00 л, 3000.00 KGS, 420 км.",
    ),
    (
        "refuelled 01KG002BBB in april 2026: 30 l, 1 800 som, 250 km",
        "Please review and confirm: Add a fill-up to 01KG002BBB, 2026-04: liters 120.00 → 150.00, total_cost 7200.00 → 9000.00, mileage_km 1000 → 1250.",
    ),
    (
        "add fuel for 01KG002BBB: 2000 som, 30 l, 300 km, march 2026",
        "Please review and confirm: Add fuel for 01KG002BBB, 2026-03: 30.00 l, 2000.00 KGS, 300 km.",
    ),
    (
        "put 01KG004DDD back in service",
        "Please review and confirm: Set the status of 01KG004DDD to Active.",
    ),
    (
        "добавь пробег 02KG003CCC 1 500 км за март 2026",
        "Проверьте и подтвердите: Добавить пробег 02KG003CCC, 2026-03: 1500 км.",
    ),
    ("add fuel for 09KG999ZZZ: 10 l, 600 som, 100 km", "I could not find the car 09KG999ZZZ."),
    (
        "добавь топливо: 10 л, 600 сом, 100 км",
        "Какая машина? Укажите госномер, например 01KG123ABC.",
    ),
    (
        "set the fuel of 01KG001AAA for march 2026 to 55 l, 3300 som",
        "Please review and confirm: Change the fuel of 01KG001AAA, 2026-03: liters 50.00 → 55.00, total_cost 3000.00 → 3300.00.",
    ),
    # other
    ("расход топлива 09KG999ZZZ", "Не нашёл машину 09KG999ZZZ."),
    (
        "привет",
        "Я отвечаю на вопросы об автопарке и готовлю изменения, которые вы подтверждаете. Например: «сводка по автопарку», «расход топлива 01KG123ABC за этот год», «затраты на обслуживание в 2026», «что скоро истекает?», «топ 5 машин по затратам», «добавь топливо для 01KG123ABC: 50 л, 3000 сом, 420 км, март 2026».",
    ),
    (
        "what's the weather like",
        "I can answer questions about your fleet and prepare changes for you to confirm. Try: “fleet summary”, “fuel consumption of 01KG123ABC this year”, “maintenance costs in 2026”, “what expires soon?”, “top 5 cars by cost”, or “add fuel for 01KG123ABC: 50 l, 3000 som, 420 km, March 2026”.",
    ),
    (
        "салам",
        "Я отвечаю на вопросы об автопарке и готовлю изменения, которые вы подтверждаете. Например: «сводка по автопарку», «расход топлива 01KG123ABC за этот год», «затраты на обслуживание в 2026», «что скоро истекает?», «топ 5 машин по затратам», «добавь топливо для 01KG123ABC: 50 л, 3000 сом, 420 км, март 2026».",
    ),
    # typos
    (
        "maintanance costs this year",
        "Maintenance 2026-01–2026-05: 51700.00 KGS (parts 25000.00, work 6000.00, tyres 12000.00, batteries 7500.00, inspections 1200.00).",
    ),
    ("тахосмотр 01KG002BBB", "Техосмотр: 01KG002BBB истекает 2026-06-10."),
    ("сколко машин в ремонте", "Машин в статусе «В ремонте»: 1 из 5."),
    (
        "страховкаа 01KG004DDD",
        "01KG004DDD: ОСАГО отсутствует 2026-05-20, Огнетушитель отсутствует, Аптечка отсутствует, Техосмотр действует 2027-04-19.",
    ),
    (
        "fule consumption of 01KG001AAA",
        "Fuel of 01KG001AAA, 2026-01–2026-05: 230.00 l, 13800.00 KGS, 2500 km, average 9.20 l/100 km.",
    ),
    (
        "расход топлва за апрель",
        "Топливо 2026-04–2026-04: 200.00 л, 12000.00 KGS, 2000 км, средний расход — л/100 км.",
    ),
    ("какие машыны в резерве", "Машин в статусе «В резерве»: 1 из 5: 01KG004DDD."),
    (
        "wich cars have no valid osago",
        "No valid OSAGO: 01KG004DDD missing 2026-05-20, 01KG002BBB expired 2026-04-30.",
    ),
]


@pytest.fixture
def dispatcher(acme_as, in_acme):
    with time_machine.travel(NOW, tick=False):
        build_fleet()
        yield acme_as(Role.DISPATCHER, language="ru")


def test_the_corpus_has_every_kind_of_question():
    languages = {"ky": 0, "ru": 0, "en": 0}
    from tenant_apps.ai.languages import question_language

    for question, _reply in CORPUS:
        languages[question_language(question) or "ru"] += 1
    assert len(CORPUS) >= 150
    assert len({question for question, _reply in CORPUS}) == len(CORPUS)
    assert min(languages.values()) >= 20, languages


def test_each_question_gets_its_answer(dispatcher, subtests):
    for question, reply in CORPUS:
        with subtests.test(question=question):
            assert chat(dispatcher, question)["reply"] == reply
