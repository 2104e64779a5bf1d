"""Deliberation (VOTE-1..6, MATCH-6): bodies and their electorates, threshold rules as data,
topics, votes with a frozen electorate, ballots (one per voting unit across channels, the
secret ones split so no row links a voter to a choice), meetings, decisions, observers."""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.base import BaseModel
from linli.core.roles import Role
from linli.deliberation.choices import (
    Base,
    BodyKind,
    Channel,
    DecisionStatus,
    Electorate,
    Measure,
    MeetingKind,
    Op,
    ProfessionalKind,
    TopicStatus,
    VoteKind,
    VoteStatus,
)
from linli.geo.scope import Scope
from linli.people.selectors import resident_of_user

STAFF_ROLES = (Role.COMMUNITY_WORKER, Role.SECRETARY, Role.STREET_ADMIN, Role.GRID_WORKER)


def community_q(actor: Any, path: str = "community") -> Q:
    """Rows of the communities the actor works in or lives in (deliberation is open to the
    community: residents see their own community's bodies, votes and meetings)."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return Q(pk__in=[])
    if actor.role in (Role.SYSADMIN, Role.SUPERVISOR, Role.EVALUATOR):
        return Q()
    ids = set(Scope.for_actor(actor).communities().values_list("pk", flat=True))
    me = resident_of_user(actor)
    if me is not None and me.community_id is not None:
        ids.add(me.community_id)
    return Q(**{f"{path}_id__in" if path else "pk__in": sorted(ids)})


class CommunityQuerySet(models.QuerySet[Any]):
    path = "community"

    def visible_to(self, actor: Any) -> "CommunityQuerySet":
        return self.filter(community_q(actor, self.path))


class Body(BaseModel):
    community = models.ForeignKey("geo.Community", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=20, choices=BodyKind.choices)
    name = models.CharField(_("名称"), max_length=60)
    electorate = models.CharField(_("表决单位"), max_length=20, choices=Electorate.choices)
    active = models.BooleanField(_("在用"), default=True)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("议事机构")
        verbose_name_plural = _("议事机构")
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="deliberation_body_name")
        ]

    def __str__(self) -> str:
        return self.name


class BodyMember(BaseModel):
    """A member (committee, council, hearing) or an owner with the floor area of their home
    (owners' assembly). Household assemblies need no rows: every household of the community."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="members")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "geo.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    floor_area = models.DecimalField(_("专有面积(㎡)"), max_digits=9, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["body", "resident"], name="deliberation_member_once")
        ]


class ThresholdRule(BaseModel):
    """Quorum and majority as data. Each is `num/den` of a base (the electorate, the
    participants, or those voting yes or no), compared with ≥ or >, over head count, floor
    area, or both (Civil Code Art. 278's double majority). Quorum 0/1 means none."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    note = models.CharField(_("依据"), max_length=200, blank=True)
    quorum_num = models.PositiveIntegerField(_("法定人数分子"), default=0)
    quorum_den = models.PositiveIntegerField(_("法定人数分母"), default=1)
    quorum_op = models.CharField(max_length=2, choices=Op.choices, default=Op.GE)
    majority_num = models.PositiveIntegerField(_("通过比例分子"))
    majority_den = models.PositiveIntegerField(_("通过比例分母"))
    majority_op = models.CharField(max_length=2, choices=Op.choices, default=Op.GE)
    majority_base = models.CharField(max_length=20, choices=Base.choices)
    measure = models.CharField(max_length=10, choices=Measure.choices, default=Measure.COUNT)
    abstain_in_quorum = models.BooleanField(_("弃权计入参与人数"), default=True)
    abstain_in_majority = models.BooleanField(_("弃权计入通过基数"), default=False)

    class Meta:
        verbose_name = _("表决规则")
        verbose_name_plural = _("表决规则")
        constraints = [
            models.CheckConstraint(
                name="deliberation_rule_fractions",
                condition=Q(quorum_den__gt=0, majority_den__gt=0, majority_num__gt=0)
                & Q(quorum_num__lte=models.F("quorum_den"))
                & Q(majority_num__lte=models.F("majority_den")),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """A preset still under its own name is shown in the reader's language."""
        from linli.deliberation.thresholds import preset_label

        return preset_label(self.code, self.name)


