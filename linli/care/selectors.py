"""What each actor may see of care: alerts, households, devices, communities (CARE-5..7).

Place scoping is in the query (`Alert.objects.visible_to(actor)` and the other managers,
built on `linli.geo.scope.Scope`): a grid worker sees their grids, community staff their
community, a street officer their street. Family see the homes of the relatives who list
them as a contact, and those relatives' alerts only when the relative's privacy choice lets
them (PEOPLE-6). Anything else is "not found".
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from linli.care.models import (
    ACTIVE_ALERT_STATUSES,
    OPEN_SHOWN,
    SHOWN_STATUSES,
    Alert,
    Device,
)
from linli.care.models.reach import family_alert_residents, is_family, relatives, staff_q
from linli.care.services.rules import defaults_get, offline_after
from linli.core.errors import NotFound
from linli.geo.models import Community, Household
from linli.geo.scope import Scope
from linli.people.selectors import list_audited

__all__ = [
    "OPEN_SHOWN",
    "SHOWN_STATUSES",
    "active_alert_exists",
    "alert_get",
    "alerts_open_for",
    "community_get",
    "device_health",
    "family_alert_residents",
    "household_get",
    "households_visible_to",
    "names_shown",
    "relatives_of",
]
# What the care pages show of a person in their lists (the audit entry names the fields).
LIST_FIELDS = ("full_name", "address", "ability")


def relatives_of(actor: Any) -> dict[int, int]:
    """resident id → household id of the relatives (with a home) who list this family
    account as a contact."""
    return relatives(actor)


def names_shown(actor: Any, ids: Iterable[int | None], purpose: str) -> None:
    """The one audit entry for the residents a care page or API list names (the people
    app's list entry; none when the list names nobody)."""
    shown = sorted({i for i in ids if i is not None})
    list_audited(actor=actor, ids=shown, fields=LIST_FIELDS, purpose=purpose)


def households_visible_to(actor: Any) -> QuerySet[Household]:
    qs = Household.objects.all()
    if is_family(actor):
        return qs.filter(pk__in=sorted(set(relatives(actor).values())))
    return qs.filter(staff_q(actor, "building__grid"))


def household_get(*, actor: Any, household_id: int) -> Household:
    found = (
        households_visible_to(actor)
        .select_related("building__grid__community")
        .filter(pk=household_id)
        .first()
    )
    if found is None:
        raise NotFound(_("没有找到这户人家。"))
    return found


def alert_get(*, actor: Any, alert_id: int) -> Alert:
    found = (
        Alert.objects.visible_to(actor)
        .select_related("household__building__grid__community", "resident", "assigned_to")
        .filter(pk=alert_id)
        .first()
    )
    if found is None:
        raise NotFound(_("没有找到这条看护提醒。"))
    return found


def alerts_open_for(actor: Any) -> QuerySet[Alert]:
    """The worker's list: open first by deadline, then visits under way."""
    return (
        Alert.objects.visible_to(actor)
        .filter(status__in=OPEN_SHOWN)
        .select_related("household__building", "resident", "assigned_to", "acknowledged_by")
        .order_by("status", "due_at")
    )


def community_get(*, actor: Any, community_id: int | None) -> Community:
    """A community whose care board the actor may open (their first when none is asked)."""
    mine = Scope.for_actor(actor).communities()
    found = mine.filter(pk=community_id).first() if community_id else mine.first()
    if found is None:
        raise NotFound(_("没有找到这个社区。"))
    return found


def active_alert_exists(*, household_id: int, rule: str) -> bool:
    return Alert.objects.filter(
        household_id=household_id, rule=rule, status__in=ACTIVE_ALERT_STATUSES
    ).exists()


def device_health(
    devices: Iterable[Device], now: dt.datetime, defaults: Any = None
) -> list[dict[str, Any]]:
    """Each device with a plain status: 正常 / 离线 (silent past its kind's heartbeat) /
    未上报 (never reported)."""
    d = defaults or defaults_get()
    out = []
    for dev in devices:
        if dev.last_seen_at is None:
            state, css = "未上报", "warn"
        elif now - dev.last_seen_at > offline_after(dev.kind, d):
            state, css = "离线", "bad"
        else:
            state, css = "正常", "ok"
        out.append({"device": dev, "state": state, "css": css})
    return out
