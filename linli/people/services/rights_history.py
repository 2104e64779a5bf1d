"""Who accessed a resident's record (PEOPLE-7, read side of PEOPLE-4): the audit entries on the
record itself plus the staff lists that showed it. Read-only; used by the "my data" page, its
export and the API."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_noop

from linli.accounts.models import Membership, User
from linli.core.audit.models import AuditEntry
from linli.people.choices import FIELDS, AuditAction
from linli.people.models import Resident

HISTORY_DAYS = 90
HISTORY_LIMIT = 100
LISTED_SCAN = 20_000  # more lists than this in the window: only some are considered
OBJECT_TYPE = "people.resident"
LISTED = AuditAction.LISTED
# How the resident's page says what was done (untranslated; the page translates).
ACTION_LABELS: dict[str, str] = {
    AuditAction.VIEWED: gettext_noop("查看了档案"),
    AuditAction.LISTED: gettext_noop("在名单中看到"),
    AuditAction.CHANGED: gettext_noop("修改了档案"),
    AuditAction.CREATED: gettext_noop("登记了档案"),
    AuditAction.IMPORTED: gettext_noop("导入了档案"),
}
OTHER_ACTION = gettext_noop("处理了档案")


@dataclass
class AccessEvent:
    at: dt.datetime
    action: str
    action_label: str
    who: str
    role: str
    unit: str
    fields: list[str] = field(default_factory=list)  # labels, not names
    purpose: str = ""
    with_grant: bool = False
    case: int | None = None


@dataclass
class AccessHistory:
    events: list[AccessEvent]
    days: int
    truncated: bool


def _listed_containing(resident_id: int) -> Q | RawSQL:
    """`data.ids` contains the id: jsonb containment on PostgreSQL, json_each on SQLite."""
    if connection.vendor == "postgresql":
        return Q(data__ids__contains=[resident_id])
    # Only the quoted table name is interpolated; the id is a parameter.
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    sql = f"EXISTS (SELECT 1 FROM json_each({table}.data, '$.ids') AS j WHERE j.value = %s)"  # noqa: S608
    return RawSQL(  # noqa: S611
        sql,
        [resident_id],
        output_field=BooleanField(),
    )


def _entries(
    resident: Resident, since: dt.datetime
) -> tuple[QuerySet[AuditEntry], QuerySet[AuditEntry]]:
    base = AuditEntry.objects.filter(created_at__gte=since, object_type=OBJECT_TYPE)
    if resident.user_id is not None:
        # The resident's own views and exports are not "someone accessed my data".
        base = base.exclude(actor_id=resident.user_id)
    # Two indexed queries rather than one OR: (object_type, object_id), and the ids index.
    direct = base.filter(object_id=str(resident.pk)).exclude(action=LISTED)
    listed = base.filter(action=LISTED).filter(_listed_containing(resident.pk))
    return direct, listed


def _actors(ids: set[int]) -> dict[int, tuple[str, str, str]]:
    """actor id → (name, role label, unit or place), in two queries."""
    users = User.objects.filter(pk__in=ids).prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("grid", "community", "street", "department"),
        )
    )
    found: dict[int, tuple[str, str, str]] = {}
    for u in users:
        places = [m.department or m.grid or m.community or m.street for m in u.memberships.all()]
        unit = "、".join(getattr(p, "name", str(p)) for p in places if p)
        found[u.pk] = (u.display_name, str(u.get_role_display()), unit)
    return found


def _event(entry: AuditEntry, actors: dict[int, tuple[str, str, str]]) -> AccessEvent:
    data = entry.data if isinstance(entry.data, dict) else {}
    if entry.actor_id is None:
        who, role, unit = ("系统", "", "")
    else:
        who, role, unit = actors.get(entry.actor_id, ("已注销的账号", "", ""))
    names = data.get("fields") or []
    labels = [FIELDS[n][1] if n in FIELDS else str(n) for n in names if isinstance(n, str)]
    case = data.get("case")
    purpose = str(data.get("purpose") or "")
    if not purpose and entry.action == LISTED:
        purpose = "查看居民名单"
    return AccessEvent(
        at=entry.created_at,
        action=entry.action,
        action_label=ACTION_LABELS.get(entry.action, OTHER_ACTION),
        who=who,
        role=role,
        unit=unit,
        fields=labels,
        purpose=purpose,
        with_grant=bool(data.get("grants")),
        case=case if isinstance(case, int) else None,
    )


def access_history(
    *, resident: Resident, days: int = HISTORY_DAYS, limit: int = HISTORY_LIMIT
) -> AccessHistory:
    """The newest `limit` accesses by others in the last `days` days, newest first."""
    since = timezone.now() - dt.timedelta(days=days)
    direct, listed = _entries(resident, since)
    rows = list(direct.order_by("-seq")[: limit + 1])
    # Unordered first, so PostgreSQL takes the GIN index (migration people 0004) rather than
    # walking the whole log backwards by seq; then the newest are loaded.
    seqs = sorted(listed.order_by().values_list("seq", flat=True)[:LISTED_SCAN], reverse=True)
    rows.extend(AuditEntry.objects.filter(seq__in=seqs[: limit + 1]))
    rows.sort(key=lambda e: e.seq, reverse=True)
    truncated = len(rows) > limit
    rows = rows[:limit]
    actors = _actors({e.actor_id for e in rows if e.actor_id is not None})
    return AccessHistory(events=[_event(e, actors) for e in rows], days=days, truncated=truncated)


def history_as_dicts(history: AccessHistory) -> list[dict[str, Any]]:
    return [
        {
            "at": e.at.isoformat(),
            "action": e.action,
            "action_label": e.action_label,
            "who": e.who,
            "role": e.role,
            "unit": e.unit,
            "fields": e.fields,
            "purpose": e.purpose,
            "with_grant": e.with_grant,
            "case": e.case,
        }
        for e in history.events
    ]
