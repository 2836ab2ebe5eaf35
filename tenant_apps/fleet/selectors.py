"""Reads of the fleet that more than one view (and the reports and the AI assistant) need."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.utils import timezone

from shared_apps.accounts.models import User
from shared_apps.companies.models import Company
from shared_apps.core.db import DaysBetween, QueryTimeDate

from .compliance import COVERING, ComplianceRow, Obligation, compliance_rows
from .models import (
    Accumulator,
    Car,
    CarStatus,
    DocumentStatus,
    FuelRecord,
    Inspection,
    Insurance,
    MonthlyMileage,
    Spare,
    Tires,
)

ZERO = Decimal("0.00")


def company_today(company: Company) -> dt.date:
    """Today's date where the company is: a policy ending "today" in Bishkek has not expired
    just because the server's clock is in UTC."""
    return timezone.localdate(timezone=ZoneInfo(company.timezone))


@dataclass(frozen=True)
class CompanyClock:
    """Today where the company is, and how many days ahead a document counts as `expiring`
    (the company's warning window, or a report's `days`)."""

    today: dt.date
    warning_days: int

    @property
    def warning_end(self) -> dt.date:
        """The last day of the warning window."""
        return self.today + dt.timedelta(days=self.warning_days)


def company_clock(
    company: Company | None = None, *, warning_days: int | None = None
) -> CompanyClock:
    """The clock of `company` (default: the company whose schema is active)."""
    company = connection.tenant if company is None else company
    if warning_days is None:
        warning_days = company.expiry_warning_days
    return CompanyClock(today=company_today(company), warning_days=warning_days)


def company_users(*, active_only: bool = False) -> QuerySet[User]:
    """The users of the company whose schema is active (none outside a company, e.g. while the
    OpenAPI schema is generated)."""
    company_id = getattr(connection.tenant, "pk", None)
    if company_id is None:
        return User.objects.none()
    users = User.objects.of_company(company_id)
    return users.active() if active_only else users


def document_status(start: dt.date, end: dt.date, *, clock: CompanyClock) -> DocumentStatus:
    """`upcoming` until the start date (it covers nothing yet), `expired` once the end date has
    passed, `expiring` while the end is within the warning window (today included), `active`
    before that."""
    if start > clock.today:
        return DocumentStatus.UPCOMING
    if end < clock.today:
        return DocumentStatus.EXPIRED
    if end <= clock.warning_end:
        return DocumentStatus.EXPIRING
    return DocumentStatus.ACTIVE


def document_status_q(status: str, *, start: str, end: str, clock: CompanyClock) -> Q:
    """The same rule as `document_status`, as a filter on the date columns `start` and `end`."""
    if status == DocumentStatus.UPCOMING:
        return Q(**{f"{start}__gt": clock.today})
    started = Q(**{f"{start}__lte": clock.today})
    if status == DocumentStatus.EXPIRED:
        return started & Q(**{f"{end}__lt": clock.today})
    if status == DocumentStatus.EXPIRING:
        return started & Q(**{f"{end}__gte": clock.today, f"{end}__lte": clock.warning_end})
    return started & Q(**{f"{end}__gt": clock.warning_end})


def _active_today() -> dt.date:
    return company_clock().today


def _active_warning_end() -> dt.date:
    return company_clock().warning_end


@dataclass(frozen=True)
class QueryClock:
    """The active company's clock as dates a query reads when it runs (`QueryTimeDate`), for
    SQL that is compiled once and run again on other days and for other companies (a list's
    page, `core.page_sql`)."""

    today: QueryTimeDate
    warning_end: QueryTimeDate


QUERY_CLOCK = QueryClock(QueryTimeDate(_active_today), QueryTimeDate(_active_warning_end))


def with_document_status(documents: QuerySet, *, start: str, end: str) -> QuerySet:
    """Documents with `status_today` and `days_left_today`: `document_status` and the days
    until the end, as of the active company's today when the query runs. The status is composed
    from `document_status_q`, the rule's SQL form; a list's serializer reads both when it reads
    its rows as values (`core.rows.AnnotatedMethodField`), and runs the rule in Python for an
    instance."""
    statuses = (DocumentStatus.UPCOMING, DocumentStatus.EXPIRED, DocumentStatus.EXPIRING)
    return documents.annotate(
        status_today=Case(
            *(
                When(
                    document_status_q(status, start=start, end=end, clock=QUERY_CLOCK),
                    then=Value(status.value),
                )
                for status in statuses
            ),
            default=Value(DocumentStatus.ACTIVE.value),
            output_field=CharField(),
        ),
        days_left_today=DaysBetween(F(end), QUERY_CLOCK.today),
    )


def with_car_month_mileage(records: QuerySet[FuelRecord]) -> QuerySet[FuelRecord]:
    """Fuel records with `car_month_km`, the kilometres of their car-month: the
    `monthly-mileages/` record when there is one, else the fuel record's own `mileage_km`.
    Every figure made of fuel and kilometres reads a car-month's km from here."""
    return records.alias(
        month_mileage=FilteredRelation(
            "car__monthly_mileages", condition=Q(car__monthly_mileages__month=F("period"))
        )
    ).annotate(car_month_km=Coalesce("month_mileage__mileage_km", "mileage_km"))


