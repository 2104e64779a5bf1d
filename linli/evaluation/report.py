"""EVAL-5: the monthly report as a PDF with Chinese text and bar charts drawn with fpdf2
(the CJK font as in mediation's agreement), from the frozen snapshots only. A community's
report is built at once; a street's or the district's by the task worker."""

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from linli.core.errors import NotFound, ValidationFailed
from linli.core.roles import Role
from linli.evaluation import metrics
from linli.evaluation.models import Report, SnapshotFigure
from linli.evaluation.policy import DISTRICT_ROLES, reach_of
from linli.evaluation.selectors import labels, latest_snapshots
from linli.geo.models import Community, Street
from linli.geo.scope import Scope
from linli.mediation.pdf import _font

KEY_METRICS = (
    "due",
    "close_rate",
    "on_time_close_rate",
    "on_time_handle_rate",
    "rework_rate",
    "overdue",
    "response_median",
    "satisfaction_rate",
    "resolution_rate",
    "rating_participation",
    "settled_in_grid",
    "settled_in_community",
    "alerts_answered_2h",
    "mediation_success",
    "survey_satisfaction",
)
CHART_METRIC = "on_time_close_rate"


def _place(actor: Any) -> tuple[str, int | None, str]:
    """(level, id, name) of the actor's place: district, their street, their community."""
    if actor.role in DISTRICT_ROLES:
        return "district", None, _("全区")
    scope = Scope.for_actor(actor)
    if actor.role == Role.STREET_ADMIN and scope.street_ids:
        street = Street.objects.get(pk=min(scope.street_ids))
        return "street", street.pk, street.name
    community = scope.communities().first()
    if community is None:
        raise ValidationFailed(_("您没有可以出报告的辖区。"), field="month")
    return "community", community.pk, community.name


def report_request(*, actor: Any, month: dt.date) -> Report:
    month = month.replace(day=1)
    if month not in {s.month for s in latest_snapshots(24)}:
        raise ValidationFailed(_("这个月还没有冻结的快照,不能出报告。"), field="month")
    level, place_id, name = _place(actor)
    with transaction.atomic():
        report = Report.objects.create(
            month=month, level=level, place_id=place_id, place_name=name, requested_by=actor
        )
        if level == "community":
            report_build(report_id=report.pk)
            report.refresh_from_db()
        else:
            from linli.evaluation.tasks import build_report

            transaction.on_commit(lambda: build_report.enqueue(report_id=report.pk))
    return report


def report_get(*, actor: Any, report_id: int) -> Report:
    report = Report.objects.filter(pk=report_id, requested_by=actor).first()
    if report is None:
        raise NotFound(_("找不到这份报告。"))
    return report


def _rows(report: Report) -> tuple[dict[str, dict[dt.date, float | None]], list[dt.date]]:
    """metric → month → value for the report's place (the last 12 frozen months)."""
    snaps = [s for s in latest_snapshots(24) if s.month <= report.month][-12:]
    dim, key = {
        "district": ("all", "all"),
        "street": ("street", str(report.place_id)),
        "community": ("community", str(report.place_id)),
    }[report.level]
    out: dict[str, dict[dt.date, float | None]] = {}
    for metric, month, value in SnapshotFigure.objects.filter(
        snapshot__in=snaps, dimension=dim, key=key, metric__in=KEY_METRICS
    ).values_list("metric", "month", "value"):
        out.setdefault(metric, {})[month] = value
    return out, [s.month for s in snaps]


def _ranking(report: Report) -> list[tuple[str, float | None]]:
    snap = next(s for s in latest_snapshots(24) if s.month == report.month)
    dim = "community" if report.level != "community" else "grid"
    qs = SnapshotFigure.objects.filter(snapshot=snap, metric=CHART_METRIC, dimension=dim)
    reach_ids: set[str] | None = None
    if report.level == "street":
        reach_ids = {
            str(c)
            for c in Community.objects.filter(street_id=report.place_id or 0).values_list(
                "pk", flat=True
            )
        }
    elif report.level == "community":
        from linli.geo.models import Grid

        reach_ids = {
            str(g)
            for g in Grid.objects.filter(community_id=report.place_id or 0).values_list(
                "pk", flat=True
            )
        }
    rows = [
        (k, v)
        for k, v in qs.values_list("key", "value")
        if v is not None and (reach_ids is None or k in reach_ids)
    ]
    names = labels(dim, {k for k, _v in rows})
    return sorted(((names.get(k, k), v) for k, v in rows), key=lambda r: -(r[1] or 0))


