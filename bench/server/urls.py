from django.urls import path

from bench.server import views
from bench.server.sql import QUERIES
from config.urls_tenant import urlpatterns as company_urlpatterns

urlpatterns = [
    *(path(f"bare/{name}/", views.bare_list, {"name": name}) for name in QUERIES),
    *company_urlpatterns,
]
