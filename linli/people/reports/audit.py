"""The data-access audit report (PEOPLE-4): access to residents' records per user over a
period, with the flags of audit_flags.py. A selector: it only reads.

Used by the page /people/audit/, the API GET /api/people/audit and the command
`people_audit_report`. Residents appear by record id only, never by name or value."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit.services import audit_verify
from linli.core.errors import NotFound
from linli.people.choices import FIELDS, GRANT_TIERS, Tier
from linli.people.reports.audit_data import (
    CHANGE,
    EXPORT,
    LIST,
    SYSTEM,
    VIEW,
    Access,
    Actor,
    Period,
    Scope,
    accesses,
    actors,
    period_parse,
    scope_for,
)
from linli.people.reports.audit_flags import Flag, Thresholds, flags_for


@dataclass
class UserRow:
    user_id: int | None
    username: str
    name: str
    role: str
    role_label: str
    views: int = 0
    lists: int = 0
    changes: int = 0
    exports: int = 0
    others: int = 0  # grant and correction steps
    residents: int = 0
    first_at: dt.datetime | None = None
    last_at: dt.datetime | None = None
    flags: int = 0


@dataclass
class AuditReport:
    period: Period
    scope: Scope
    thresholds: Thresholds
    users: list[UserRow]
    flags: list[Flag]
    entries: list[Access] = field(default_factory=list)

    @property
    def flagged_seqs(self) -> dict[int, list[str]]:
        """entry seq → the kinds of flag it is behind (for highlighting rows)."""
        out: dict[int, list[str]] = defaultdict(list)
        for f in self.flags:
            for seq in f.seqs:
                if f.kind_label not in out[seq]:
                    out[seq].append(f.kind_label)
        return out


def _row(user_id: int | None, items: list[Access], who: Actor | None) -> UserRow:
    if who is None:
        who = SYSTEM if user_id is None else Actor(items[0].actor_label, "已注销的账号", "", "")
    row = UserRow(user_id, who.username, who.name, who.role, who.role_label)
    read: set[int] = set()
    for a in items:
        if a.kind == VIEW:
            row.views += 1
        elif a.kind == LIST:
            row.lists += 1
        elif a.kind == CHANGE:
            row.changes += 1
        elif a.kind == EXPORT:
            row.exports += 1
        else:
            row.others += 1
        if a.kind in (VIEW, LIST, EXPORT):
            read.update(a.residents)
    row.residents = len(read)
    row.first_at, row.last_at = items[0].at, items[-1].at
    return row


def audit_report(
    *,
    period: Period,
    scope: Scope,
    user_id: int | None = None,
    username: str = "",
    thresholds: Thresholds | None = None,
) -> AuditReport:
    """The report for a place (scope) and period, optionally for one user only."""
    t = thresholds or Thresholds.from_settings()
    items = accesses(period=period, scope=scope, user_id=user_id, username=username)
    by_user: dict[int | None, list[Access]] = defaultdict(list)
    for a in items:
        by_user[a.actor_id].append(a)
    people = actors({uid for uid in by_user if uid is not None})
    flags = flags_for(by_user, people, t)
    counts: dict[int | None, int] = defaultdict(int)
    for f in flags:
        counts[f.user_id] += 1
    users = [_row(uid, rows, people.get(uid) if uid else None) for uid, rows in by_user.items()]
    for row in users:
        row.flags = counts[row.user_id]
    users.sort(key=lambda r: (-r.flags, -r.residents, -(r.views + r.lists), r.username))
    flags.sort(key=lambda f: (f.start, f.username))
    return AuditReport(period, scope, t, users, flags, entries=items if user_id else [])


def audit_report_for(
    *,
    actor: Any,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    community_id: int | None = None,
) -> AuditReport:
    """The report a secretary or street admin may see: their community or street."""
    scope = scope_for(actor=actor, community_id=community_id)
    return audit_report(period=period_parse(since=since, until=until), scope=scope)


def audit_user_report(
    *,
    actor: Any,
    user_id: int,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    community_id: int | None = None,
) -> AuditReport:
    """One user's accesses to residents of the actor's place, entry by entry. A user with no
    such access in the period is "not found" (the page never reveals other accounts)."""
    scope = scope_for(actor=actor, community_id=community_id)
    report = audit_report(
        period=period_parse(since=since, until=until), scope=scope, user_id=user_id
    )
    if not report.users:
        raise NotFound(_("这段时间内,该账号没有访问您管辖范围内居民档案的记录。"))
    return report


# ---- Plain data (API, --json) -----------------------------------------------------------


@dataclass(frozen=True)
class ChainStatus:
    """The result of audit_verify and when it ran."""

    ok: bool
    checked: int
    bad_seq: int | None
    reason: str
    checked_at: dt.datetime


# A full check hashes every entry again (tens of µs each): pages reuse a check younger than
# this; the page's "check now" link and the command always check afresh.
VERIFY_MAX_AGE = 600
CHAIN_CACHE_KEY = "linli:people:audit_chain"


def chain_status(*, fresh: bool = False) -> ChainStatus:
    """The state of the whole hash chain, so the secretary sees the log is untampered."""
    if not fresh:
        cached = cache.get(CHAIN_CACHE_KEY)
        if isinstance(cached, ChainStatus):
            return cached
    result = audit_verify()
    status = ChainStatus(
        result.ok, result.checked, result.bad_seq, result.reason, timezone.localtime()
    )
    cache.set(CHAIN_CACHE_KEY, status, VERIFY_MAX_AGE)
    return status


def chain_dict(status: ChainStatus) -> dict[str, Any]:
    return {
        "ok": status.ok,
        "checked": status.checked,
        "bad_entry": status.bad_seq,
        "reason": status.reason,
        "checked_at": status.checked_at.isoformat(),
    }


_REASONS = {
    "previous-hash link broken": "与前一条记录的链接断开",
    "content does not match its hash": "内容与校验值不符(被改动过)",
    "entries after the last one were removed": "末尾的记录被删除",
}


def chain_reason(status: ChainStatus) -> str:
    """The verify result's reason in Chinese."""
    if status.ok:
        return ""
    if status.reason.endswith("is missing"):
        return "记录缺失(被删除)"
    return _REASONS.get(status.reason, status.reason)


