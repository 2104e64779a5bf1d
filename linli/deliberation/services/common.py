"""What deliberation's services share: the community a service acts in, the threshold
presets, audit entries and messages after commit."""

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from linli.core.audit.services import audit_record
from linli.core.errors import NotFound
from linli.core.notifications.services import notification_send
from linli.deliberation import policy
from linli.deliberation.models import ThresholdRule
from linli.deliberation.thresholds import PRESETS
from linli.geo.models import Community


def managed_community(actor: Any, community_id: int | None) -> Community:
    """The community the actor manages, or "not found" (never a hint it exists)."""
    if community_id is None or not policy.manages(actor, community_id):
        raise NotFound(_("找不到该社区,或您不能管理它。"), field="community_id")
    return Community.objects.get(pk=community_id)


def rules_ensure_defaults() -> None:
    """The threshold presets (VOTE-4) as rows staff may copy and adjust in the admin."""
    if ThresholdRule.objects.filter(code__in=[p["code"] for p in PRESETS]).count() == len(PRESETS):
        return
    with translation.override("zh-hans"):  # rows are data: stored in the source language
        for preset in PRESETS:
            data = {k: (str(v) if k == "name" else v) for k, v in preset.items() if k != "code"}
            ThresholdRule.objects.get_or_create(code=preset["code"], defaults=data)


def record(actor: Any, action: str, obj: Any, **data: Any) -> None:
    audit_record(actor=actor, action=action, obj=obj, data=data)


def tell(users: Any, title: str, url: str) -> None:
    """Inbox messages in the step's transaction (SMS goes out after commit)."""
    for user in {u.pk: u for u in users if u is not None}.values():
        notification_send(recipient=user, title=title, url=url)
