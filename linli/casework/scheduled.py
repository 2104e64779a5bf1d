"""CASE-5 / CASE-6 / CASE-9: the periodic deadline sweep (warn, overdue, escalate, 回访).

Run by `manage.py casework_sweep [--loop SECONDS]` or the `sweep_deadlines_task` task.

Rules (all times compare with the exclusive `close_due`: late from `now >= close_due`):

- warn: an open case, not yet warned, not yet due, with less than a quarter of its close
  window left, the window running from `created_at` to `close_due`
  (3 × (close_due − now) < now − created_at). A quarter scales with the window: about a day
  before a 3-working-day deadline, 30 minutes before a 2-hour urgent one. A fixed "4 hours
  before" was rejected: working-day deadlines end at midnight, so it would warn at 20:00.
  An approved deferral (缓办) moves `close_due` and clears `warned_at`/`overdue`, so a
  deferred case is judged against its new deadline; a deferral only asked for changes
  nothing. A reopened case (返工) keeps its `created_at`, so it is warned soon after.
- overdue: an open case past `close_due` and not yet marked.
- escalate (升级督办): an overdue open case not yet escalated, once the whole working day
  after its deadline has passed — or at once for urgent categories. Escalation goes to the
  owner unit's superior (`Department.parent`; a 居委会's is the street office), or, for a
  unit with no superior, to the street office of the case's street.
- 回访: a closed case nobody rated by `follow_up_due` gets an internal "回访任务" note for
  the owner unit, whose staff are told; `follow_up_due` is cleared so it happens once.
- whistle (CASE-6): a department that has not reported by its call's due date, on a case
  still open, is escalated to the street office of the case's street.

Set-based: each step selects the rows that change in one query (locked with SKIP LOCKED,
so sweeps on several workers split the work instead of repeating it), updates them with
`UPDATE … WHERE id IN (…)` in chunks, bulk-inserts their timeline events and audit entries,
and sends one message per person per step, however many cases it names. Each step's
filter excludes what it already did, so a second run changes nothing.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Q, QuerySet, Value
from django.db.models.lookups import LessThan
from django.utils import timezone

from linli.casework.choices import OPEN_STATUSES, AuditAction, EventKind, Status, Urgency
from linli.casework.models import Case, CaseEvent, WhistleCall
from linli.casework.notify import case_url, notify_users, queue_url
from linli.casework.units import staff_by_unit
from linli.core.audit.services import audit_record
from linli.core.calendar.selectors import WorkingCalendar
from linli.geo.choices import DepartmentKind
from linli.geo.models import Department

CASE_TYPE = "casework.case"
WARN_NOTE = "临近办结期限,请抓紧办理"
OVERDUE_NOTE = "已超过办结期限"
FOLLOW_UP_NOTE = "回访任务:结案后居民未评价,请电话或上门回访"
# How many case ids one audit entry of the sweep names.
AUDIT_IDS = 1000
# How many tracking numbers a grouped message lists before "…".
LIST_IN_MESSAGE = 20
T = TypeVar("T")


@dataclass(frozen=True)
class SweepResult:
    warned: int = 0
    overdue: int = 0
    escalated: int = 0
    follow_ups: int = 0
    whistle_calls: int = 0  # 吹哨 calls escalated for not reporting in time


@dataclass(frozen=True)
class _Row:
    pk: int
    tracking_no: str
    status: str
    owner_unit_id: int
    handler_unit_id: int | None
    street_id: int


_ROW_FIELDS = (
    "pk",
    "tracking_no",
    "status",
    "owner_unit_id",
    "handler_unit_id",
    "community__street_id",
)


def _chunk_size() -> int:
    limit = connection.features.max_query_params
    return 5000 if limit is None else max(1, min(5000, limit - 50))


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    size = _chunk_size()
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _claim(qs: QuerySet[Case]) -> list[_Row]:
    """The rows this sweep will change, locked; rows another sweep holds are skipped."""
    locked = qs.select_for_update(skip_locked=True, of=("self",)).order_by("pk")
    return [_Row(*values) for values in locked.values_list(*_ROW_FIELDS)]


def _set(rows: Sequence[_Row], now: dt.datetime, **values: Any) -> None:
    ids = [r.pk for r in rows]
    for chunk in _chunks(ids):
        Case.objects.filter(pk__in=chunk).update(**values, updated_at=now)


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return connection.ops.quote_name(field.column)


# Events of the sweep: one per case, written by INSERT … SELECT (the case's status read in
# SQL). Only quoted identifiers from the models are formatted into the text; values are
# parameters.
_EVENT_FIELDS = ("case", "kind", "at", "actor", "unit", "from_status", "to_status", "note")


def _insert_events(
    ids: Sequence[int], *, kind: EventKind, now: dt.datetime, note: str, unit_id: int | None
) -> None:
    qn = connection.ops.quote_name
    columns = ", ".join(_column(CaseEvent, name) for name in (*_EVENT_FIELDS, "public"))
    pk, status = _column(Case, "id"), _column(Case, "status")
    at = connection.ops.adapt_datetimefield_value(now)
    head = (
        f"INSERT INTO {qn(CaseEvent._meta.db_table)} ({columns}) "  # noqa: S608
        f"SELECT {pk}, %s, %s, NULL, %s, {status}, {status}, %s, %s "
        f"FROM {qn(Case._meta.db_table)} WHERE {pk} IN "
    )
    with connection.cursor() as cursor:
        for chunk in _chunks(ids):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"{head}({marks})", [str(kind), at, unit_id, note, False, *chunk])


def _record(
    rows: Sequence[_Row],
    *,
    kind: EventKind,
    now: dt.datetime,
    note_and_unit: Callable[[_Row], tuple[str, int | None]],
) -> None:
    """Timeline events for the rows a step changed (one INSERT … SELECT per note and unit,
    so per handful of units, not per case) and audit entries naming the cases, up to
    AUDIT_IDS cases per entry: the sweep is one system action over many cases; each case's
    own history is its timeline."""
    groups: dict[tuple[str, int | None], list[int]] = defaultdict(list)
    for r in rows:
        groups[note_and_unit(r)].append(r.pk)
    for (note, unit_id), ids in groups.items():
        _insert_events(ids, kind=kind, now=now, note=note, unit_id=unit_id)
    ids = [r.pk for r in rows]
    for i in range(0, len(ids), AUDIT_IDS):
        chunk = ids[i : i + AUDIT_IDS]
        audit_record(
            actor=None,
            action=AuditAction.of_step(kind),
            object_type=CASE_TYPE,
            data={"cases": chunk, "count": len(chunk), "at": now.isoformat()},
        )


@dataclass
class _Outbox:
    """Collects, per person, the cases a step names; then one message each."""

    title: str  # "{what}" is replaced by "诉求 X" or "N 件诉求"
    channels: tuple[str, ...] = ()
    by_user: dict[int, tuple[Any, list[str]]] = field(default_factory=dict)

    def add(self, users: Sequence[Any], tracking_no: str) -> None:
        for user in users:
            self.by_user.setdefault(user.pk, (user, []))[1].append(tracking_no)

    def send(self) -> None:
        for user, numbers in self.by_user.values():
            if len(numbers) == 1:
                what, url = f"诉求 {numbers[0]}", case_url(numbers[0])
            else:
                what, url = f"{len(numbers)} 件诉求", queue_url()
            shown = "、".join(numbers[:LIST_IN_MESSAGE])
            more = " 等" if len(numbers) > LIST_IN_MESSAGE else ""
            notify_users(
                [user],
                title=self.title.format(what=what),
                body=f"受理编号:{shown}{more}",
                url=url,
                channels=self.channels,
            )


def _units(ids: set[int]) -> dict[int, Department]:
    return {d.pk: d for d in Department.objects.filter(pk__in=ids)} if ids else {}


def _open() -> QuerySet[Case]:
    return Case.objects.filter(status__in=OPEN_STATUSES)


def _responsible_staff(rows: Sequence[_Row]) -> Callable[[_Row], list[Any]]:
    """The handler unit's staff, or the owner unit's when there is no handler (or nobody)."""
    units = _units({r.owner_unit_id for r in rows} | {r.handler_unit_id or 0 for r in rows})
    staff = staff_by_unit(units.values())

    def of(r: _Row) -> list[Any]:
        handlers = staff.get(r.handler_unit_id, []) if r.handler_unit_id else []
        return handlers or staff.get(r.owner_unit_id, [])

    return of


@transaction.atomic
def _warn(now: dt.datetime) -> int:
    remaining = ExpressionWrapper(
        F("close_due") - Value(now, output_field=DateTimeField()), output_field=DurationField()
    )
    elapsed = ExpressionWrapper(
        Value(now, output_field=DateTimeField()) - F("created_at"), output_field=DurationField()
    )
    qs = _open().filter(
        LessThan(
            ExpressionWrapper(remaining * Value(3), output_field=DurationField()),
            elapsed,
        ),
        warned_at__isnull=True,
        close_due__gt=now,
    )
    return _flag_and_tell(
        _claim(qs), now, EventKind.WARNED, WARN_NOTE, "临期提醒:{what}即将超期", warned_at=now
    )


@transaction.atomic
def _mark_overdue(now: dt.datetime) -> int:
    rows = _claim(_open().filter(overdue=False, close_due__lte=now))
    return _flag_and_tell(
        rows, now, EventKind.OVERDUE, OVERDUE_NOTE, "超期提醒:{what}已超期", overdue=True
    )


def _flag_and_tell(
    rows: list[_Row], now: dt.datetime, kind: EventKind, note: str, title: str, **flags: Any
) -> int:
    """Set the flags, put an internal event on each timeline, tell the responsible staff."""
    if not rows:
        return 0
    _set(rows, now, **flags)
    _record(
        rows,
        kind=kind,
        now=now,
        note_and_unit=lambda r: (note, r.handler_unit_id or r.owner_unit_id),
    )
    outbox, staff = _Outbox(title=title), _responsible_staff(rows)
    for r in rows:
        outbox.add(staff(r), r.tracking_no)
    outbox.send()
    return len(rows)


def escalation_cutoff(*, now: dt.datetime, calendar: WorkingCalendar | None = None) -> dt.datetime:
    """Cases due at or before this moment have been late for a whole working day.

    A case due at 00:00 of day D+1 (its last day on time is D) is escalated once the first
    working day after D has ended. That holds exactly when D is before W, the last working
    day before today, i.e. when close_due <= 00:00 of W.
    """
    calendar = calendar or WorkingCalendar()
    tz = timezone.get_default_timezone()
    day = timezone.localtime(now, tz).date() - dt.timedelta(days=1)
    for _ in range(400):
        if calendar.is_working_day(day):
            break
        day -= dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def _superiors(rows: Sequence[_Row]) -> Callable[[_Row], Department | None]:
    """Owner unit's parent, else the street office of the case's street (if not itself)."""
    owners = {
        d.pk: d
        for d in Department.objects.filter(pk__in={r.owner_unit_id for r in rows}).select_related(
            "parent"
        )
    }
    offices: dict[int, Department] = {}
    for d in Department.objects.filter(
        kind=DepartmentKind.STREET_OFFICE, street_id__in={r.street_id for r in rows}
    ).order_by("-pk"):
        offices[d.street_id] = d  # type: ignore[index]  # street_id is set by the filter

    def of(r: _Row) -> Department | None:
        owner = owners[r.owner_unit_id]
        if owner.parent is not None:
            return owner.parent
        office = offices.get(r.street_id)
        return office if office is not None and office.pk != owner.pk else None

    return of


@transaction.atomic
def _escalate(now: dt.datetime, calendar: WorkingCalendar) -> int:
    cutoff = escalation_cutoff(now=now, calendar=calendar)
    qs = _open().filter(
        Q(close_due__lte=cutoff) | Q(category__urgency=Urgency.URGENT),
        overdue=True,
        escalated_at__isnull=True,
        close_due__lte=now,
    )
    rows = _claim(qs)
    if not rows:
        return 0
    _set(rows, now, escalated_at=now)
    superior_of = _superiors(rows)
    superior = {r.pk: superior_of(r) for r in rows}

    def note_and_unit(r: _Row) -> tuple[str, int | None]:
        s = superior[r.pk]
        return (f"超期未办结,已提请{s.name}督办", s.pk) if s else ("超期未办结,升级督办", None)

    _record(rows, kind=EventKind.ESCALATED, now=now, note_and_unit=note_and_unit)
    staff = staff_by_unit(s for s in superior.values() if s is not None)
    outbox = _Outbox(title="升级督办:{what}超期未办结", channels=("sms",))
    for r in rows:
        s = superior[r.pk]
        if s is not None:
            outbox.add(staff.get(s.pk, []), r.tracking_no)
    outbox.send()
    return len(rows)


@transaction.atomic
def _follow_up(now: dt.datetime) -> int:
    qs = Case.objects.filter(
        status=Status.CLOSED, rating__isnull=True, follow_up_due__isnull=False
    ).filter(follow_up_due__lte=now)
    rows = _claim(qs)
    if not rows:
        return 0
    _set(rows, now, follow_up_due=None)
    _record(
        rows,
        kind=EventKind.NOTE,
        now=now,
        note_and_unit=lambda r: (FOLLOW_UP_NOTE, r.owner_unit_id),
    )
    staff = staff_by_unit(_units({r.owner_unit_id for r in rows}).values())
    outbox = _Outbox(title="回访任务:{what}待回访")
    for r in rows:
        outbox.add(staff.get(r.owner_unit_id, []), r.tracking_no)
    outbox.send()
    return len(rows)


@transaction.atomic
def _escalate_whistle_calls(now: dt.datetime) -> int:
    calls = list(
        WhistleCall.objects.filter(
            reported_at__isnull=True,
            escalated_at__isnull=True,
            due__lte=now,
            whistle__case__status__in=OPEN_STATUSES,
        )
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("department", "whistle__case__community")
        .order_by("pk")
    )
    if not calls:
        return 0
    ids = [c.pk for c in calls]
    for chunk in _chunks(ids):
        WhistleCall.objects.filter(pk__in=chunk).update(escalated_at=now, updated_at=now)
    street_ids = {c.whistle.case.community.street_id for c in calls}
    offices: dict[int, Department] = {}
    for d in Department.objects.filter(
        kind=DepartmentKind.STREET_OFFICE, street_id__in=street_ids
    ).order_by("-pk"):
        offices[d.street_id] = d  # type: ignore[index]
    by_case: dict[int, list[WhistleCall]] = defaultdict(list)
    for c in calls:
        by_case[c.whistle.case_id].append(c)
    rows = []
    notes: dict[int, str] = {}
    for case_id, case_calls in by_case.items():
        case = case_calls[0].whistle.case
        names = "、".join(c.department.name for c in case_calls)
        notes[case_id] = f"吹哨报到超期:{names}未在期限内报到,已提请街道督办"
        rows.append(
            _Row(
                case.pk,
                case.tracking_no,
                case.status,
                case.owner_unit_id,
                case.handler_unit_id,
                case.community.street_id,
            )
        )

    def office_id(r: _Row) -> int | None:
        office = offices.get(r.street_id)
        return office.pk if office else None

    _record(
        rows,
        kind=EventKind.ESCALATED,
        now=now,
        note_and_unit=lambda r: (notes[r.pk], office_id(r)),
    )
    staff = staff_by_unit(offices.values())
    outbox = _Outbox(title="吹哨未报到:{what}有部门超期未报到", channels=("sms",))
    for r in rows:
        oid = office_id(r)
        if oid is not None:
            outbox.add(staff.get(oid, []), r.tracking_no)
    outbox.send()
    return len(calls)


def sweep_deadlines(*, now: dt.datetime | None = None) -> SweepResult:
    """One pass over every deadline. Safe to run often, on several workers at once."""
    now = now or timezone.now()
    calendar = WorkingCalendar()
    return SweepResult(
        warned=_warn(now),
        overdue=_mark_overdue(now),
        escalated=_escalate(now, calendar),
        follow_ups=_follow_up(now),
        whistle_calls=_escalate_whistle_calls(now),
    )
