from django.db import models


class DepartmentKind(models.TextChoices):
    GOVERNMENT = "government", "职能部门"
    STREET_OFFICE = "street_office", "街道办"
    COMMUNITY = "community", "社区居委会"
    PROPERTY = "property", "物业公司"
    UTILITY = "utility", "公用事业单位"
    SOCIAL_ORG = "social_org", "社会组织"


class HandlingLevel(models.TextChoices):
    """Where a matter is settled (CASE-7): 小事不出楼栋,大事不出社区."""

    GRID = "grid", "楼栋/网格"
    COMMUNITY = "community", "社区"
    STREET = "street", "街道/部门"
