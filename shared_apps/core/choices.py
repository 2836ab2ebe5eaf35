from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    RU = "ru", _("Russian")
    EN = "en", _("English")
    KY = "ky", _("Kyrgyz")
