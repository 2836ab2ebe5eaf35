"""A realistic year of a Bishkek logistics company's fleet, for the demo company.

Deterministic (a fixed random seed) and dated relative to the company's today, so that the demo
always shows policies that expire soon and some that already have."""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from .models import (
    Accumulator,
    Car,
    CarStatus,
    FuelRecord,
    Inspection,
    Insurance,
    Kit,
    MonthlyMileage,
    Recorder,
    Spare,
    SpareCategory,
    Tires,
)

# (brand, title, vehicle type, fuel type, l/100 km, km per month)
MODELS = [
    ("toyota", "Camry 2.5", "car", "petrol", 9.5, 3200),
    ("toyota", "Land Cruiser 200", "suv", "diesel", 12.5, 2600),
    ("lexus", "LX 570", "suv", "petrol", 15.5, 1800),
    ("hyundai", "Sonata", "car", "lpg", 11.0, 4200),
    ("hyundai", "Porter II", "truck", "diesel", 10.5, 3100),
    ("mercedes-benz", "Sprinter 516", "van", "diesel", 11.5, 4400),
    ("ford", "Transit", "van", "diesel", 10.8, 3900),
    ("honda", "Fit", "car", "petrol", 6.2, 2900),
    ("kia", "K5", "car", "lpg", 10.5, 4800),
    ("chevrolet", "Cobalt", "car", "petrol", 7.8, 3500),
    ("lada", "Niva Legend", "suv", "petrol", 11.5, 1500),
    ("isuzu", "NQR 90", "truck", "diesel", 17.0, 3600),
    ("kamaz", "65115", "truck", "diesel", 34.0, 4200),
    ("gaz", "Gazelle Next", "van", "petrol", 13.5, 3300),
    ("nissan", "X-Trail", "suv", "petrol", 9.8, 2400),
    ("toyota", "Prius 30", "car", "hybrid", 4.9, 4600),
    ("byd", "Han EV", "car", "electric", 0.0, 3000),
    ("yutong", "ZK6122H9", "bus", "diesel", 24.0, 6200),
    ("hyundai", "County", "minibus", "diesel", 15.0, 5200),
    ("mitsubishi", "L200", "suv", "diesel", 9.4, 2800),
    ("skoda", "Octavia", "car", "petrol", 7.1, 3000),
    ("daewoo", "Damas", "van", "lpg", 8.5, 3700),
    ("shacman", "X3000", "truck", "diesel", 36.0, 5200),
    ("volkswagen", "Passat B8", "car", "petrol", 7.9, 2700),
    ("howo", "A7", "special", "diesel", 31.0, 2100),
]
# Region → the two digits its plates start with.
REGIONS = {
    "bishkek": "01",
    "osh_city": "02",
    "osh": "03",
    "jalal_abad": "04",
    "naryn": "05",
    "talas": "06",
    "issyk_kul": "07",
    "chui": "08",
    "batken": "09",
}
DRIVERS = [
    "Асанов Бакыт уулу",
    "Жумабаев Эрлан Каныбекович",
    "Иванов Сергей Петрович",
    "Осмонов Нурбек",
    "Токтогулов Айбек Маратович",
    "Ким Виктор Алексеевич",
    "Абдыкадыров Улан",
    "Мамытов Темир Саматович",
    "Петренко Андрей",
    "Сыдыков Азамат Болотович",
]
FUEL_PRICE = {"petrol": Decimal("67.90"), "diesel": Decimal("72.40"), "lpg": Decimal("36.50")}
FUEL_PRICE["hybrid"] = FUEL_PRICE["petrol"]
REPAIRS = [
    ("Замена масла и фильтров", SpareCategory.SERVICE, 3500, 800),
    ("Тормозные колодки передние", SpareCategory.BRAKES, 4200, 1200),
    ("Амортизаторы задние", SpareCategory.SUSPENSION, 11800, 3000),
    ("Ремень ГРМ с роликами", SpareCategory.ENGINE, 9800, 4500),
    ("Сцепление (комплект)", SpareCategory.TRANSMISSION, 18500, 7000),
    ("Радиатор охлаждения", SpareCategory.COOLING, 12400, 2500),
    ("Свечи зажигания", SpareCategory.ENGINE, 2400, 600),
    ("Генератор (ремонт)", SpareCategory.ELECTRICAL, 6500, 2000),
    ("Рулевые наконечники", SpareCategory.STEERING, 3100, 1500),
    ("Воздушный фильтр салона", SpareCategory.FILTERS, 900, 300),
]
TIRES = [("Nokian Hakkapeliitta 10", "215/60 R16"), ("Michelin Primacy 4", "215/55 R17")]
TIRES += [("Triangle TR685", "7.00 R16"), ("Kumho Solus TA31", "205/65 R16")]
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def _month_start(day: dt.date, months_back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


@transaction.atomic
def demo_fleet_seed(*, today: dt.date) -> int:
    """Fill the current schema's empty fleet; returns the number of cars created (0 when the
    fleet already has cars, so it is safe to run on every start)."""
    if Car.objects.exists():
        return 0
    rng = random.Random(2026)  # noqa: S311 - repeatable sample data, not a secret
    regions = list(REGIONS)
    cars = []
    for index, (brand, title, vehicle_type, fuel_type, _, _) in enumerate(MODELS):
        region = "bishkek" if index % 3 else rng.choice(regions)
        letters = "".join(rng.choice("ABCEHKMOPTX") for _ in range(3))
        status = CarStatus.ACTIVE
        if index in (3, 12):
            status = CarStatus.REPAIR
        elif index == 10:
            status = CarStatus.RESERVE
        elif index == 24:
            status = CarStatus.DECOMMISSIONED
        cars.append(
            Car(
                region=region,
                brand=brand,
                title=title,
                numplate=f"{REGIONS[region]}KG{100 + index * 37 % 900:03d}{letters}",
                year=rng.randint(2012, 2024),
                vin="".join(rng.choice(VIN_CHARS) for _ in range(17)),
                fuel_type=fuel_type,
                vehicle_type=vehicle_type,
                driver_name=DRIVERS[index % len(DRIVERS)] if index % 5 != 4 else "",
                driver_phone=f"+996 {rng.choice([555, 700, 770, 999])} {rng.randint(100, 999)} "
                f"{rng.randint(100, 999)}",
                fuel_card=f"KGF-{rng.randint(10**7, 10**8 - 1)}",
                status=status,
                commissioned_at=dt.date(rng.randint(2018, 2024), rng.randint(1, 12), 1),
            )
        )
    cars = Car.objects.bulk_create(cars)

    fuel, mileage, spares, tires, batteries = [], [], [], [], []
    insurances, inspections, recorders, kits = [], [], [], []
    for index, (car, model) in enumerate(zip(cars, MODELS, strict=True)):
        consumption, monthly_km = model[4], model[5]
        for months_back in range(1, 13):
            month = _month_start(today, months_back)
            km = round(monthly_km * rng.uniform(0.6, 1.25))
            if car.status == CarStatus.DECOMMISSIONED and months_back <= 8:
                km = 0  # parked for the last eight months
            mileage.append(MonthlyMileage(car=car, month=month, mileage_km=km))
            if car.fuel_type == "electric":
                continue
            liters = _money(km * consumption / 100 * rng.uniform(0.92, 1.1))
            price = FUEL_PRICE[car.fuel_type] + _money(rng.uniform(-2, 2))
            fuel.append(
                FuelRecord(
                    car=car,
                    year=month.year,
                    month=month.month,
                    liters=liters,
                    total_cost=(liters * price).quantize(Decimal("0.01")),
                    mileage_km=km,
                )
            )
        for name, category, part, work in rng.sample(REPAIRS, rng.randint(2, 5)):
            scale = 2.5 if car.vehicle_type in ("truck", "bus", "special") else 1.0
            spares.append(
                Spare(
                    car=car,
                    name=name,
                    category=category,
                    part_price=_money(part * scale * rng.uniform(0.85, 1.2)),
                    work_price=_money(work * scale),
                    installed_at=today - dt.timedelta(days=rng.randint(5, 360)),
                )
            )
        winter_on = _month_start(today, 12).replace(day=15)
        tyre_model, size = rng.choice(TIRES)
        tires.append(
            Tires(
                car=car,
                model=tyre_model,
                size=size,
                price=_money(rng.uniform(16000, 42000)),
                installed_at=winter_on,
                removed_at=winter_on + dt.timedelta(days=150),
            )
        )
        tires.append(
            Tires(
                car=car,
                model=rng.choice(TIRES)[0],
                size=size,
                price=_money(rng.uniform(16000, 42000)),
                installed_at=winter_on + dt.timedelta(days=150),
            )
        )
        installed = today - dt.timedelta(days=rng.randint(60, 700))
        batteries.append(
            Accumulator(
                car=car,
                model=rng.choice(["Varta Blue Dynamic", "Bosch S4", "Mutlu SFB", "Topla Energy"]),
                serial_number=f"B{rng.randint(10**6, 10**7 - 1)}",
                capacity_ah=rng.choice([60, 74, 90, 190]),
                price=_money(rng.uniform(6500, 21000)),
                installed_at=installed,
                valid_until=installed + dt.timedelta(days=3 * 365),
            )
        )
        # Documents: a few expired, a few within the 30-day window, the rest later.
        if index % 8 == 0:
            osago_end = today - dt.timedelta(days=rng.randint(3, 40))
        elif index % 8 == 1:
            osago_end = today + dt.timedelta(days=rng.randint(2, 28))
        else:
            osago_end = today + dt.timedelta(days=rng.randint(45, 330))
        insurances.append(
            Insurance(
                car=car,
                insurance_type="osago",
                number=f"ОСАГО-{rng.randint(10**6, 10**7 - 1)}",
                start_date=osago_end - dt.timedelta(days=364),
                end_date=osago_end,
                cost=_money(rng.uniform(2800, 5200)),
            )
        )
        if index % 5 in (0, 2):
            casco_end = today + dt.timedelta(days=rng.randint(-20, 300))
            insurances.append(
                Insurance(
                    car=car,
                    insurance_type="casco",
                    number=f"КАСКО-{rng.randint(10**5, 10**6 - 1)}",
                    start_date=casco_end - dt.timedelta(days=364),
                    end_date=casco_end,
                    cost=_money(rng.uniform(25000, 90000)),
                )
            )
        valid_until = today + dt.timedelta(days=rng.randint(-30, 330))
        if index % 7 == 3:
            valid_until = today + dt.timedelta(days=rng.randint(1, 25))
        inspections.append(
            Inspection(
                car=car,
                number=f"ТО-{rng.randint(10**5, 10**6 - 1)}",
                inspected_at=valid_until - dt.timedelta(days=364),
                valid_until=valid_until,
                cost=_money(rng.choice([900, 1100, 1600, 2400])),
            )
        )
        if index % 5 != 3:
            recorders.append(
                Recorder(
                    car=car,
                    model=rng.choice(["70mai A500S", "Xiaomi Mi Dash Cam 2", "Neoline G-Tech X74"]),
                    serial_number=f"DC{rng.randint(10**6, 10**7 - 1)}",
                    installed_at=car.commissioned_at,
                )
            )
        has_extinguisher = index % 6 != 5
        has_first_aid = index % 9 != 8
        kits.append(
            Kit(
                car=car,
                has_jack=True,
                has_wheel_wrench=True,
                has_warning_triangle=index % 11 != 7,
                has_fire_extinguisher=has_extinguisher,
                fire_extinguisher_expires_at=(
                    today + dt.timedelta(days=rng.randint(-15, 500)) if has_extinguisher else None
                ),
                has_first_aid_kit=has_first_aid,
                first_aid_kit_expires_at=(
                    today + dt.timedelta(days=rng.randint(10, 700)) if has_first_aid else None
                ),
                has_tow_rope=index % 3 == 0,
            )
        )
    for model, rows in [
        (FuelRecord, fuel),
        (MonthlyMileage, mileage),
        (Spare, spares),
        (Tires, tires),
        (Accumulator, batteries),
        (Insurance, insurances),
        (Inspection, inspections),
        (Recorder, recorders),
        (Kit, kits),
    ]:
        model.objects.bulk_create(rows)
    return len(cars)
