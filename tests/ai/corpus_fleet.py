"""The fixed fleet the assistant's corpus (test_corpus.py) is asked about, on Friday 15 May 2026
in Bishkek, with a warning window of 30 days. Every figure of the corpus can be checked by hand
against this page.

Cars (plate, title, status, region, type):
    A 01KG001AAA Camry    active          bishkek   car
    B 01KG002BBB Hilux    active          osh_city  suv
    C 02KG003CCC KAMAZ    repair          chui      truck
    D 01KG004DDD Gazelle  reserve         bishkek   minibus
    E 04KG005EEE Nexia    decommissioned  naryn     car

Fuel (liters, cost, km):
    A 2025-12  60 l  3600  600 km | 2026-01 100 l  6000 1000 km | 2026-03 50 l 3000 500 km
      2026-04  80 l  4800 1000 km
    B 2026-02 200 l 12000 2000 km | 2026-04 120 l  7200 1000 km
    C 2025-07 400 l 24000 2000 km | 2026-03 300 l 18000 1500 km
    E 2025-03  50 l  3000  500 km
    2026 (Jan-May): 850 l, 51000, 7000 km, 12.14 l/100 km; A 230 l 13800 2500 km (9.20),
    B 320 l 19200 3000 km (10.67), C 300 l 18000 1500 km (20.00).

Upkeep:
    A spare 2026-03-10 parts 5000 work 1000; battery 2026-02-01 7500 (warranty to 2026-06-01)
    B spare 2025-08-01 parts 3000; tyres 2026-02-01 12000
    C spare 2026-04-05 parts 20000 work 5000
    Inspections: A 2025-10-01..2026-10-01 (1100), B 2025-06-10..2026-06-10 (1000),
                 D 2026-04-20..2027-04-19 (1200); C none.
    2026: 51700 = parts 25000, work 6000, tyres 12000, batteries 7500, inspections 1200;
    A 13500, B 12000, C 25000, D 1200.

Insurance:
    A OSAGO 2025-06-01..2026-05-31 1200 (expiring, 16 days) | A CASCO 2026-01-01..2026-12-31 30000
    B OSAGO 2025-05-01..2026-04-30 1100 (expired)           | C OSAGO 2026-02-01..2027-01-31 1300
    D OSAGO 2026-05-20..2027-05-19 1250 (starts later: missing until then)
    Started in 2026: 3 policies, 32550 (OSAGO 2550, CASCO 30000).

Kits: A extinguisher to 2027-01-01, first-aid kit to 2026-06-01; B extinguisher to 2026-05-01
(expired), no first-aid kit; C and D no kit."""

import datetime as dt
from decimal import Decimal

from tests.factories import (
    AccumulatorFactory,
    CarFactory,
    FuelRecordFactory,
    InspectionFactory,
    InsuranceFactory,
    KitFactory,
    SpareFactory,
    TiresFactory,
)

TODAY = dt.date(2026, 5, 15)
# 12:00 in Bishkek (UTC+6).
NOW = dt.datetime(2026, 5, 15, 6, 0, tzinfo=dt.UTC)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def build_fleet() -> dict:
    cars = {
        "A": CarFactory(numplate="01KG001AAA", title="Camry", status="active",
                        region="bishkek", vehicle_type="car"),
        "B": CarFactory(numplate="01KG002BBB", title="Hilux", status="active",
                        region="osh_city", vehicle_type="suv", fuel_type="diesel"),
        "C": CarFactory(numplate="02KG003CCC", title="KAMAZ", brand="kamaz", status="repair",
                        region="chui", vehicle_type="truck", fuel_type="diesel"),
        "D": CarFactory(numplate="01KG004DDD", title="Gazelle", brand="gaz", status="reserve",
                        region="bishkek", vehicle_type="minibus"),
        "E": CarFactory(numplate="04KG005EEE", title="Nexia", status="decommissioned",
                        region="naryn", vehicle_type="car"),
    }  # fmt: skip
    fuel = [
        ("A", 2025, 12, "60", "3600", 600),
        ("A", 2026, 1, "100", "6000", 1000),
        ("A", 2026, 3, "50", "3000", 500),
        ("A", 2026, 4, "80", "4800", 1000),
        ("B", 2026, 2, "200", "12000", 2000),
        ("B", 2026, 4, "120", "7200", 1000),
        ("C", 2025, 7, "400", "24000", 2000),
        ("C", 2026, 3, "300", "18000", 1500),
        ("E", 2025, 3, "50", "3000", 500),
    ]
    for car, year, month, liters, cost, km in fuel:
        FuelRecordFactory(car=cars[car], year=year, month=month, liters=Decimal(liters),
                          total_cost=Decimal(cost), mileage_km=km)  # fmt: skip
    SpareFactory(car=cars["A"], part_price=Decimal(5000), work_price=Decimal(1000),
                 installed_at=d("2026-03-10"))  # fmt: skip
    SpareFactory(car=cars["B"], part_price=Decimal(3000), work_price=Decimal(0),
                 installed_at=d("2025-08-01"))  # fmt: skip
    SpareFactory(car=cars["C"], part_price=Decimal(20000), work_price=Decimal(5000),
                 installed_at=d("2026-04-05"))  # fmt: skip
    AccumulatorFactory(car=cars["A"], price=Decimal(7500), installed_at=d("2026-02-01"),
                       valid_until=d("2026-06-01"))  # fmt: skip
    TiresFactory(car=cars["B"], price=Decimal(12000), installed_at=d("2026-02-01"))
    for car, start, end, cost in (
        ("A", "2025-10-01", "2026-10-01", 1100),
        ("B", "2025-06-10", "2026-06-10", 1000),
        ("D", "2026-04-20", "2027-04-19", 1200),
    ):
        InspectionFactory(car=cars[car], inspected_at=d(start), valid_until=d(end),
                          cost=Decimal(cost))  # fmt: skip
    for car, kind, number, start, end, cost in (
        ("A", "osago", "OS-A-25", "2025-06-01", "2026-05-31", 1200),
        ("A", "casco", "CA-A-26", "2026-01-01", "2026-12-31", 30000),
        ("B", "osago", "OS-B-25", "2025-05-01", "2026-04-30", 1100),
        ("C", "osago", "OS-C-26", "2026-02-01", "2027-01-31", 1300),
        ("D", "osago", "OS-D-26", "2026-05-20", "2027-05-19", 1250),
    ):
        InsuranceFactory(car=cars[car], insurance_type=kind, number=number,
                         start_date=d(start), end_date=d(end), cost=Decimal(cost))  # fmt: skip
    KitFactory(car=cars["A"], has_fire_extinguisher=True,
               fire_extinguisher_expires_at=d("2027-01-01"), has_first_aid_kit=True,
               first_aid_kit_expires_at=d("2026-06-01"))  # fmt: skip
    KitFactory(car=cars["B"], has_fire_extinguisher=True,
               fire_extinguisher_expires_at=d("2026-05-01"), has_first_aid_kit=False)  # fmt: skip
    return cars
