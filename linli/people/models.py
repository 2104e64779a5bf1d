"""Resident records. The foundation keeps only basic, non-sensitive fields; sensitive data
(ID number, phone, health, finances) arrives encrypted with PEOPLE-2."""

from django.conf import settings
from django.db import models

from linli.core.base import BaseModel


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Resident(BaseModel):
    household = models.ForeignKey(
        "geo.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="residents"
    )
    full_name = models.CharField("姓名", max_length=50)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField("出生年份")
    is_head = models.BooleanField("户主", default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resident",
    )

    class Meta:
        verbose_name = "居民"
        verbose_name_plural = "居民"

    def __str__(self) -> str:
        return self.full_name