def field_labels(names: list[str]) -> list[str]:
    return [FIELDS[n][1] if n in FIELDS else n for n in names]


def tier_labels(names: list[str]) -> list[tuple[str, bool]]:
    """The tiers the fields belong to, in tier order, each with whether a grant is needed for
    it: a short summary of an entry (the field list is long for every record view)."""
    tiers = {FIELDS[n][0] for n in names if n in FIELDS}
    return [(str(t.label), t in GRANT_TIERS) for t in Tier if t in tiers]


def _when(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def report_dict(report: AuditReport, *, chain: ChainStatus | None = None) -> dict[str, Any]:
    t = report.thresholds
    out: dict[str, Any] = {
        "since": report.period.since.isoformat(),
        "until": report.period.until.isoformat(),
        "scope": report.scope.label,
        "thresholds": {
            "bulk_count": t.bulk_count,
            "bulk_minutes": t.bulk_minutes,
            "list_count": t.list_count,
            "work_hours": t.hours_label.replace("–", "-"),
        },
        "chain": chain_dict(chain) if chain is not None else None,
        "users": [
            {
                "user_id": u.user_id,
                "username": u.username,
                "name": u.name,
                "role": u.role,
                "role_label": u.role_label,
                "views": u.views,
                "lists": u.lists,
                "changes": u.changes,
                "exports": u.exports,
                "others": u.others,
                "residents": u.residents,
                "first_at": _when(u.first_at),
                "last_at": _when(u.last_at),
                "flags": u.flags,
            }
            for u in report.users
        ],
        "flags": [
            {
                "kind": f.kind,
                "kind_label": f.kind_label,
                "user_id": f.user_id,
                "username": f.username,
                "reason": f.reason,
                "start": _when(f.start),
                "end": _when(f.end),
                "entries": f.seqs,
                "residents": f.residents,
            }
            for f in report.flags
        ],
    }
    if report.entries:
        flagged = report.flagged_seqs
        out["entries"] = [
            {
                "seq": a.seq,
                "at": _when(a.at),
                "action": a.action,
                "action_label": a.action_label,
                "residents": a.residents,
                "fields": a.fields,
                "purpose": a.purpose,
                "grants": a.grants,
                "case": a.case,
                "flags": flagged.get(a.seq, []),
            }
            for a in report.entries
        ]
    return out
