"""The fleet in a company host's `/admin/` (platform staff only): every model, with filters and
search for support work. Saves and deletes go through the fleet services, like the API's."""

from django import forms
from django.contrib import admin, messages

from shared_apps.core.admin_sites import company_admin_site
from shared_apps.core.exceptions import Conflict
from shared_apps.dictionaries.models import DictionaryKind
from shared_apps.dictionaries.selectors import dictionary_list

from . import services
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
from .selectors import company_users


class ServiceWritesMixin:
    """Admin saves and deletes take the services' path: the same validation, and files removed
    with their rows."""

    def save_model(self, request, obj, form, change):
        services.record_save(instance=obj)

    def delete_model(self, request, obj):
        services.record_delete(instance=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            services.record_save(instance=obj)
        for obj in formset.deleted_objects:
            services.record_delete(instance=obj)
        formset.save_m2m()


DICTIONARY_FIELDS = {
    "region": DictionaryKind.REGIONS,
    "brand": DictionaryKind.BRANDS,
    "fuel_type": DictionaryKind.FUEL_TYPES,
    "vehicle_type": DictionaryKind.VEHICLE_TYPES,
}


class CarAdminForm(forms.ModelForm):
    """Dictionary codes picked from their dictionaries; the driver from this company's users."""

    class Meta:
        model = Car
        fields = [
            "numplate",
            "title",
            "brand",
            "region",
            "vehicle_type",
            "fuel_type",
            "year",
            "vin",
            "status",
            "commissioned_at",
            "driver",
            "driver_name",
            "driver_phone",
            "fuel_card",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, kind in DICTIONARY_FIELDS.items():
            choices = [
                (e["code"], f"{e['name']} ({e['code']})") for e in dictionary_list(kind=kind)
            ]
            current = getattr(self.instance, name)
            if current and current not in {code for code, _ in choices}:
                choices.append((current, current))  # a retired code stays on the cars that have it
            self.fields[name] = forms.ChoiceField(
                choices=[("", "---------"), *choices], help_text=self.fields[name].help_text
            )
        self.fields["driver"].queryset = company_users()


class CarPhotoInline(admin.TabularInline):
    model = CarPhoto
    extra = 0
    fields = ["image", "comment", "uploaded_at"]
    readonly_fields = ["uploaded_at"]


@admin.register(Car, site=company_admin_site)
class CarAdmin(ServiceWritesMixin, admin.ModelAdmin):
    form = CarAdminForm
    list_display = ["numplate", "title", "brand", "region", "vehicle_type", "status", "year"]
    list_filter = ["status", "vehicle_type", "fuel_type", "region", "brand"]
    search_fields = ["numplate", "title", "vin", "driver_name", "driver_phone", "fuel_card"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [CarPhotoInline]

    def delete_model(self, request, obj):
        try:
            services.car_delete(car=obj)
        except Conflict as exc:
            self.message_user(request, str(exc.detail), messages.ERROR)


class CarRecordAdmin(ServiceWritesMixin, admin.ModelAdmin):
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
