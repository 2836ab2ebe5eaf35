from django.urls import path

from . import views

urlpatterns = [
    path("company/", views.CompanySettingsView.as_view(), name="company-settings"),
]
