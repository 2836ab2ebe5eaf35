"""The fleet in a company host's `/admin/` (platform staff only): every model, with filters and
search for support work."""

from django.contrib import admin

from shared_apps.core.admin_sites import company_admin_site

from .models import (
    Accident,
    Accumulator,
    Car,
    CarPhoto,
    FuelRecord,
    Inspection,
    Insurance,
    Kit,
    MonthlyMileage,
    Recorder,
    Spare,
    Tires,
    TransferAct,
)


class CarPhotoInline(admin.TabularInline):
    model = CarPhoto
    extra = 0
    fields = ["image", "comment", "uploaded_at"]
    readonly_fields = ["uploaded_at"]


@admin.register(Car, site=company_admin_site)
class CarAdmin(admin.ModelAdmin):
    list_display = ["numplate", "title", "brand", "region", "vehicle_type", "status", "year"]
    list_filter = ["status", "vehicle_type", "fuel_type", "region", "brand"]
    search_fields = ["numplate", "title", "vin", "driver_name", "driver_phone", "fuel_card"]
    readonly_fields = ["created_at", "updated_at"]
    raw_id_fields = ["driver"]
    inlines = [CarPhotoInline]


class CarRecordAdmin(admin.ModelAdmin):
    """Shared set-up: the car is picked by id and shown with its plate, without N+1."""

    autocomplete_fields = ["car"]
    list_select_related = ["car"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Spare, site=company_admin_site)
class SpareAdmin(CarRecordAdmin):
    list_display = ["name", "car", "category", "part_price", "work_price", "installed_at"]
    list_filter = ["category", "installed_at"]
    search_fields = ["name", "description", "work_description", "car__numplate"]
    date_hierarchy = "installed_at"


@admin.register(Tires, site=company_admin_site)
class TiresAdmin(CarRecordAdmin):
    list_display = ["model", "size", "car", "price", "installed_at", "removed_at"]
    list_filter = ["installed_at", "removed_at"]
    search_fields = ["model", "size", "car__numplate"]


@admin.register(Accumulator, site=company_admin_site)
class AccumulatorAdmin(CarRecordAdmin):
    list_display = ["model", "car", "capacity_ah", "price", "installed_at", "valid_until"]
    list_filter = ["installed_at", "valid_until"]
    search_fields = ["model", "serial_number", "car__numplate"]


@admin.register(FuelRecord, site=company_admin_site)
class FuelRecordAdmin(CarRecordAdmin):
    list_display = [
        "car",
        "year",
        "month",
        "liters",
        "total_cost",
        "mileage_km",
        "consumption_l_per_100km",
    ]
    list_filter = ["year", "month"]
    search_fields = ["car__numplate"]


@admin.register(Insurance, site=company_admin_site)
class InsuranceAdmin(CarRecordAdmin):
    list_display = ["number", "car", "insurance_type", "start_date", "end_date", "cost"]
    list_filter = ["insurance_type", "end_date"]
    search_fields = ["number", "car__numplate"]
    date_hierarchy = "end_date"


@admin.register(Inspection, site=company_admin_site)
class InspectionAdmin(CarRecordAdmin):
    list_display = ["number", "car", "inspected_at", "valid_until", "cost"]
    list_filter = ["valid_until"]
    search_fields = ["number", "car__numplate"]
    date_hierarchy = "valid_until"


@admin.register(Recorder, site=company_admin_site)
class RecorderAdmin(CarRecordAdmin):
    list_display = ["model", "serial_number", "car", "installed_at"]
    list_filter = ["installed_at"]
    search_fields = ["model", "serial_number", "car__numplate"]


@admin.register(Kit, site=company_admin_site)
class KitAdmin(CarRecordAdmin):
    list_display = [
        "car",
        "has_jack",
        "has_wheel_wrench",
        "has_warning_triangle",
        "has_fire_extinguisher",
        "fire_extinguisher_expires_at",
        "has_first_aid_kit",
        "first_aid_kit_expires_at",
        "has_tow_rope",
    ]
    list_filter = ["has_fire_extinguisher", "has_first_aid_kit", "has_warning_triangle"]
    search_fields = ["car__numplate"]


@admin.register(MonthlyMileage, site=company_admin_site)
class MonthlyMileageAdmin(CarRecordAdmin):
    list_display = ["car", "month", "mileage_km"]
    list_filter = ["month"]
    search_fields = ["car__numplate"]


@admin.register(Accident, site=company_admin_site)
class AccidentAdmin(CarRecordAdmin):
    list_display = ["car", "occurred_at", "location", "at_fault", "damage_cost"]
    list_filter = ["at_fault", "occurred_at"]
    search_fields = ["car__numplate", "location", "driver_name", "police_report_number"]


@admin.register(TransferAct, site=company_admin_site)
class TransferActAdmin(CarRecordAdmin):
    list_display = ["car", "number", "transferred_at", "from_person", "to_person"]
    list_filter = ["transferred_at"]
    search_fields = ["car__numplate", "number", "from_person", "to_person"]