class Topic(BaseModel):
    community = models.ForeignKey("geo.Community", on_delete=models.PROTECT, related_name="+")
    body = models.ForeignKey(Body, null=True, blank=True, on_delete=models.PROTECT)
    title = models.CharField(_("议题"), max_length=100)
    text = models.TextField(_("说明"), blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=TopicStatus.choices, default=TopicStatus.OPEN)
    # Decision boundary (§5.4): professional matters need an expert's opinion before any
    # vote opens, and their vote is advisory.
    professional = models.CharField(
        _("专业事项"), max_length=20, choices=ProfessionalKind.choices, blank=True
    )
    expert_name = models.CharField(_("专家"), max_length=60, blank=True)
    expert_opinion = models.TextField(_("专家意见"), blank=True)
    expert_at = models.DateTimeField(null=True, blank=True)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]


class TopicComment(BaseModel):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("意见"))

    class Meta:
        ordering = ["created_at", "id"]


class VoteQuerySet(CommunityQuerySet):
    path = "body__community"


class Vote(BaseModel):
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="votes")
    kind = models.CharField(max_length=10, choices=VoteKind.choices, default=VoteKind.DECISION)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.PROTECT)
    meeting = models.ForeignKey(
        "Meeting", null=True, blank=True, on_delete=models.PROTECT, related_name="votes"
    )
    question = models.CharField(_("表决事项"), max_length=200)
    rule = models.ForeignKey(ThresholdRule, on_delete=models.PROTECT, related_name="+")
    secret = models.BooleanField(_("无记名投票"), default=False)
    advisory = models.BooleanField(_("仅供参考(专业事项)"), default=False)
    max_choices = models.PositiveSmallIntegerField(default=1)  # menu: how many to approve
    winners = models.PositiveSmallIntegerField(default=0)  # menu: how many make the menu
    # menu: ranked ballots (Borda: first choice max_choices points, then one fewer each);
    # otherwise approval (each item chosen counts one)
    ranked = models.BooleanField(_("排序投票"), default=False)
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    status = models.CharField(max_length=20, choices=VoteStatus.choices, default=VoteStatus.DRAFT)
    # Frozen when voting opens: units and their total floor area (hundredths of ㎡).
    electorate_size = models.PositiveIntegerField(default=0)
    electorate_area = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.JSONField(null=True, blank=True)  # the published tally
    published_at = models.DateTimeField(null=True, blank=True)

    objects = VoteQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="deliberation_vote_window", condition=Q(closes_at__gt=models.F("opens_at"))
            )
        ]

    def __str__(self) -> str:
        return self.question


class MenuItem(BaseModel):
    """A candidate activity of a menu vote (MATCH-6)."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("活动"), max_length=80)
    chosen = models.BooleanField(_("入选菜单"), default=False)
    # Where and when it would run: a winner's venue is booked through matching on publish.
    venue = models.ForeignKey(
        "matching.Resource", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    people = models.PositiveIntegerField(default=0)
    booking = models.ForeignKey(
        "matching.Booking", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    booking_problem = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]


class Elector(models.Model):
    """A voting unit of a vote's frozen electorate: a member, a household or an owner's
    home. `key` is "r<resident>" or "h<household>"."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="electors")
    key = models.CharField(max_length=20)
    label = models.CharField(max_length=120)
    household = models.ForeignKey(
        "geo.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    building = models.ForeignKey(
        "geo.Building", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area = models.BigIntegerField(default=0)  # hundredths of ㎡

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "key"], name="deliberation_elector_once")
        ]

    def __str__(self) -> str:
        return self.label


