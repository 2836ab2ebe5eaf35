from django.urls import path

from bench.server import views
from config.urls_tenant import urlpatterns as company_urlpatterns

urlpatterns = [
    path("bare/cars/", views.bare_cars),
    path("bare/fuel-records/", views.bare_fuel_records),
    *company_urlpatterns,
]
