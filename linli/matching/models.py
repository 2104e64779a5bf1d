"""The resource pool (MATCH-1), needs and offers (MATCH-2), matching runs and invitations
(MATCH-3), venue bookings (MATCH-4) and partners (MATCH-5).

Bookings never overlap: on PostgreSQL an exclusion constraint on (resource, time range) added
by migration 0002; on SQLite the booking service serialises writers on the resource row and
checks the same condition (see services/bookings.py)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.base import BaseModel
from linli.core.roles import Role
from linli.geo.scope import Scope
from linli.matching.choices import (
    BookingStatus,
    CalendarRule,
    ContributionKind,
    MatchStatus,
    NeedStatus,
    OwnerKind,
    PartnerKind,
    ResourceKind,
    ResourceStatus,
    RunStatus,
    Skill,
)
from linli.matching.scoring import FILTER_LABELS

ALL_SEEING = (Role.SYSADMIN, Role.SUPERVISOR, Role.EVALUATOR)


def _active(actor: Any) -> bool:
    return bool(actor is not None and actor.is_authenticated and actor.is_active)


def _staff_q(actor: Any, community_path: str) -> Q:
    """Rows of the communities the actor works in, in their role (staff, street officers)."""
    ids = list(Scope.for_actor(actor).communities().values_list("pk", flat=True))
    return Q(**{f"{community_path}__in": ids}) if ids else Q(pk__in=[])


class Partner(BaseModel):
    """社区合伙人: a business, social organisation or property company working with a
    community. Its account (role partner) lists resources and earns points."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=PartnerKind.choices)
    community = models.ForeignKey("geo.Community", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partners",
    )
    # Social organisations reserve 20-30% of their posts for local residents (§7.3).
    posts_total = models.PositiveIntegerField(_("岗位数"), default=0)
    posts_local = models.PositiveIntegerField(_("本社区居民任职数"), default=0)
    active = models.BooleanField(_("合作中"), default=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                name="matching_partner_local_le_total",
                condition=Q(posts_local__lte=models.F("posts_total")),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def local_share(self) -> float | None:
        return self.posts_local / self.posts_total if self.posts_total else None


class Contribution(BaseModel):
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="contributions")
    kind = models.CharField(_("贡献类型"), max_length=20, choices=ContributionKind.choices)
    description = models.CharField(_("内容"), max_length=200)
    value_fen = models.PositiveBigIntegerField(_("折合金额(分)"), default=0)
    on = models.DateField(_("日期"))
    points = models.PositiveIntegerField(_("社会责任积分"), default=0)
    transaction_id = models.BigIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-on", "-id"]


class ResourceQuerySet(models.QuerySet["Resource"]):
    def visible_to(self, actor: Any) -> "ResourceQuerySet":
        """Approved resources of the actor's community are listed to everyone signed in
        (residents read them as "offers near me"); staff see their communities' pool in
        every status; owners see their own."""
        if not _active(actor):
            return self.none()
        if actor.role in ALL_SEEING:
            return self.all()
        q = Q(owner_user=actor) | Q(partner__user=actor) | _staff_q(actor, "community_id")
        q |= Q(status=ResourceStatus.APPROVED)
        return self.filter(q)


