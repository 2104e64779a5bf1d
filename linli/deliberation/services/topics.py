"""VOTE-2: topics raised by residents or staff, comments, and the decision boundary: a
professional topic (structural, fire, lift safety) needs an expert's opinion before any vote
opens, and its vote is advisory."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import Conflict, NotFound, ValidationFailed
from linli.core.text import optional_text, require_text
from linli.deliberation import policy
from linli.deliberation.choices import AuditAction, ProfessionalKind, TopicStatus
from linli.deliberation.models import Topic, TopicComment, community_q
from linli.deliberation.services.common import managed_community, record
from linli.geo.models import Community


@transaction.atomic
def topic_raise(
    *, actor: Any, community_id: int | None, title: str, text: str = "", professional: str = ""
) -> Topic:
    """A resident raises a topic in their own community; staff in the ones they manage."""
    community = Community.objects.filter(community_q(actor, ""), pk=community_id or 0).first()
    if community is None:
        raise NotFound(_("找不到该社区。"), field="community_id")
    title = require_text(title, field="title", label=_("议题"), max_length=100)
    text = optional_text(text, field="text", label=_("说明"), max_length=2000)
    if professional and professional not in ProfessionalKind.values:
        raise ValidationFailed(_("专业事项类别无效。"), field="professional")
    topic = Topic.objects.create(
        community=community, title=title, text=text, raised_by=actor, professional=professional
    )
    record(actor, AuditAction.TOPIC, topic, step="raise", professional=professional)
    return topic


@transaction.atomic
def topic_comment(*, actor: Any, topic: Topic, text: str) -> TopicComment:
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    if topic.status == TopicStatus.CLOSED:
        raise Conflict(_("议题已关闭,不能再发表意见。"), code="topic_closed")
    text = require_text(text, field="text", label=_("意见"), max_length=1000)
    comment = TopicComment.objects.create(topic=topic, author=actor, text=text)
    record(actor, AuditAction.TOPIC, topic, step="comment")
    return comment


@transaction.atomic
def topic_expert_opinion(*, actor: Any, topic: Topic, expert: str, opinion: str) -> Topic:
    """Staff attach the expert's written opinion (the expert decides the safety question;
    residents' vote on it is advisory)."""
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    managed_community(actor, topic.community_id)
    if not topic.professional:
        raise ValidationFailed(_("只有专业事项需要专家意见。"), field="opinion")
    topic.expert_name = require_text(expert, field="expert", label=_("专家"), max_length=60)
    topic.expert_opinion = require_text(
        opinion, field="opinion", label=_("专家意见"), max_length=4000
    )
    topic.expert_at = timezone.now()
    topic.save(update_fields=["expert_name", "expert_opinion", "expert_at", "updated_at"])
    record(actor, AuditAction.TOPIC, topic, step="expert_opinion")
    return topic


def can_manage(actor: Any, topic: Topic) -> bool:
    return policy.manages(actor, topic.community_id)
