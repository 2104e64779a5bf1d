"""Reads for deliberation, each filtered by `visible_to(actor)`: an object outside the
actor's communities is "not found"."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from linli.core.errors import NotFound
from linli.deliberation.models import (
    Body,
    Decision,
    ElectorVoter,
    Meeting,
    ObserverDuty,
    Participation,
    ThresholdRule,
    Topic,
    Vote,
)
from linli.deliberation.services.common import rules_ensure_defaults
from linli.matching.choices import ResourceKind, ResourceStatus
from linli.matching.models import Resource
from linli.matching.selectors import pool


def bodies_for(actor: Any) -> QuerySet[Body]:
    return Body.objects.visible_to(actor).select_related("community").order_by("community", "name")


def rules() -> QuerySet[ThresholdRule]:
    rules_ensure_defaults()
    return ThresholdRule.objects.order_by("id")


def votes_for(actor: Any) -> QuerySet[Vote]:
    return Vote.objects.visible_to(actor).select_related("body__community", "rule", "topic")


def vote_get(*, actor: Any, vote_id: int) -> Vote:
    vote = votes_for(actor).filter(pk=vote_id).first()
    if vote is None:
        raise NotFound(_("找不到该表决。"))
    return vote


def body_get(*, actor: Any, body_id: int) -> Body:
    body = bodies_for(actor).filter(pk=body_id).first()
    if body is None:
        raise NotFound(_("找不到该议事机构。"), field="body_id")
    return body


def topics_for(actor: Any) -> QuerySet[Topic]:
    return Topic.objects.visible_to(actor).select_related("community", "raised_by")


def topic_get(*, actor: Any, topic_id: int) -> Topic:
    topic = topics_for(actor).filter(pk=topic_id).first()
    if topic is None:
        raise NotFound(_("找不到该议题。"))
    return topic


def meetings_for(actor: Any) -> QuerySet[Meeting]:
    return Meeting.objects.visible_to(actor).select_related("community")


def meeting_get(*, actor: Any, meeting_id: int) -> Meeting:
    meeting = meetings_for(actor).filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound(_("找不到该会议。"))
    return meeting


def duties_for(actor: Any) -> QuerySet[ObserverDuty]:
    return ObserverDuty.objects.visible_to(actor).select_related("user")


def my_standing(actor: Any, vote: Vote) -> dict[str, Any]:
    """Whether the actor is in the frozen electorate, and whether their unit voted (by
    whom of the household is not said to the others)."""
    voter = (
        ElectorVoter.objects.filter(vote=vote, user_id=getattr(actor, "pk", 0) or 0)
        .select_related("elector")
        .first()
    )
    if voter is None:
        return {"eligible": False, "unit": "", "voted_at": None, "channel": ""}
    cast = Participation.objects.filter(vote=vote, elector_id=voter.elector_id).first()
    return {
        "eligible": True,
        "unit": voter.elector.label,
        "voted_at": cast.cast_at if cast else None,
        "channel": cast.channel if cast else "",
    }


def voters_find(*, vote: Vote, name: str, limit: int = 30) -> list[ElectorVoter]:
    """Voters of the frozen electorate by name or home, for entering a paper ballot."""
    qs = ElectorVoter.objects.filter(vote=vote).select_related("elector")
    name = name.strip()
    if name:
        qs = qs.filter(name__contains=name) | qs.filter(elector__label__contains=name)
    return list(qs.order_by("elector__label", "name")[:limit])


def pending_paper(vote: Vote) -> QuerySet[Participation]:
    return (
        Participation.objects.filter(vote=vote, counted=False)
        .select_related("elector", "voter", "entered_by")
        .order_by("cast_at")
    )


def decision_get(*, decisions: QuerySet[Decision], decision_id: int) -> Decision:
    found = decisions.select_related("meeting").filter(pk=decision_id).first()
    if found is None:
        raise NotFound(_("找不到该决定事项。"))
    return found


def duty_get(*, actor: Any, duty_id: int) -> ObserverDuty:
    found = duties_for(actor).filter(pk=duty_id).first()
    if found is None:
        raise NotFound(_("找不到该值班记录。"))
    return found


def menu_venues(actor: Any, community_id: int) -> QuerySet[Resource]:
    """The venues a service-menu activity of this community can be planned at (MATCH-6)."""
    return pool(actor, community_id).filter(kind=ResourceKind.VENUE, status=ResourceStatus.APPROVED)
