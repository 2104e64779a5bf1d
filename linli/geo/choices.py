from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    GOVERNMENT = "government", _("职能部门")
    STREET_OFFICE = "street_office", _("街道办")
    COMMUNITY = "community", _("社区居委会")
    PROPERTY = "property", _("物业公司")
    UTILITY = "utility", _("公用事业单位")
    SOCIAL_ORG = "social_org", _("社会组织")


class HandlingLevel(models.TextChoices):
    """Where a matter is settled (CASE-7): 小事不出楼栋,大事不出社区."""

    GRID = "grid", _("楼栋/网格")
    COMMUNITY = "community", _("社区")
    STREET = "street", _("街道/部门")