class Resource(BaseModel):
    kind = models.CharField(_("资源类型"), max_length=20, choices=ResourceKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    owner_kind = models.CharField(_("所有者"), max_length=20, choices=OwnerKind.choices)
    # The person (kind person: the volunteer, doctor or lawyer themselves) or resident owner.
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matching_resources",
    )
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="resources"
    )
    community = models.ForeignKey("geo.Community", on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(
        "geo.Grid", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    category = models.CharField(_("类别"), max_length=20, choices=Skill.choices)
    skills = models.JSONField(_("其他技能"), default=list, blank=True)
    capacity = models.PositiveIntegerField(_("容量"), default=1)
    conditions = models.CharField(_("资源换服务条件"), max_length=200, blank=True)
    points_asked = models.PositiveIntegerField(_("所需积分"), default=0)
    # Weekly hours: [[weekday 0=Mon, "HH:MM", "HH:MM"], ...], on the calendar days below.
    hours = models.JSONField(_("开放时段"), default=list, blank=True)
    calendar_rule = models.CharField(
        _("适用日期"), max_length=20, choices=CalendarRule.choices, default=CalendarRule.ALL
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ResourceStatus.choices, default=ResourceStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Attendance: reliability follows from it (services/attendance.py).
    served_count = models.PositiveIntegerField(default=0)
    no_show_count = models.PositiveIntegerField(default=0)
    # Bumped by every booking: the write that serialises bookers of this resource on SQLite.
    booking_seq = models.PositiveBigIntegerField(default=0)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("社区资源")
        verbose_name_plural = _("社区资源")
        ordering = ["community_id", "kind", "name", "id"]
        indexes = [models.Index(fields=["community", "kind", "status"], name="matching_pool_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def reliability(self) -> float:
        """Share of attended services, smoothed so a newcomer starts at 0.5 (not 0 or 1)."""
        return (self.served_count + 1) / (self.served_count + self.no_show_count + 2)

    def has_skill(self, skill: str) -> bool:
        return skill == self.category or skill in (self.skills or [])


class ResourceClosure(BaseModel):
    """An exception to the weekly hours: the resource is closed that day."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="closures")
    day = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=100, blank=True)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "day"], name="matching_closure_once")
        ]


class Offer(BaseModel):
    """An owner publishes what their resource offers for a while ("free repairs on Sat")."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="offers")
    title = models.CharField(_("标题"), max_length=100)
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["starts_at", "id"]


class NeedQuerySet(models.QuerySet["Need"]):
    def visible_to(self, actor: Any) -> "NeedQuerySet":
        """The requester and who entered it (代办), staff of its community, and volunteers
        invited to it see a need."""
        if not _active(actor):
            return self.none()
        if actor.role in ALL_SEEING:
            return self.all()
        q = Q(requester=actor) | Q(entered_by=actor) | _staff_q(actor, "community_id")
        q |= Q(matches__volunteer=actor)
        return self.filter(pk__in=self.filter(q).values("pk"))


class Need(BaseModel):
    community = models.ForeignKey("geo.Community", on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(
        "geo.Grid", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The person served (their priority is read through the people selectors).
    resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_case = models.ForeignKey(
        "casework.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    skill = models.CharField(_("需要的服务"), max_length=20, choices=Skill.choices)
    title = models.CharField(_("需求"), max_length=100)
    detail = models.CharField(_("补充说明"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    max_distance_m = models.PositiveIntegerField(_("距离上限(米)"), default=3000)
    people = models.PositiveIntegerField(_("人数"), default=1)
    urgent = models.BooleanField(_("紧急"), default=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    # The hard filter that removed every candidate (scoring.FILTER_LABELS), or "cap".
    unmatched_reason = models.CharField(max_length=200, blank=True)
    service_record_id = models.BigIntegerField(null=True, blank=True)

    objects = NeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务需求")
        verbose_name_plural = _("服务需求")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(
                fields=["community", "starts_at"],
                name="matching_open_need_idx",
                condition=Q(status__in=["open", "unmatched"]),
            )
        ]
        constraints = [
            models.CheckConstraint(
                name="matching_need_ends_after_start",
                condition=Q(ends_at__gt=models.F("starts_at")),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def unmatched_label(self) -> str:
        code = self.unmatched_reason
        return str(FILTER_LABELS.get(code, code)) if code else ""


class MatchRun(BaseModel):
    """One run of the solver over a community and a time window; staff review the proposed
    assignment before it is sent as invitations."""

    community = models.ForeignKey("geo.Community", on_delete=models.PROTECT, related_name="+")
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    cap = models.PositiveSmallIntegerField(default=3)
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.PROPOSED)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    stats = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class MatchQuerySet(models.QuerySet["Match"]):
    def visible_to(self, actor: Any) -> "MatchQuerySet":
        if not _active(actor):
            return self.none()
        if actor.role in ALL_SEEING:
            return self.all()
        q = Q(volunteer=actor) | _staff_q(actor, "need__community_id")
        q |= Q(need__requester=actor, status__in=["accepted", "served", "no_show"])
        return self.filter(q)


class Match(BaseModel):
    """A proposed pair, then an invitation the volunteer answers. Its score is stored term by
    term (they add up to `score`), with why the runner-up lost."""

    run = models.ForeignKey(
        MatchRun, null=True, blank=True, on_delete=models.CASCADE, related_name="matches"
    )
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="matches")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="matches")
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="matching_invitations"
    )
    score = models.FloatField()
    terms = models.JSONField(default=dict)
    runner_up = models.JSONField(default=dict, blank=True)
    # Why this volunteer: a term the runner-up lost on, or only/elsewhere/fairness/urgent/next
    # (the sentence is written when shown, in the reader's language).
    why = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=20, choices=MatchStatus.choices, default=MatchStatus.PROPOSED
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = MatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # First acceptance wins: the database keeps at most one accepted match a need.
            models.UniqueConstraint(
                fields=["need"],
                condition=Q(status__in=["accepted", "served", "no_show"]),
                name="matching_one_accepted",
            ),
            models.UniqueConstraint(fields=["need", "resource"], name="matching_pair_once"),
        ]


class BookingQuerySet(models.QuerySet["Booking"]):
    def visible_to(self, actor: Any) -> "BookingQuerySet":
        if not _active(actor):
            return self.none()
        if actor.role in ALL_SEEING:
            return self.all()
        q = Q(booked_by=actor) | _staff_q(actor, "resource__community_id")
        q |= Q(resource__owner_user=actor) | Q(resource__partner__user=actor)
        return self.filter(q)


class Booking(BaseModel):
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="bookings")
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    people = models.PositiveIntegerField(_("人数"), default=1)
    purpose = models.CharField(_("用途"), max_length=100)
    status = models.CharField(
        _("状态"), max_length=20, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    series = models.CharField(max_length=32, blank=True, db_index=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    used_people = models.PositiveIntegerField(null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("场地预约")
        verbose_name_plural = _("场地预约")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["resource", "starts_at"], name="matching_booking_idx")]
        constraints = [
            models.CheckConstraint(
                name="matching_booking_ends_after_start",
                condition=Q(ends_at__gt=models.F("starts_at")),
            )
        ]