class ElectorVoter(models.Model):
    """Who may cast a unit's vote (any adult of a household; the member; the owner), frozen
    with the electorate so later moves change nothing."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="+")
    elector = models.ForeignKey(Elector, on_delete=models.CASCADE, related_name="voters")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "resident"], name="deliberation_voter_once")
        ]
        indexes = [models.Index(fields=["vote", "user"], name="deliberation_voter_user")]

    def __str__(self) -> str:
        return self.name


class Participation(models.Model):
    """That a unit voted, by which channel and when: ONE row per (vote, unit) whatever the
    channel, held by the database. For a secret vote it says nothing about the choice."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="participations")
    elector = models.ForeignKey(Elector, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    voter = models.ForeignKey(
        ElectorVoter, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cast_at = models.DateTimeField()
    counted = models.BooleanField(default=True)  # a paper ballot: once a second person confirms
    # Paper ballots: who entered it, the sheet's photo, who confirmed it.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sheet_photo = models.BinaryField(null=True, blank=True, editable=False)
    sheet_sha256 = models.CharField(max_length=64, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # An open (named) vote keeps the choice here; a secret vote never does, and an entered
    # paper ballot of a secret vote holds it only until confirmed (then it goes to the box).
    choice = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "elector"], name="deliberation_one_ballot")
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}:{self.elector_id}:{self.channel}"


def _box_id() -> str:
    return uuid.uuid4().hex


class BallotBox(models.Model):
    """The choices. No voter, unit, time or channel; a random key (not a sequence that
    follows insertion order), so nothing here joins to Participation."""

    id = models.CharField(primary_key=True, max_length=32, default=_box_id, editable=False)
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(max_length=200)  # "yes" | "no" | "abstain", or menu item ids "3,7"
    area = models.BigIntegerField(default=0)  # the unit's weight when the rule counts area
    receipt = models.CharField(max_length=64, unique=True)  # sha256 of the voter's receipt code

    class Meta:
        indexes = [models.Index(fields=["vote", "choice"], name="deliberation_box_choice")]

    def __str__(self) -> str:
        return self.id


class Meeting(BaseModel):
    community = models.ForeignKey("geo.Community", on_delete=models.PROTECT, related_name="+")
    body = models.ForeignKey(Body, null=True, blank=True, on_delete=models.PROTECT)
    kind = models.CharField(_("类别"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("会议"), max_length=100)
    held_at = models.DateTimeField(_("时间"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    agenda = models.TextField(_("议程"), blank=True)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        ordering = ["-held_at"]


class Attendance(BaseModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="deliberation_signed_once")
        ]


class Minutes(BaseModel):
    """A version of a meeting's minutes. Frozen with its SHA-256; an amendment after that is
    a new version."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes")
    version = models.PositiveSmallIntegerField(default=1)
    text = models.TextField(_("纪要"))
    frozen_at = models.DateTimeField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="deliberation_minutes_v")
        ]


class Decision(BaseModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.CharField(_("决定事项"), max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due = models.DateField(_("完成期限"))
    status = models.CharField(
        max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.OPEN
    )
    done_at = models.DateTimeField(null=True, blank=True)
    # A decision a department must carry out goes to it as a resident request (诉求).
    case = models.ForeignKey(
        "casework.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due", "id"]


class DecisionUpdate(BaseModel):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="updates")
    text = models.CharField(_("进展"), max_length=300)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]


class ObserverDuty(BaseModel):
    """A rotating observer's month (轮值观察员, §5.4): drawn from volunteers with a seed
    anyone can re-run, about two hours, the report, points when done."""

    community = models.ForeignKey("geo.Community", on_delete=models.PROTECT, related_name="+")
    month = models.DateField()  # first day
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seed = models.CharField(max_length=64)
    minutes = models.PositiveIntegerField(default=0)
    report = models.TextField(_("观察报告"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "month", "user"], name="deliberation_observer_once"
            )
        ]


class ObserverVolunteer(BaseModel):
    community = models.ForeignKey("geo.Community", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="deliberation_volunteer")
        ]
