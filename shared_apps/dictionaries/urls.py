from django.urls import path

from . import views

urlpatterns = [
    path("dictionaries/", views.DictionariesView.as_view(), name="dictionaries"),
    path("dictionaries/<str:name>/", views.DictionaryView.as_view(), name="dictionary"),
]
