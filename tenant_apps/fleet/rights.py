"""Who may write what: the one table of the fleet's write rights. The REST viewsets, the AI's
actions and the import all read it. Every role reads everything of its company."""

from django.db.models import Model

from shared_apps.accounts.roles import FINANCE_STAFF, FLEET_MANAGERS, MAINTENANCE_STAFF

from .models import (
    Accumulator,
    Car,
    CarPhoto,
    FuelRecord,
    Inspection,
    Insurance,
    Kit,
    MaintenancePlan,
    MonthlyMileage,
    Recorder,
    Spare,
    Tires,
)

WRITE_ROLES: dict[type[Model], frozenset[str]] = {
    # The cars and what belongs to them: their managers.
    Car: FLEET_MANAGERS,
    CarPhoto: FLEET_MANAGERS,
    Recorder: FLEET_MANAGERS,
    Kit: FLEET_MANAGERS,
    # Repairs, parts and inspections: the workshop too.
    Spare: MAINTENANCE_STAFF,
    Tires: MAINTENANCE_STAFF,
    Accumulator: MAINTENANCE_STAFF,
    Inspection: MAINTENANCE_STAFF,
    MaintenancePlan: MAINTENANCE_STAFF,
    # Money and mileage: the accountant too.
    FuelRecord: FINANCE_STAFF,
    MonthlyMileage: FINANCE_STAFF,
    Insurance: FINANCE_STAFF,
}


def may_write(user, model: type[Model]) -> bool:
    """Whether `user` may create, change and delete `model`'s rows."""
    return user.role in WRITE_ROLES.get(model, frozenset())
