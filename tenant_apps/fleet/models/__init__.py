"""The fleet of one company (its own schema): cars and everything recorded about them."""

from .base import CarRecord
from .cars import Car, CarPhoto, CarStatus
from .documents import DocumentStatus, Inspection, Insurance, InsuranceType
from .drafts import Accident, TransferAct
from .equipment import EXPIRING_KIT_ITEMS, Kit, Recorder
from .fuel import FuelRecord, MonthlyMileage
from .maintenance import Accumulator, MaintenancePlan, Spare, SpareCategory, Tires

__all__ = [
    "EXPIRING_KIT_ITEMS",
    "Accident",
    "Accumulator",
    "Car",
    "CarPhoto",
    "CarRecord",
    "CarStatus",
    "DocumentStatus",
    "FuelRecord",
    "Inspection",
    "Insurance",
    "InsuranceType",
    "Kit",
    "MaintenancePlan",
    "MonthlyMileage",
    "Recorder",
    "Spare",
    "SpareCategory",
    "Tires",
    "TransferAct",
]
