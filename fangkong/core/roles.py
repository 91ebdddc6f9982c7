"""The roles of DESIGN.md. Each is a Django group of the same name, made by a data migration."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICE = "office", _("Prevention & control office")
    LEADER = "leader", _("School leader")
    OFFICER = "officer", _("Information officer")
    STOREKEEPER = "storekeeper", _("Storekeeper")
    GUARD = "guard", _("Gate guard")
    DISINFECTOR = "disinfector", _("Disinfection crew")
    MEDIC = "medic", _("School hospital")
    MEMBER = "member", _("Member")
