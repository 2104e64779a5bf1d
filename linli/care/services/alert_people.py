"""Who is told about an alert and what the message says (CARE-5).

The grid worker of the household's grid at once; the community workers (社区工作者, 书记) of
its community when the visit is late; then the family, but only those `alert_audience`
allows (PEOPLE-6). Messages are grouped per person per sweep step, so a sweep that opens
many alerts sends each worker one message, not hundreds.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone

from linli.care.models import Alert, Rule
from linli.core.notifications.services import notification_send
from linli.geo.models import Household
from linli.people.selectors import alert_audiences

LIST_IN_MESSAGE = 10


@dataclass(frozen=True)
class Place:
    household_id: int
    grid_id: int
    community_id: int
    address: str
    lat: float
    lon: float


def places(household_ids: Iterable[int]) -> dict[int, Place]:
    ids = sorted(set(household_ids))
    out: dict[int, Place] = {}
    for i in range(0, len(ids), 2000):
        rows = Household.objects.filter(pk__in=ids[i : i + 2000]).values_list(
            "pk",
            "building__grid_id",
            "building__grid__community_id",
            "building__name",
            "unit",
            "room",
            "building__lat",
            "building__lon",
        )
        for pk, grid_id, community_id, building, unit, room, lat, lon in rows:
            out[pk] = Place(pk, grid_id, community_id, f"{building}{unit}{room}", lat, lon)
    return out


def family_of(resident_ids: Iterable[int]) -> dict[int, list[Any]]:
    """resident id → the family accounts that may see their alerts (PEOPLE-6)."""
    return alert_audiences(resident_ids)


def rule_label(rule: str) -> str:
    return str(Rule(rule).label)


def _hhmm(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M")


@dataclass
class Outbox:
    """Alerts to tell, per person; `send` writes one message each."""

    title_one: str  # "{address}" and "{rule}" are filled in
    title_many: str  # "{count}"
    body_one: str = "{rule}。请在 {due} 前上门查看。"
    by_user: dict[int, tuple[Any, list[tuple[Alert, Place]]]] = field(default_factory=dict)

    def add(self, users: Iterable[Any], alert: Alert, place: Place) -> None:
        for user in users:
            if user is not None:
                self.by_user.setdefault(user.pk, (user, []))[1].append((alert, place))

    def send(self) -> int:
        for user, items in self.by_user.values():
            if len(items) == 1:
                alert, place = items[0]
                fill = {
                    "address": place.address,
                    "rule": rule_label(alert.rule),
                    "due": _hhmm(alert.due_at),
                }
                title, body = self.title_one.format(**fill), self.body_one.format(**fill)
            else:
                title = self.title_many.format(count=len(items))
                shown = "、".join(
                    f"{p.address}({rule_label(a.rule)})" for a, p in items[:LIST_IN_MESSAGE]
                )
                body = shown + (" 等" if len(items) > LIST_IN_MESSAGE else "")
            notification_send(
                recipient=user,
                title=title,
                body=body,
                url=reverse("care:worker"),
                channels=("sms",),
            )
        return len(self.by_user)
