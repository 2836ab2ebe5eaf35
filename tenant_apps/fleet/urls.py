from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("cars/photos", views.CarPhotoViewSet, basename="car-photo")
router.register("cars", views.CarViewSet, basename="car")
router.register("spares", views.SpareViewSet, basename="spare")
router.register("tires", views.TiresViewSet, basename="tires")
router.register("accumulators", views.AccumulatorViewSet, basename="accumulator")
router.register("fuel-records", views.FuelRecordViewSet, basename="fuel-record")
router.register("insurances", views.InsuranceViewSet, basename="insurance")
router.register("inspections", views.InspectionViewSet, basename="inspection")
router.register("recorders", views.RecorderViewSet, basename="recorder")
router.register("kits", views.KitViewSet, basename="kit")
router.register("monthly-mileages", views.MonthlyMileageViewSet, basename="monthly-mileage")
router.register("maintenance-plans", views.MaintenancePlanViewSet, basename="maintenance-plan")

urlpatterns = router.urls

media_urlpatterns = [
    path("media/<str:schema>/<path:path>", views.media_file, name="media-file"),
]