def render_pdf(report: Report) -> bytes:
    path, index = _font()
    pdf = FPDF(format="A4")
    pdf.set_title(f"{report.place_name} {report.month:%Y-%m} 考核月报")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    pdf.add_font("cjk", "", path, collection_font_number=index)
    pdf.set_font("cjk", size=18)
    pdf.cell(
        0,
        12,
        _("%(place)s %(month)s 考核月报")
        % {"place": report.place_name, "month": f"{report.month:%Y年%m月}"},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("cjk", size=9)
    pdf.cell(
        0,
        6,
        _("数据来自月末冻结的快照;生成于 %(at)s")
        % {"at": f"{timezone.localtime():%Y-%m-%d %H:%M}"},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    values, months = _rows(report)
    prev = months[-2] if len(months) > 1 else None
    pdf.set_font("cjk", size=11)
    widths = (70, 30, 30, 44)
    for text, w in zip((_("指标"), _("本月"), _("上月"), _("口径版本")), widths, strict=True):
        pdf.cell(w, 8, text, border=1)
    pdf.ln()
    for key in KEY_METRICS:
        m = metrics.REGISTRY[key]
        row = values.get(key, {})

        cells = (
            str(m.name),
            _fmt(m, row.get(report.month)),
            _fmt(m, row.get(prev)) if prev else "—",
            f"v{m.version}",
        )
        for text, w in zip(cells, widths, strict=True):
            pdf.cell(w, 7, text, border=1)
        pdf.ln()
    # Trend of the on-time close rate: one bar per month.
    pdf.ln(4)
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 8, _("按期结案率 按月"), new_x="LMARGIN", new_y="NEXT")
    trend = values.get(CHART_METRIC, {})
    _bars(pdf, [(f"{m:%m}", trend.get(m)) for m in months], vertical=True)
    ranking = _ranking(report)
    if ranking:
        pdf.add_page()
        pdf.set_font("cjk", size=12)
        title = _("各社区按期结案率") if report.level != "community" else _("各网格按期结案率")
        pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
        _bars(pdf, ranking[:25], vertical=False)
    return bytes(pdf.output())


def _fmt(m: metrics.Metric, v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:g}%" if m.is_rate else f"{v:g} {m.unit_label}"


def _bars(pdf: FPDF, rows: list[tuple[str, float | None]], *, vertical: bool) -> None:
    """A simple bar chart of percentages (0–100)."""
    x0, y0 = pdf.l_margin, pdf.get_y() + 2
    pdf.set_font("cjk", size=8)
    if vertical:
        height, width = 50.0, min(12.0, 170.0 / max(1, len(rows)))
        pdf.set_draw_color(180, 180, 180)
        pdf.line(x0, y0 + height, x0 + width * len(rows), y0 + height)
        for i, (label, value) in enumerate(rows):
            x = x0 + i * width
            if value is not None:
                h = height * value / 100
                pdf.set_fill_color(80, 110, 200)
                pdf.rect(x + 1.5, y0 + height - h, width - 3, h, style="F")
                pdf.set_xy(x, y0 + height - h - 4)
                pdf.cell(width, 4, f"{value:.0f}", align="C")
            pdf.set_xy(x, y0 + height + 1)
            pdf.cell(width, 4, label, align="C")
        pdf.set_y(y0 + height + 8)
        return
    label_w, bar_w, row_h = 45.0, 110.0, 7.0
    for i, (label, value) in enumerate(rows):
        y = y0 + i * row_h
        pdf.set_xy(x0, y)
        pdf.cell(label_w, row_h - 1, label)
        if value is not None:
            pdf.set_fill_color(80, 110, 200)
            pdf.rect(x0 + label_w, y + 1, bar_w * value / 100, row_h - 2.5, style="F")
            pdf.set_xy(x0 + label_w + bar_w * value / 100 + 1, y)
            pdf.cell(15, row_h - 1, f"{value:g}%")
    pdf.set_y(y0 + len(rows) * row_h + 4)


def report_build(*, report_id: int) -> str:
    """Build the PDF (the task, or at once for a community): ready, or failed."""
    report = Report.objects.get(pk=report_id)
    if report.state == Report.State.READY:
        return report.state
    try:
        data = render_pdf(report)
    except Exception:
        Report.objects.filter(pk=report.pk).update(
            state=Report.State.FAILED, finished_at=timezone.now()
        )
        raise
    report.file.save(f"report-{report.pk}.pdf", ContentFile(data), save=False)
    report.state = Report.State.READY
    report.finished_at = timezone.now()
    report.save(update_fields=["file", "state", "finished_at", "updated_at"])
    return report.state


def reach_check(actor: Any) -> bool:
    return bool(reach_of(actor).dimensions())
