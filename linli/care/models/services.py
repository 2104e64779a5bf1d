"""One-key calls and home services (CARE-6, CARE-7).

A press of a call button is kept as a `CallPress`: which alert it raised or joined, which case
it opened, and whether it was a duplicate (a second press within minutes of one already being
handled), so that duplicates are counted rather than silently lost.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.care.models import reach
from linli.core.base import BaseModel

__all__ = ["CallPress", "HomeService", "ServiceKind"]


class ServiceKind(models.TextChoices):
    """Home services. The first three are the ability tiers of §7.4 (CARE-7)."""

    CARE_PACK = "care_pack", _("照护包")
    BATHING = "bathing", _("上门助浴")
    MEDICAL_LINK = "medical_link", _("医养结合转介")
    CLEANING = "cleaning", _("上门保洁")
    MEALS = "meals", _("送餐上门")
    HEALTH_VISIT = "health_visit", _("健康随访")
    COMPANY = "company", _("探访陪伴")


class HomeServiceQuerySet(models.QuerySet["HomeService"]):
    def visible_to(self, actor: Any) -> "HomeServiceQuerySet":
        """Home services of the people in the staff actor's place (family see counts on
        their page, not the records)."""
        return self.filter(reach.staff_q(actor, "resident__household__building__grid"))


class HomeService(BaseModel):
    """One home service given to one person (§4.1: people living alone get at least two a
    month)."""

    resident = models.ForeignKey(
        "people.Resident",
        on_delete=models.PROTECT,
        related_name="home_services",
        verbose_name=_("服务对象"),
    )
    kind = models.CharField(_("服务项目"), max_length=20, choices=ServiceKind.choices)
    provided_at = models.DateTimeField(_("服务时间"))
    provider_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("服务人员账号"),
    )
    provider_name = models.CharField(_("服务人员或单位"), max_length=100)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )

    objects = HomeServiceQuerySet.as_manager()

    class Meta:
        constraints = [
            # The same service entered twice (a double tap) is one service.
            models.UniqueConstraint(
                fields=["resident", "kind", "provided_at"], name="care_home_service_once"
            )
        ]
        indexes = [models.Index(fields=["resident", "provided_at"], name="care_service_res_at")]
        verbose_name = _("上门服务记录")
        verbose_name_plural = _("上门服务记录")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.provided_at:%Y-%m-%d}"


class CallPress(models.Model):
    """One press of a one-key call button, as ingest accepted it."""

    id = models.BigAutoField(primary_key=True)
    device = models.ForeignKey("care.Device", on_delete=models.PROTECT, related_name="presses")
    household = models.ForeignKey("geo.Household", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("呼叫时间"))
    received_at = models.DateTimeField(_("处理时间"))
    alert = models.ForeignKey(
        "care.Alert", null=True, on_delete=models.SET_NULL, related_name="presses"
    )
    case = models.ForeignKey(
        "casework.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # True: a repeat within the duplicate window of a call already being handled.
    duplicate = models.BooleanField(_("重复按键"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "at"], name="care_call_press_once")
        ]
        indexes = [models.Index(fields=["household", "at"], name="care_press_household_at")]
        verbose_name = _("一键呼叫记录")
        verbose_name_plural = _("一键呼叫记录")

    def __str__(self) -> str:
        return f"call {self.device_id}@{self.at:%Y-%m-%d %H:%M:%S}"
