"""Access grants for protected tiers (PEOPLE-3) and residents' correction requests (PEOPLE-7)."""

from django.conf import settings
from django.db import models

from linli.core.base import BaseModel
from linli.core.crypto import EncryptedTextField
from linli.people.choices import CorrectionStatus, GrantStatus


class AccessGrant(BaseModel):
    """A staff member's request to see identity / health / finance data of one resident, with a
    purpose; the community secretary decides; it lapses at `expires_at` or when revoked."""

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_grants"
    )
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.CASCADE, related_name="access_grants"
    )
    tiers = models.JSONField("申请查看", default=list)
    purpose = models.CharField("用途", max_length=200)
    case = models.ForeignKey(
        "casework.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    days = models.PositiveSmallIntegerField("有效天数", default=7)
    status = models.CharField(
        "状态", max_length=10, choices=GrantStatus.choices, default=GrantStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True, db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requester", "resident", "status"])]
        verbose_name = "数据访问申请"
        verbose_name_plural = "数据访问申请"

    def __str__(self) -> str:
        return f"grant #{self.pk}"


class CorrectionRequest(BaseModel):
    """A resident asks for a correction; it becomes a task for the community workers."""

    resident = models.ForeignKey(
        "people.Resident", on_delete=models.CASCADE, related_name="corrections"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    field = models.CharField("要更正的项目", max_length=30)
    # What the resident wrote may itself be personal data (a new phone number).
    message = EncryptedTextField("更正内容")
    status = models.CharField(
        "状态", max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.OPEN
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    reply = models.CharField("答复", max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "信息更正申请"
        verbose_name_plural = "信息更正申请"

    def __str__(self) -> str:
        return f"correction #{self.pk}"
