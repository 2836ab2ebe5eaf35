"""The six company roles and the groups of them that CONTRACT §6 grants writes to."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COMPANY_ADMIN = "COMPANY_ADMIN", _("Company admin")
    DISPATCHER = "DISPATCHER", _("Dispatcher")
    MECHANIC = "MECHANIC", _("Mechanic")
    DRIVER = "DRIVER", _("Driver")
    ACCOUNTANT = "ACCOUNTANT", _("Accountant")
    GUEST = "GUEST", _("Guest")


ALL_ROLES = frozenset(Role.values)
ADMINS = frozenset({Role.COMPANY_ADMIN})
FLEET_MANAGERS = frozenset({Role.COMPANY_ADMIN, Role.DISPATCHER})
MAINTENANCE_STAFF = FLEET_MANAGERS | {Role.MECHANIC}
FINANCE_STAFF = FLEET_MANAGERS | {Role.ACCOUNTANT}
