"""The fleet API: thin viewsets; writes go through `services`, reads through `selectors`.
Which roles may write each resource is `rights.WRITE_ROLES`'s."""

import functools
import mimetypes
import posixpath

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from shared_apps.core import page_sql
from shared_apps.core.errors import not_found_view
from shared_apps.core.openapi import error_response, search_validation_errors
from shared_apps.core.parsers import LimitedMultiPartParser

from . import filters, selectors, serializers, services
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
from .rights import WRITE_ROLES


@search_validation_errors(actions=["list"])
class FleetViewSet(viewsets.ModelViewSet):
    """CRUD on one fleet model; creates, updates and deletes go through the fleet services."""

    lookup_value_regex = r"\d+"

    @property
    def write_roles(self) -> frozenset[str]:
        return WRITE_ROLES[self.queryset.model]

    def get_queryset(self):
        if self.action == "list":
            return self.list_queryset().all()
        return super().get_queryset()

    @classmethod
    @functools.cache
    def list_queryset(cls) -> QuerySet:
        """The list's rows before filters, built once per class (resolving annotations costs
        more than copying the built queryset): `queryset` with the columns a row reads
        (`list_columns`) and what `list_annotate` adds. Nothing here may depend on the request
        (its user, company or day): compiled pages share it (`core.page_sql`)."""
        return cls.list_annotate(cls.queryset.only(*cls.list_columns()))

    @classmethod
    def list_columns(cls) -> list[str]:
        """What a list row reads: the record's own columns and, of its car, only the plate
        (a page of 100 rows then skips loading and parsing 100 whole cars)."""
        model = cls.queryset.model
        return [field.name for field in model._meta.concrete_fields] + ["car__numplate"]

    @classmethod
    def list_annotate(cls, queryset: QuerySet) -> QuerySet:
        return queryset

    # Defined after the methods annotated `list[str]`: below this line, in the class body,
    # the name `list` is this method.
    def list(self, request, *args, **kwargs):
        # A page no filter or search narrows runs its list's SQL compiled once, since neither
        # the rows before filters (`list_queryset`) nor the filters depend on the request; a
        # view with its own `get_queryset` or `filter_queryset` might make them depend on it.
        view = type(self)
        if (
            view.get_queryset is FleetViewSet.get_queryset
            and view.filter_queryset is viewsets.ModelViewSet.filter_queryset
        ):
            response = page_sql.page_response(self, request)
            if response is not None:
                return response
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = services.record_create(
            model_class=self.queryset.model, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.record_update(
            instance=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.record_delete(instance=instance)


@extend_schema_view(
    list=extend_schema(responses=serializers.CarListSerializer(many=True)),
    retrieve=extend_schema(responses=serializers.CarDetailSerializer),
    destroy=extend_schema(
        description="Only a car without history; otherwise 409 `car_has_history`: decommission "
        "it instead (`status=decommissioned`).",
        responses={204: None, 409: error_response(409, ["car_has_history"])},
    ),
)
# `photos` finds its car through the list's filters, `search` included.
@search_validation_errors(actions=["photos"], methods=["get"])
class CarViewSet(FleetViewSet):
    """The company's cars."""

    queryset = Car.objects.all()
    filterset_class = filters.CarFilter
    search_fields = ["numplate", "title", "vin", "driver_name", "driver_phone", "fuel_card"]
    ordering_fields = ["id", "numplate", "brand", "title", "year", "status", "commissioned_at"]
    ordering = ["numplate"]

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.CarListSerializer
        if self.action == "retrieve":
            return serializers.CarDetailSerializer
        if self.action == "photos":
            return serializers.CarPhotoSerializer
        return serializers.CarSerializer

    @classmethod
    def list_columns(cls) -> list[str]:
        return serializers.CarListSerializer.Meta.fields

    def retrieve(self, request, *args, **kwargs):
        car = self.get_object()
        car.summary = selectors.car_summary(car=car, clock=selectors.company_clock(request.tenant))
        return Response(self.get_serializer(car).data)

    def perform_destroy(self, instance):
        services.car_delete(car=instance)

    @extend_schema(
        methods=["GET"],
        responses=serializers.CarPhotoSerializer(many=True),
        summary="List a car's photos",
        description="The car's photos, newest first.",
    )
    @extend_schema(
        methods=["POST"],
        request=serializers.CarPhotoSerializer,  # multipart/form-data: the action's parser
        responses={201: serializers.CarPhotoSerializer},
        summary="Upload a car photo",
        description="Upload a photo: a real JPEG, PNG or WebP of at most 10 MB and 40 MP.",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[LimitedMultiPartParser],
        filterset_class=None,
        pagination_class=None,
    )
    def photos(self, request, pk=None):
        car = self.get_object()
        if request.method == "GET":
            photos = car.photos.all()
            return Response(self.get_serializer(photos, many=True).data)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photo = services.record_create(
            model_class=CarPhoto, car=car, uploaded_by=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(photo).data, status=status.HTTP_201_CREATED)


class CarPhotoViewSet(mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """One photo of a car; deleting it removes the file too."""

    queryset = CarPhoto.objects.all()
    serializer_class = serializers.CarPhotoSerializer
    write_roles = WRITE_ROLES[CarPhoto]
    lookup_value_regex = r"\d+"

    def perform_destroy(self, instance):
        services.record_delete(instance=instance)


class SpareViewSet(FleetViewSet):
    """Repairs: parts and work; `total_price` = `part_price` + `work_price`."""

    queryset = Spare.objects.select_related("car")
    serializer_class = serializers.SpareSerializer
    filterset_class = filters.SpareFilter
    search_fields = ["name", "description", "work_description", "car__numplate"]
    ordering_fields = ["id", "installed_at", "total_price", "part_price", "work_price"]
    ordering = ["-installed_at", "-id"]


class TiresViewSet(FleetViewSet):
    """Tyre sets mounted on cars."""

    queryset = Tires.objects.select_related("car")
    serializer_class = serializers.TiresSerializer
    filterset_class = filters.TiresFilter
    search_fields = ["model", "size", "car__numplate"]
    ordering_fields = ["id", "installed_at", "removed_at", "price"]
    ordering = ["-installed_at", "-id"]


class AccumulatorViewSet(FleetViewSet):
    """Batteries."""

    queryset = Accumulator.objects.select_related("car")
    serializer_class = serializers.AccumulatorSerializer
    filterset_class = filters.AccumulatorFilter
    search_fields = ["model", "serial_number", "car__numplate"]
    ordering_fields = ["id", "installed_at", "valid_until", "price", "capacity_ah"]
    ordering = ["-installed_at", "-id"]


class FuelRecordViewSet(FleetViewSet):
    """Monthly fuel of each car: one record per car and month."""

    queryset = FuelRecord.objects.select_related("car")
    serializer_class = serializers.FuelRecordSerializer

    @classmethod
    def list_annotate(cls, queryset: QuerySet) -> QuerySet:
        # A list computes every row's consumption in its one query; a single record (read or
        # written) is computed by the serializer after the write.
        return selectors.with_consumption(queryset)

    filterset_class = filters.FuelRecordFilter
    search_fields = ["car__numplate"]
    ordering_fields = [
        "id",
        "period",
        "liters",
        "total_cost",
        "mileage_km",
        "consumption_l_per_100km",
    ]
    ordering = ["-period", "-id"]  # the index (period, id) serves a page without a sort


class DocumentViewSet(FleetViewSet):
    """A dated document's list: its rows carry their status and days left as of the company's
    today, computed in SQL when the page is read (`selectors.with_document_status`), which its
    serializer's `status` and `days_left` take when it reads the rows as values."""

    @classmethod
    def list_annotate(cls, queryset: QuerySet) -> QuerySet:
        dates = cls.serializer_class
        return selectors.with_document_status(
            queryset, start=dates.start_field, end=dates.end_field
        )


class InsuranceViewSet(DocumentViewSet):
    """CASCO and OSAGO policies, with their status as of today."""

    queryset = Insurance.objects.select_related("car")
    serializer_class = serializers.InsuranceSerializer
    filterset_class = filters.InsuranceFilter
    search_fields = ["number", "car__numplate"]
    ordering_fields = ["id", "start_date", "end_date", "cost"]
    ordering = ["end_date", "id"]


class InspectionViewSet(DocumentViewSet):
    """Roadworthiness inspections, with their status as of today."""

    queryset = Inspection.objects.select_related("car")
    serializer_class = serializers.InspectionSerializer
    filterset_class = filters.InspectionFilter
    search_fields = ["number", "car__numplate"]
    ordering_fields = ["id", "inspected_at", "valid_until", "cost"]
    ordering = ["valid_until", "id"]


class RecorderViewSet(FleetViewSet):
    """Dashcams: at most one per car."""

    queryset = Recorder.objects.select_related("car")
    serializer_class = serializers.RecorderSerializer
    filterset_class = filters.RecorderFilter
    search_fields = ["model", "serial_number", "car__numplate"]
    ordering_fields = ["id", "installed_at"]
    ordering = ["car__numplate"]


class KitViewSet(FleetViewSet):
    """Safety kits: at most one per car."""

    queryset = Kit.objects.select_related("car")
    serializer_class = serializers.KitSerializer
    filterset_class = filters.KitFilter
    search_fields = ["car__numplate"]
    ordering_fields = ["id", "fire_extinguisher_expires_at", "first_aid_kit_expires_at"]
    ordering = ["car__numplate"]


class MonthlyMileageViewSet(FleetViewSet):
    """Kilometres per car and month: one per car and month."""

    queryset = MonthlyMileage.objects.select_related("car")
    serializer_class = serializers.MonthlyMileageSerializer
    filterset_class = filters.MonthlyMileageFilter
    search_fields = ["car__numplate"]
    ordering_fields = ["id", "month", "mileage_km"]
    ordering = ["-month", "-id"]  # the index (month, id) serves a page without a sort


class MaintenancePlanViewSet(FleetViewSet):
    """Services a car needs again and again; they fall due in the compliance rows (`service`)."""

    queryset = MaintenancePlan.objects.select_related("car")
    serializer_class = serializers.MaintenancePlanSerializer
    filterset_class = filters.MaintenancePlanFilter
    search_fields = ["car__numplate", "name"]
    ordering_fields = ["id", "name", "last_done_at"]
    ordering = ["car__numplate", "name", "id"]


# The folders of images (see the models' `upload_to`). Other files in the company's media folder
# (report exports) have their own signed, expiring links and are never served here.
IMAGE_FOLDERS = ("cars/photos/", "tires/", "accumulators/", "recorders/")


def media_file(request, schema: str, path: str):
    """An image of this company's media folder. The names are random (see `images.py`), so a
    link works like a capability: an `<img src>` can show it without a token, and only a holder
    of the link can. Another company's folder is a 404 on this host."""
    # Only a path that is already normal names a file inside an image folder: `..`, `.` and
    # doubled slashes (also sent as `%2f`) could climb out of it into the exports.
    if (
        schema != connection.schema_name
        or posixpath.normpath(path) != path
        or not path.startswith(IMAGE_FOLDERS)
    ):
        return not_found_view(request)  # the JSON 404, also with DEBUG on
    try:
        handle = default_storage.open(path)
    except (OSError, ValueError, SuspiciousFileOperation):  # missing, a folder, a bad name
        return not_found_view(request)
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"
    return response
