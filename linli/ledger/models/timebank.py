"""Time bank 时间银行 (LEDGER-1): hours served, confirmed by the person served, then deposited
as time credits (minutes); service requests paid with credits. Family links (for gifts) are
people's `Contact` (the one family relation)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.base import BaseModel


class RecordStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    DISPUTED = "disputed", _("有异议")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("等待志愿者")
    TAKEN = "taken", _("服务待确认")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class ServiceRequest(BaseModel):
    """A resident asks for a service and pays with time credits, held when asked: on
    confirmation the held credits go to the volunteer who served (the rest come back)."""

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_requests"
    )
    community = models.ForeignKey("geo.Community", on_delete=models.PROTECT, related_name="+")
    service = models.CharField("需要的服务", max_length=100)
    note = models.CharField("说明", max_length=300, blank=True)
    minutes = models.PositiveIntegerField("预计时长(分钟)")
    status = models.CharField(
        "状态", max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    hold = models.ForeignKey("ledger.Transaction", on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=100, unique=True)

    class Meta:
        verbose_name = "服务兑换申请"
        verbose_name_plural = "服务兑换申请"
        indexes = [models.Index(fields=["community", "status"], name="ledger_req_open")]

    def __str__(self) -> str:
        return self.service


class ServiceRecord(BaseModel):
    """Hours a volunteer served. Credits are deposited only once the person served (or the
    grid worker of their grid, for elderly people without a phone) confirms."""

    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_records"
    )
    resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    served_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="time_services_received",
    )
    request = models.ForeignKey(
        ServiceRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    community = models.ForeignKey("geo.Community", on_delete=models.PROTECT, related_name="+")
    # The grid of the person served: whose grid worker may confirm for them.
    grid = models.ForeignKey(
        "geo.Grid", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    served_on = models.DateField("服务日期")
    minutes = models.PositiveIntegerField("服务时长(分钟)")
    service = models.CharField("服务内容", max_length=100)
    note = models.CharField("备注", max_length=300, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=RecordStatus.choices, default=RecordStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    dispute_reason = models.CharField("异议原因", max_length=300, blank=True)
    deposit = models.ForeignKey(
        "ledger.Transaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=100, unique=True)

    class Meta:
        verbose_name = "志愿服务记录"
        verbose_name_plural = "志愿服务记录"
        indexes = [
            models.Index(fields=["grid", "status"], name="ledger_rec_grid_status"),
            models.Index(fields=["volunteer", "-id"], name="ledger_rec_volunteer"),
        ]
        constraints = [
            models.CheckConstraint(
                name="ledger_record_served_someone",
                condition=Q(resident__isnull=False) | Q(served_user__isnull=False),
            ),
            models.CheckConstraint(
                name="ledger_record_minutes_range", condition=Q(minutes__gte=1, minutes__lte=720)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.minutes} 分钟"
