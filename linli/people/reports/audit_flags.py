"""Unusual access patterns in the audit log (PEOPLE-4 数据安全审计).

Three kinds of flag, each with a Chinese reason and the entries behind it:

- 批量读取 (bulk): one user opening at least LINLI_AUDIT_BULK_COUNT distinct records (views,
  lookups, exports) within LINLI_AUDIT_BULK_MINUTES minutes (sliding window); or seeing at
  least LINLI_AUDIT_LIST_COUNT distinct residents in lists within the same window (a list page
  shows 50 names, so the record threshold would flag every list view). Overlapping windows
  make one flag.
- 非工作时间 (off hours): a staff member's access outside working hours
  (LINLI_AUDIT_WORK_HOURS, default 08:00-18:00 Asia/Shanghai) or on a day that is not worked
  under the official calendar (linli.core.calendar: weekends, holidays; 调休 weekends count
  as worked; a year not loaded falls back to Monday–Friday). One flag per user and day.
- 无理由访问 (no reason), staff only, one flag per user and rule:
  1. an entry showing or changing identity, health or finance fields without a grant id;
  2. a department officer opening a record without a related case;
  3. a street-office admin opening a single record without a stated purpose (their role
     sees the whole street; individual records are not their daily work).
  Residents and family members are never flagged for off hours or reasons; a resident's own
  record is not in the report at all.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings

from linli.core.calendar.selectors import WorkingCalendar
from linli.core.roles import STAFF_ROLES, Role
from linli.people.choices import FIELDS, GRANT_TIERS
from linli.people.policy import PURPOSE_ROLES
from linli.people.reports.audit_data import (
    CHANGE,
    EXPORT,
    LIST,
    VIEW,
    Access,
    Actor,
    local_day_label,
)

BULK, OFF_HOURS, NO_REASON = "bulk", "off_hours", "no_reason"
KIND_LABELS = {BULK: "批量读取", OFF_HOURS: "非工作时间访问", NO_REASON: "无理由访问"}
PROTECTED = frozenset(name for name, (tier, _label) in FIELDS.items() if tier in GRANT_TIERS)
# Roles expected to state a purpose when opening a single record (rule 3 above).
# Actions that count as access for the off-hours rule (grant and correction steps do not).
ACCESS_KINDS = frozenset({VIEW, LIST, CHANGE, EXPORT})


@dataclass(frozen=True)
class Thresholds:
    bulk_count: int = 30
    bulk_minutes: int = 10
    list_count: int = 300
    work_start: dt.time = dt.time(8, 0)
    work_end: dt.time = dt.time(18, 0)

    @classmethod
    def from_settings(cls) -> "Thresholds":
        hours = str(getattr(settings, "LINLI_AUDIT_WORK_HOURS", "08:00-18:00"))
        start, _, end = hours.partition("-")
        return cls(
            bulk_count=int(getattr(settings, "LINLI_AUDIT_BULK_COUNT", cls.bulk_count)),
            bulk_minutes=int(getattr(settings, "LINLI_AUDIT_BULK_MINUTES", cls.bulk_minutes)),
            list_count=int(getattr(settings, "LINLI_AUDIT_LIST_COUNT", cls.list_count)),
            work_start=dt.time.fromisoformat(start.strip()),
            work_end=dt.time.fromisoformat(end.strip()),
        )

    @property
    def hours_label(self) -> str:
        return f"{self.work_start:%H:%M}–{self.work_end:%H:%M}"


@dataclass
class Flag:
    kind: str
    user_id: int | None
    username: str
    name: str
    reason: str
    start: dt.datetime
    end: dt.datetime
    seqs: list[int] = field(default_factory=list)
    residents: list[int] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def _distinct(values: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(values))


def _windows(
    reads: list[tuple[dt.datetime, int, int]], count: int, window: dt.timedelta
) -> list[tuple[int, int, int]]:
    """Sliding window over (time, resident id, seq) sorted by time: the episodes where at least
    `count` distinct residents fall within `window`, as (first index, last index, peak)."""
    episodes: list[list[int]] = []
    seen: Counter[int] = Counter()
    left = 0
    for right, (at, rid, _seq) in enumerate(reads):
        seen[rid] += 1
        while at - reads[left][0] > window:
            gone = reads[left][1]
            seen[gone] -= 1
            if not seen[gone]:
                del seen[gone]
            left += 1
        if len(seen) >= count:
            if episodes and left <= episodes[-1][1]:
                episodes[-1][1] = right
                episodes[-1][2] = max(episodes[-1][2], len(seen))
            else:
                episodes.append([left, right, len(seen)])
    return [(a, b, c) for a, b, c in episodes]


def _bulk(
    items: list[Access], *, kinds: frozenset[str], count: int, t: Thresholds, what: str
) -> list[tuple[str, list[Access], list[int]]]:
    reads = [(a.at, rid, a.seq) for a in items if a.kind in kinds for rid in a.residents]
    by_seq = {a.seq: a for a in items}
    found = []
    for first, last, peak in _windows(reads, count, dt.timedelta(minutes=t.bulk_minutes)):
        part = reads[first : last + 1]
        hits = [by_seq[seq] for seq in _distinct(seq for _at, _rid, seq in part)]
        start, end = part[0][0], part[-1][0]
        span = (
            f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
            if start.date() == end.date()
            else f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"
        )
        reason = (
            f"{span} 期间,{t.bulk_minutes}分钟内{what.format(n=peak)}"
            f"(提示阈值:{t.bulk_minutes}分钟内{count}人)。"
        )
        found.append((reason, hits, _distinct(r for _a, r, _s in part)))
    return found


def _off_hours(
    items: list[Access], t: Thresholds, calendar: WorkingCalendar
) -> list[tuple[str, list[Access]]]:
    by_day: dict[dt.date, list[Access]] = defaultdict(list)
    for a in items:
        if a.kind not in ACCESS_KINDS:
            continue
        day = a.at.date()
        outside = not (t.work_start <= a.at.time() < t.work_end)
        if outside or not calendar.is_working_day(day):
            by_day[day].append(a)
    found = []
    for day, hits in sorted(by_day.items()):
        if not calendar.is_working_day(day):
            why = "周末" if day.weekday() >= 5 else "法定节假日"
            reason = f"{local_day_label(day)}是{why},不是工作日,访问居民档案{len(hits)}次。"
        else:
            times = "、".join(f"{a.at:%H:%M}" for a in hits[:5]) + ("等" if len(hits) > 5 else "")
            reason = (
                f"{local_day_label(day)}在工作时间({t.hours_label})以外访问居民档案"
                f"{len(hits)}次({times})。"
            )
        found.append((reason, hits))
    return found


def _no_reason(items: list[Access], role: str) -> list[tuple[str, list[Access]]]:
    protected = [
        a
        for a in items
        if a.kind in (VIEW, CHANGE, EXPORT) and PROTECTED & set(a.fields) and not a.grants
    ]
    found = []
    if protected:
        names = sorted(
            {f for a in protected for f in a.fields if f in PROTECTED}, key=list(FIELDS).index
        )
        labels = "、".join(FIELDS[n][1] for n in names)
        found.append(
            (
                f"{len(protected)}次读取或修改了受保护信息({labels}),但记录中没有有效的查看授权。",
                protected,
            )
        )
    views = [a for a in items if a.kind == VIEW]
    if role == Role.DEPT_OFFICER:
        no_case = [a for a in views if a.case is None]
        if no_case:
            found.append((f"职能部门查看居民档案{len(no_case)}次,没有关联所办理的诉求。", no_case))
    if role in PURPOSE_ROLES:
        no_purpose = [a for a in views if not a.purpose.strip() and a.case is None]
        if no_purpose:
            label = Role(role).label
            found.append((f"{label}查看单份居民档案{len(no_purpose)}次,没有填写用途。", no_purpose))
    return found


def _flag(
    kind: str,
    who: tuple[int, str, str],
    reason: str,
    hits: list[Access],
    residents: list[int] | None = None,
) -> Flag:
    return Flag(
        kind=kind,
        user_id=who[0],
        username=who[1],
        name=who[2],
        reason=reason,
        start=hits[0].at,
        end=hits[-1].at,
        seqs=[a.seq for a in hits],
        residents=residents
        if residents is not None
        else _distinct(r for a in hits for r in a.residents),
    )


def flags_for(
    by_user: dict[int | None, list[Access]], people: dict[int, Actor], t: Thresholds
) -> list[Flag]:
    """Every flag of the report, grouped per user in time order."""
    calendar = WorkingCalendar()
    flags: list[Flag] = []
    for user_id, items in by_user.items():
        if user_id is None:
            continue  # the system's own jobs (imports, demo) are not a person's access
        actor = people.get(user_id)
        role = actor.role if actor else ""
        who = (
            user_id,
            actor.username if actor else (items[0].actor_label or str(user_id)),
            actor.name if actor else "已注销的账号",
        )
        bulk = _bulk(
            items,
            kinds=frozenset({VIEW, EXPORT}),
            count=t.bulk_count,
            t=t,
            what="打开了多达{n}位居民的档案",
        ) + _bulk(
            items,
            kinds=frozenset({LIST}),
            count=t.list_count,
            t=t,
            what="在名单中看到了多达{n}位居民",
        )
        flags.extend(_flag(BULK, who, reason, hits, residents) for reason, hits, residents in bulk)
        if role in STAFF_ROLES:
            off = _off_hours(items, t, calendar)
            flags.extend(_flag(OFF_HOURS, who, reason, hits) for reason, hits in off)
            why = _no_reason(items, role)
            flags.extend(_flag(NO_REASON, who, reason, hits) for reason, hits in why)
    return flags
