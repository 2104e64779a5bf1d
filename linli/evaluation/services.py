"""EVAL-3: freezing a month into a snapshot, and publishing composite-score weights."""

import contextlib
import datetime as dt
import time
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit.services import audit_record
from linli.core.errors import Conflict, PermissionDenied, ValidationFailed
from linli.evaluation import metrics
from linli.evaluation.models import Snapshot, SnapshotFigure, WeightSet
from linli.evaluation.policy import can_manage

DEFAULT_WEIGHTS = {
    WeightSet.Kind.DEPARTMENT: {
        "on_time_close_rate": 30,
        "close_rate": 20,
        "on_time_handle_rate": 15,
        "satisfaction_rate": 25,
        "rework_rate": 10,
    },
    WeightSet.Kind.AREA: {
        "on_time_close_rate": 25,
        "satisfaction_rate": 25,
        "settled_in_community": 20,
        "resolution_rate": 10,
        "rework_rate": 10,
        "alerts_answered_2h": 10,
    },
}


def month_start(value: dt.date) -> dt.date:
    return value.replace(day=1)


def last_closed_month(now: dt.datetime | None = None) -> dt.date:
    """The latest month that has ended (local time)."""
    today = timezone.localtime(now or timezone.now()).date()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def snapshot_month(
    *, month: dt.date, actor: Any = None, reason: str = "", recompute: bool = False
) -> Snapshot:
    """Compute every metric by every dimension for `month` and freeze it. A month that has
    a snapshot is only recomputed on purpose (`recompute` with a reason, by a system
    administrator or the scheduled run), as a new revision next to the old one."""
    month = month_start(month)
    period = metrics.Period(month)
    if period.end > timezone.now():
        raise ValidationFailed(_("这个月还没有结束,不能生成月度快照。"), field="month")
    if actor is not None and not can_manage(actor):
        raise PermissionDenied(_("只有系统管理员可以生成或重算月度快照。"))
    existing = Snapshot.objects.filter(month=month).aggregate(n=Max("revision"))["n"] or 0
    if existing and not recompute:
        raise Conflict(
            _("%(month)s 的快照已经生成,重算需要说明原因。") % {"month": f"{month:%Y-%m}"}
        )
    reason = reason.strip()
    if existing and not reason:
        raise ValidationFailed(_("请填写重算原因。"), field="reason")
    began = time.monotonic()
    rows: list[SnapshotFigure] = []
    for metric in metrics.METRICS:
        for by in metric.dimensions:
            for key, fig in metric.compute(period, by).items():
                rows.append(
                    SnapshotFigure(
                        month=month,
                        metric=metric.key,
                        version=metric.version,
                        dimension=by,
                        key=key,
                        numerator=fig.numerator,
                        denominator=fig.denominator,
                        value=fig.value,
                    )
                )
    try:
        with transaction.atomic():
            snap = Snapshot.objects.create(
                month=month,
                revision=existing + 1,
                frozen_at=timezone.now(),
                reason=reason[:300],
                created_by=actor,
                seconds=round(time.monotonic() - began, 3),
            )
            for row in rows:
                row.snapshot = snap
            SnapshotFigure.objects.bulk_create(rows, batch_size=2000)
            audit_record(
                actor=actor,
                action="evaluation.snapshot",
                obj=snap,
                data={"month": f"{month:%Y-%m}", "revision": snap.revision, "figures": len(rows)},
            )
    except IntegrityError as exc:  # a parallel run froze the same revision first
        raise Conflict(_("该月快照正在由其他任务生成,请稍后查看。")) from exc
    return snap


def snapshot_due(*, now: dt.datetime | None = None, months_back: int = 12) -> list[Snapshot]:
    """The scheduled run: freeze every ended month (of the last `months_back`) that has no
    snapshot yet. Never recomputes."""
    month = last_closed_month(now)
    done = set(Snapshot.objects.values_list("month", flat=True))
    made = []
    for _i in range(months_back):
        if month not in done:
            with contextlib.suppress(Conflict):
                made.append(snapshot_month(month=month))
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return made


def weights_publish(*, actor: Any, kind: str, weights: dict[str, Any], note: str = "") -> WeightSet:
    """A new version of a composite score's weights. Refused unless every metric is a known
    rate and the weights are whole percents adding up to exactly 100."""
    if not can_manage(actor):
        raise PermissionDenied(_("只有系统管理员可以修改综合评价权重。"))
    if kind not in WeightSet.Kind.values:
        raise ValidationFailed(_("评价类型无效。"), field="kind")
    if not weights:
        raise ValidationFailed(_("请至少填写一项指标的权重。"), field="weights")
    clean: dict[str, int] = {}
    for key, value in weights.items():
        metric = metrics.REGISTRY.get(key)
        if metric is None or not metric.is_rate:
            raise ValidationFailed(
                _("未知或不能计分的指标:%(key)s") % {"key": key}, field="weights"
            )
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 100:
            raise ValidationFailed(_("权重应为 1 到 100 的整数(百分比)。"), field="weights")
        clean[key] = value
    total = sum(clean.values())
    if total != 100:
        raise ValidationFailed(
            _("权重合计应为 100%%,现在是 %(total)s%%。") % {"total": total}, field="weights"
        )
    with transaction.atomic():
        latest = WeightSet.objects.select_for_update().filter(kind=kind).aggregate(n=Max("version"))
        ws = WeightSet.objects.create(
            kind=kind,
            version=(latest["n"] or 0) + 1,
            weights=clean,
            note=note.strip()[:300],
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="evaluation.weights",
            obj=ws,
            data={"kind": kind, "version": ws.version},
        )
    return ws


def weights_current(kind: str) -> tuple[int, dict[str, int]]:
    """(version, weights) in force; version 0 = the built-in defaults."""
    ws = WeightSet.objects.filter(kind=kind).order_by("-version").first()
    if ws is None:
        return 0, dict(DEFAULT_WEIGHTS[WeightSet.Kind(kind)])
    return ws.version, dict(ws.weights)
