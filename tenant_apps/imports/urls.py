from django.urls import re_path
from rest_framework.routers import SimpleRouter

from . import views
from .columns import ENTITIES

router = SimpleRouter()
router.register("imports", views.ImportJobViewSet, basename="import")

urlpatterns = [
    re_path(
        rf"^imports/templates/(?P<entity>{'|'.join(ENTITIES)})\.xlsx$",
        views.ImportTemplateView.as_view(),
        name="import-template",
    ),
    *router.urls,
]