def months_driven_without_fuel(
    mileages: QuerySet[MonthlyMileage] | None = None,
) -> QuerySet[MonthlyMileage]:
    """The mileage records of months that have no fuel record (an electric car): the car-months
    `with_car_month_mileage` does not reach, since it starts from the fuel records."""
    mileages = MonthlyMileage.objects.all() if mileages is None else mileages
    fuel_of_the_month = FuelRecord.objects.filter(car=OuterRef("car"), period=OuterRef("month"))
    return mileages.exclude(Exists(fuel_of_the_month))


def car_month_mileages() -> QuerySet:
    """Every car-month that has km, as `(car_id, month, km)` rows: the fuel records' months with
    their car-month's km (`with_car_month_mileage`) and `months_driven_without_fuel`. What
    counts km over many months (a service plan) reads it."""
    fuelled = with_car_month_mileage(FuelRecord.objects.order_by()).values_list(
        "car_id", "period", "car_month_km"
    )
    driven_only = months_driven_without_fuel(MonthlyMileage.objects.order_by()).values_list(
        "car_id", "month", "mileage_km"
    )
    return fuelled.union(driven_only, all=True)


def with_consumption(records: QuerySet[FuelRecord]) -> QuerySet[FuelRecord]:
    """Fuel records with `consumption_l_per_100km`: their liters over their car-month's km
    (`with_car_month_mileage`) × 100, rounded half away from zero to 2 places; null at 0 km."""
    return with_car_month_mileage(records).annotate(
        consumption_l_per_100km=Case(
            When(car_month_km=0, then=None),
            default=Round(F("liters") * 100 / F("car_month_km"), 2),
            output_field=DecimalField(max_digits=12, decimal_places=2, null=True),
        )
    )


def _yearly_sum(model, amount: str, date_field: str, year: int) -> Subquery:
    rows = (
        model.objects.filter(car=OuterRef("pk"), **{f"{date_field}__year": year})
        .order_by()
        .values("car")
        .annotate(total=Sum(amount))
        .values("total")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    return Coalesce(Subquery(rows, output_field=money), Value(ZERO), output_field=money)


@dataclass(frozen=True)
class CarSummary:
    """The detail view's aggregates for one car over the company's current calendar year, and
    where its obligations stand today."""

    year: int
    fuel_liters: Decimal
    fuel_cost: Decimal
    maintenance_cost: Decimal
    next_insurance: Insurance | None
    next_inspection: Inspection | None
    compliance: tuple[ComplianceRow, ...]


INSURANCE_OBLIGATIONS = (Obligation.OSAGO, Obligation.CASCO)


def car_summary(*, car: Car, clock: CompanyClock) -> CarSummary:
    """Fuel and maintenance this year (parts and work, tyres, batteries, inspections), the car's
    compliance rows (those of the compliance report for this car: none for a decommissioned
    car) and, read from them, the insurance and the inspection whose cover of today ends first
    (the document it ends with; none while the car is uncovered: a renewal yet to start is not
    the next to end). At most four queries, whatever the history's size."""
    year = clock.today.year
    totals = (
        Car.objects.filter(pk=car.pk)
        .annotate(
            fuel_liters=_yearly_sum(FuelRecord, "liters", "period", year),
            fuel_cost=_yearly_sum(FuelRecord, "total_cost", "period", year),
            spares_cost=_yearly_sum(Spare, "total_price", "installed_at", year),
            tires_cost=_yearly_sum(Tires, "price", "installed_at", year),
            accumulators_cost=_yearly_sum(Accumulator, "price", "installed_at", year),
            inspections_cost=_yearly_sum(Inspection, "cost", "inspected_at", year),
        )
        .values(
            "fuel_liters",
            "fuel_cost",
            "spares_cost",
            "tires_cost",
            "accumulators_cost",
            "inspections_cost",
        )
        .get()
    )
    rows = ()
    if car.status != CarStatus.DECOMMISSIONED:
        rows = tuple(compliance_rows(cars=Car.objects.filter(pk=car.pk), clock=clock))
    return CarSummary(
        year=year,
        fuel_liters=totals["fuel_liters"],
        fuel_cost=totals["fuel_cost"],
        maintenance_cost=(
            totals["spares_cost"]
            + totals["tires_cost"]
            + totals["accumulators_cost"]
            + totals["inspections_cost"]
        ),
        next_insurance=_covering_document(Insurance, rows, INSURANCE_OBLIGATIONS),
        next_inspection=_covering_document(Inspection, rows, (Obligation.INSPECTION,)),
        compliance=rows,
    )


def _covering_document(model, rows: tuple[ComplianceRow, ...], obligations: tuple[str, ...]):
    """The document of the covered row of `obligations` that falls due first (rows come
    soonest due first)."""
    for row in rows:
        if row.obligation in obligations and row.status in COVERING:
            return model.objects.filter(pk=row.document).first()
    return None
