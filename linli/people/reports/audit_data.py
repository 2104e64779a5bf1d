"""The raw material of the data-access audit report (PEOPLE-4): the period, the place it
covers, and the audit entries on resident records in that place, each reduced to who, when,
what kind of access and which residents (by record id only).

Everything is read in a fixed number of queries whatever the number of entries: one for the
entries, one per 900 resident ids to place them, one for the actors."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.core.audit.models import AuditEntry
from linli.core.errors import NotFound, PermissionDenied, ValidationFailed
from linli.core.roles import Role
from linli.geo.models import Community
from linli.geo.scope import Scope as PlaceScope
from linli.people.choices import AuditAction
from linli.people.models import Resident
from linli.people.policy import can_read_audit

# Audit entries that are about residents: the record itself, grants and corrections (whose
# entries name the resident in data["resident"]).
OBJECT_TYPES = ("people.resident", "people.accessgrant", "people.correctionrequest")
VIEW, LIST, CHANGE, EXPORT, OTHER = "view", "list", "change", "export", "other"
_KINDS: dict[str, str] = {
    AuditAction.VIEWED: VIEW,
    AuditAction.FOUND: VIEW,  # a lookup by name for 代办 opens the record too
    AuditAction.LISTED: LIST,
    AuditAction.EXPORTED: EXPORT,
}
# Untranslated (the pages translate them): {action: label}.
ACTION_LABELS: dict[str, str] = {str(a.value): str(a.label) for a in AuditAction}
DEFAULT_DAYS = 7
MAX_DAYS = 366
_CHUNK = 900  # ids per IN (...) query: under SQLite's old 999-parameter limit
WEEKDAYS = "一二三四五六日"


def kind_of(action: str, object_type: str) -> str:
    if action in _KINDS:
        return _KINDS[action]
    return CHANGE if object_type == "people.resident" else OTHER


# ---- Period -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole local days (Asia/Shanghai), both ends included."""

    since: dt.date
    until: dt.date

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.since, dt.time.min, tzinfo=timezone.get_default_timezone())

    @property
    def end(self) -> dt.datetime:
        """Exclusive: 00:00 of the day after `until`."""
        day = self.until + dt.timedelta(days=1)
        return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def _date(value: dt.date | str | None, name: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed(_("日期格式应为 年-月-日,例如 2026-03-01。"), field=name) from None


def period_parse(
    *, since: dt.date | str | None = None, until: dt.date | str | None = None
) -> Period:
    """The period asked for; by default the last 7 days up to today."""
    end = _date(until, "until") or timezone.localdate()
    start = _date(since, "since") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise ValidationFailed(_("开始日期不能晚于结束日期。"), field="since")
    if (end - start).days >= MAX_DAYS:
        raise ValidationFailed(_("一次最多查询%(days)s天。") % {"days": MAX_DAYS}, field="since")
    return Period(start, end)


# ---- Scope ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The communities whose residents the report covers; None means every resident (the
    management command, run by the operator)."""

    label: str
    community_ids: frozenset[int] | None
    choices: tuple[tuple[int, str], ...] = ()  # communities a street admin may narrow to

    def covers(self, community_id: int | None) -> bool:
        if self.community_ids is None:
            return True
        return community_id is not None and community_id in self.community_ids


def scope_for(*, actor: Any, community_id: int | None = None) -> Scope:
    """A secretary: the communities they are secretary of; a street admin: the communities of
    their street, or one of them. Anyone else may not read the report."""
    if actor is None or not can_read_audit(actor):
        raise PermissionDenied(_("只有社区书记和街道办可以查看数据使用审计。"))
    place = PlaceScope.for_actor(actor)
    if actor.role == Role.SECRETARY:
        communities = Community.objects.filter(pk__in=sorted(place.secretary_of))
    else:
        communities = Community.objects.filter(street_id__in=sorted(place.street_ids))
    found = list(communities.select_related("street").order_by("street_id", "code"))
    choices = tuple((c.pk, c.name) for c in found)
    if community_id is not None:
        found = [c for c in found if c.pk == community_id]
        if not found:
            raise NotFound(_("没有找到这个社区,或它不在您的管辖范围内。"), field="community")
    if actor.role == Role.STREET_ADMIN and community_id is None:
        label = "、".join(sorted({c.street.name for c in found})) or "(未分配街道)"
    else:
        label = "、".join(c.name for c in found) or "(未分配社区)"
    return Scope(label=label, community_ids=frozenset(c.pk for c in found), choices=choices)


def scope_all(*, community_code: str = "") -> Scope:
    """For the command: everything, or one community by its 3-digit code (when unique) or its
    12-digit full code (district + street + community)."""
    code = community_code.strip()
    if not code:
        return Scope(label="全部社区", community_ids=None)
    qs = Community.objects.select_related("street__district")
    if len(code) == 12:
        qs = qs.filter(street__district__code=code[:6], street__code=code[6:9], code=code[9:])
    else:
        qs = qs.filter(code=code)
    found = list(qs[:2])
    if not found:
        raise NotFound(_("没有社区码为 %(code)s 的社区。") % {"code": code}, field="community")
    if len(found) > 1:
        raise ValidationFailed(
            _("社区码 %(code)s 不唯一,请使用12位完整编码(区划码+街道码+社区码)。") % {"code": code},
            field="community",
        )
    return Scope(label=found[0].name, community_ids=frozenset({found[0].pk}))


# ---- Entries ----------------------------------------------------------------------------


@dataclass
class Access:
    """One audit entry on residents, as the report sees it."""

    seq: int
    at: dt.datetime  # local time
    actor_id: int | None
    actor_label: str
    action: str
    kind: str
    residents: list[int]  # record ids in the scope, in entry order
    fields: list[str] = field(default_factory=list)
    purpose: str = ""
    grants: list[int] = field(default_factory=list)
    case: int | None = None

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _resident_ids(object_type: str, object_id: str, data: dict[str, Any]) -> list[int]:
    if object_type == "people.resident" and object_id:
        one = _int(object_id)
        return [one] if one is not None else []
    if object_type == "people.resident":
        ids = data.get("ids") or []
        if all(type(v) is int for v in ids):  # as the services write them
            return list(ids)
        return [i for i in (_int(v) for v in ids) if i is not None]
    one = _int(data.get("resident"))
    return [one] if one is not None else []


def _places(ids: set[int]) -> dict[int, tuple[int | None, int | None]]:
    """resident id → (community id, the resident's own user id), in chunks."""
    out: dict[int, tuple[int | None, int | None]] = {}
    ordered = sorted(ids)
    for i in range(0, len(ordered), _CHUNK):
        rows = Resident.objects.filter(pk__in=ordered[i : i + _CHUNK]).values_list(
            "pk", "household__building__grid__community_id", "user_id"
        )
        for pk, community_id, user_id in rows:
            out[pk] = (community_id, user_id)
    return out


def accesses(
    *, period: Period, scope: Scope, user_id: int | None = None, username: str = ""
) -> list[Access]:
    """The entries of the period touching residents of the scope, oldest first.

    A resident acting on their own record (viewing it, exporting it, asking for a correction)
    is not "access to someone's personal data" and is left out. List entries keep only the
    ids inside the scope; an entry with none left is dropped. Residents without a household
    have no community and appear only in the unscoped (command) report.
    """
    qs = AuditEntry.objects.filter(
        created_at__gte=period.start, created_at__lt=period.end, object_type__in=OBJECT_TYPES
    )
    if user_id is not None:
        qs = qs.filter(actor_id=user_id)
    elif username:
        qs = qs.filter(actor_label=username)
    rows = list(
        qs.order_by("seq").values_list(
            "seq",
            "created_at",
            "actor_id",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "data",
        )
    )
    parsed = []
    wanted: set[int] = set()
    for seq, at, actor_id, label, action, otype, oid, data in rows:
        data = data if isinstance(data, dict) else {}
        ids = _resident_ids(otype, oid, data)
        wanted.update(ids)
        parsed.append((seq, at, actor_id, label, action, otype, data, ids))
    places = _places(wanted)
    tz = timezone.get_default_timezone()
    out: list[Access] = []
    for seq, at, actor_id, label, action, otype, data, ids in parsed:
        if data.get("own") is True:
            continue
        kept = []
        for rid in ids:
            community_id, owner = places.get(rid, (None, None))
            if owner is not None and owner == actor_id:
                continue  # the resident's own record
            if scope.covers(community_id):
                kept.append(rid)
        if not kept:
            continue
        fields = [str(f) for f in data.get("fields") or [] if isinstance(f, str)]
        out.append(
            Access(
                seq=seq,
                at=at.astimezone(tz),
                actor_id=actor_id,
                actor_label=label,
                action=action,
                kind=kind_of(action, otype),
                residents=kept,
                fields=fields,
                purpose=str(data.get("purpose") or ""),
                grants=[g for g in (_int(v) for v in data.get("grants") or []) if g is not None],
                case=_int(data.get("case")),
            )
        )
    # Time order (the chain's order too, unless a clock was set back): windows rely on it.
    out.sort(key=lambda a: (a.at, a.seq))
    return out


@dataclass(frozen=True)
class Actor:
    username: str
    name: str
    role: str
    role_label: str


SYSTEM = Actor(username="system", name="系统", role="", role_label="")


def actors(ids: set[int]) -> dict[int, Actor]:
    """Staff accounts by id, in one query (names of staff may be shown; residents' never)."""
    rows = User.objects.filter(pk__in=ids).values_list("pk", "username", "full_name", "role")
    return {
        pk: Actor(
            username=username,
            name=full_name or username,
            role=role,
            role_label=str(Role(role).label) if role in Role.values else role,
        )
        for pk, username, full_name, role in rows
    }


def local_day_label(day: dt.date) -> str:
    return f"{day.isoformat()}(周{WEEKDAYS[day.weekday()]})"
