"""Which cars a report covers: a set of cars and the car filters every report takes."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from tenant_apps.fleet.models import Car, CarStatus


@dataclass(frozen=True)
class CarScope:
    """`cars` (ids; empty: every car) narrowed by the car filters. Decommissioned cars are left
    out unless `status` asks for them: a car sold last year is no part of today's fleet."""

    cars: tuple[int, ...] = ()
    region: str | None = None
    vehicle_type: str | None = None
    fuel_type: str | None = None
    status: str | None = None

    def q(self, prefix: str = "") -> Q:
        """The scope as a filter on the car, from a model `prefix` away (`"car__"` from a
        record): a report that joins the car anyway filters it there."""
        conditions = Q()
        if self.cars:
            conditions &= Q((f"{prefix}pk__in", self.cars))
        for field in ("region", "vehicle_type", "fuel_type", "status"):
            if getattr(self, field) is not None:
                conditions &= Q((f"{prefix}{field}", getattr(self, field)))
        if self.status is None:
            conditions &= ~Q((f"{prefix}status", CarStatus.DECOMMISSIONED))
        return conditions

    def car_queryset(self) -> QuerySet[Car]:
        return Car.objects.filter(self.q())


WHOLE_FLEET = CarScope()


def car_scope_from(params: dict, *, status_param: str = "status") -> CarScope:
    """The scope a report's validated parameters name (`car` is one id or a list of them). The
    car status is `status_param`: `car_status` where `status` is a document's."""
    cars = params.get("car") or ()
    return CarScope(
        cars=tuple(cars) if isinstance(cars, list | tuple) else (cars,),
        region=params.get("region"),
        vehicle_type=params.get("vehicle_type"),
        fuel_type=params.get("fuel_type"),
        status=params.get(status_param),
    )
