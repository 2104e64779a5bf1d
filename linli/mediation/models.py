"""Disputes under people's mediation (MEDIATE-1): parties, mediators, stage stamps,
sessions, the agreement (Art. 29) and follow-up visits. Every personal or sensitive text is
ciphertext at rest; nothing here is public."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.base import BaseModel
from linli.core.crypto import EncryptedTextField
from linli.core.roles import Role
from linli.geo.scope import Scope
from linli.mediation.choices import (
    DisputeType,
    Fulfilment,
    MediatorKind,
    Outcome,
    Side,
    Source,
    Stage,
    Status,
)


class Mediator(BaseModel):
    """A user who mediates: for one community, or for every community of a street (the
    judicial, police and lawyer mediators a street office shares)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mediator"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=MediatorKind.choices)
    specialities = models.JSONField(_("擅长类型"), default=list, blank=True)
    community = models.ForeignKey(
        "geo.Community", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    street = models.ForeignKey(
        "geo.Street", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("调解员")
        verbose_name_plural = _("调解员")
        constraints = [
            models.CheckConstraint(
                name="mediation_mediator_serves_a_place",
                condition=Q(community__isnull=False) | Q(street__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.display_name}({self.get_kind_display()})"

    def serves(self, community: Any) -> bool:
        return self.community_id == community.pk or self.street_id == community.street_id

    def handles(self, dispute_type: str) -> bool:
        """No specialities listed: a generalist who takes any type."""
        return not self.specialities or dispute_type in self.specialities


class DisputeQuerySet(models.QuerySet["Dispute"]):
    def visible_to(self, actor: Any) -> "DisputeQuerySet":
        """Disputes are sensitive: the assigned mediators, the community secretary, the
        staff member who registered it and the parties (their own only) see one. Nobody
        else, whatever their role; nothing is public."""
        if actor is None or not actor.is_authenticated or not actor.is_active:
            return self.none()
        if actor.role == Role.SYSADMIN:
            return self.all()
        q = Q(mediators__mediator__user=actor) | Q(entered_by=actor)
        q |= Q(parties__resident__user=actor)
        scope = Scope.for_actor(actor)
        if actor.role == Role.SECRETARY and scope.secretary_of:
            q |= Q(community_id__in=sorted(scope.secretary_of))
        return self.filter(pk__in=self.filter(q).values("pk"))


class Dispute(BaseModel):
    number = models.CharField(_("编号"), max_length=20, unique=True)
    community = models.ForeignKey("geo.Community", on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(
        "geo.Building", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    type = models.CharField(_("纠纷类型"), max_length=20, choices=DisputeType.choices)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    source_case = models.ForeignKey(
        "casework.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = EncryptedTextField(_("纠纷简要情况"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.REGISTERED
    )
    outcome = models.CharField(_("结果"), max_length=20, choices=Outcome.choices, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Deadlines (working days, exclusive: late from `due` on). The accept deadline runs
    # until acceptance; then the conclude deadline (moved by an extension).
    accept_due = models.DateTimeField(_("受理期限"))
    conclude_due = models.DateTimeField(_("办结期限"), null=True, blank=True)
    extension_reason = EncryptedTextField(_("延期理由"))
    warned_at = models.DateTimeField(null=True, blank=True)
    overdue = models.BooleanField(_("已超期"), default=False)
    accepted_at = models.DateTimeField(null=True, blank=True)
    concluded_at = models.DateTimeField(_("结案时间"), null=True, blank=True, db_index=True)
    close_reason = EncryptedTextField(_("不予受理、调解不成或撤回的原因"))
    # Same parties and type within six months: flagged, pointing at the earlier dispute.
    recurring_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="recurrences"
    )

    objects = DisputeQuerySet.as_manager()

    class Meta:
        verbose_name = _("矛盾纠纷")
        verbose_name_plural = _("矛盾纠纷")
        indexes = [
            models.Index(
                fields=["status", "accept_due"],
                name="mediation_open_idx",
                condition=Q(
                    status__in=["registered", "accepted", "investigating", "mediating", "assessing"]
                ),
            )
        ]

    def __str__(self) -> str:
        return self.number


class DisputeParty(BaseModel):
    """A party: a resident (through the people app) or an outside person by name and phone."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="parties")
    side = models.CharField(_("身份"), max_length=20, choices=Side.choices)
    resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = EncryptedTextField(_("姓名"))
    phone = EncryptedTextField(_("电话"))
    phone_masked = models.CharField(max_length=13, blank=True)
    # Keyed hash of the phone: recognises the same outside party in a later dispute.
    phone_index = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="mediation_party_resident_or_name",
                condition=Q(resident__isnull=False) | ~Q(name=""),
            ),
            models.UniqueConstraint(
                fields=["dispute", "resident"],
                condition=Q(resident__isnull=False),
                name="mediation_party_once",
            ),
        ]

    @property
    def display_name(self) -> str:
        return self.resident.full_name if self.resident is not None else str(self.name)


class DisputeMediator(BaseModel):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="mediators")
    mediator = models.ForeignKey(Mediator, on_delete=models.PROTECT, related_name="assignments")
    lead = models.BooleanField(_("主调解员"), default=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-lead", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "mediator"], name="mediation_assign_once"),
            models.UniqueConstraint(
                fields=["dispute"], condition=Q(lead=True), name="mediation_one_lead"
            ),
        ]


class StageStamp(BaseModel):
    """When a dispute entered (or skipped) a stage: one row per stage, never two."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="stamps")
    stage = models.PositiveSmallIntegerField(_("阶段"), choices=Stage.choices)
    at = models.DateTimeField(_("时间"))
    skipped = models.BooleanField(_("跳过"), default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = EncryptedTextField(_("说明"))

    class Meta:
        ordering = ["stage"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "stage"], name="mediation_stage_once")
        ]


class MediationSession(BaseModel):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="sessions")
    held_at = models.DateTimeField(_("调解时间"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    attendees = EncryptedTextField(_("参加人员"))
    notes = EncryptedTextField(_("调解记录"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["held_at", "id"]


class Agreement(BaseModel):
    """人民调解协议书 (Art. 29): parties, facts, responsibilities, obligations with how and
    when they are performed. Parties sign the printed PDF; the scan's hash is kept."""

    dispute = models.OneToOneField(Dispute, on_delete=models.CASCADE, related_name="agreement")
    facts = EncryptedTextField(_("纠纷的主要事实和争议事项"))
    responsibilities = EncryptedTextField(_("各方当事人的责任"))
    # [{"party": DisputeParty id, "duty": text, "how": text, "by": "YYYY-MM-DD"}], as JSON.
    obligations = EncryptedTextField(_("协议内容与履行方式、期限"))
    court_confirmation = models.BooleanField(_("申请司法确认"), default=False)
    signed_at = models.DateTimeField(_("签字时间"), null=True, blank=True)
    scan_sha256 = models.CharField(_("签字协议 SHA-256"), max_length=64, blank=True)
    scan_type = models.CharField(max_length=40, blank=True)
    scan = models.BinaryField(null=True, blank=True, editable=False)
    # Art. 33: 30 days to ask a court; reminded on day 20 when the parties want it.
    court_remind_at = models.DateTimeField(null=True, blank=True)
    court_reminded_at = models.DateTimeField(null=True, blank=True)


class FollowUp(BaseModel):
    """回访 after an agreement, at 30 and at 90 days: was it performed?"""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="follow_ups")
    stage = models.PositiveSmallIntegerField(
        choices=[
            (Stage.FOLLOW_UP_30, Stage.FOLLOW_UP_30.label),
            (Stage.FOLLOW_UP_90, Stage.FOLLOW_UP_90.label),
        ]
    )
    due_at = models.DateTimeField(_("应回访时间"))
    visited_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    fulfilment = models.CharField(
        _("履行情况"), max_length=20, choices=Fulfilment.choices, blank=True
    )
    note = EncryptedTextField(_("回访记录"))
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["stage"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "stage"], name="mediation_follow_up_once")
        ]
