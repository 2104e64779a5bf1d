from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    """The two exceptions to the Monday–Friday rule."""

    HOLIDAY = "holiday", _("放假(工作日休息)")
    WORKDAY = "workday", _("调休上班(周末上班)")


ADMIN_SOURCE = "admin"
