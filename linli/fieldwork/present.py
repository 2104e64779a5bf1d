"""Shapes shared by the pages and the API."""

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.fieldwork.models import DayTask
from linli.fieldwork.selectors import GridMeasures
from linli.fieldwork.services.today import DEVICE_WORDS, NEVER_VISITED, NOT_WALKED
from linli.people.selectors import residents_brief

PURPOSE = "网格员今日任务"
TRANSLATED_DETAILS = {NEVER_VISITED, NOT_WALKED, *DEVICE_WORDS.values()}


def tasks_out(actor: Any, tasks: list[DayTask]) -> list[dict[str, Any]]:
    """Today's items with the names of the people to visit (one audited list entry)."""
    ids = [t.resident_id for t in tasks if t.resident_id]
    briefs = (
        residents_brief(actor=actor, ids=ids, purpose=PURPOSE, limit=len(ids) or 1) if ids else {}
    )
    now = timezone.now()
    out = []
    for t in tasks:
        b = briefs.get(t.resident_id) if t.resident_id else None
        out.append(
            {
                "id": t.pk,
                "kind": t.kind,
                "kind_label": str(t.get_kind_display()),
                "title": _(t.title),  # a catalogue id (services.today)
                "detail": _(t.detail) if t.detail in TRANSLATED_DETAILS else t.detail,
                "due_at": t.due_at,
                "overdue": bool(t.due_at and t.due_at < now),
                "grid": t.grid.name,
                "building": t.building.name if t.building_id and t.building else "",
                "resident_id": t.resident_id,
                "resident_name": b.full_name if b else "",
                "address": b.address if b else "",
                "case_id": t.case_id,
                "case_tracking_no": t.case.tracking_no if t.case_id and t.case else "",
            }
        )
    return out


def measure_out(m: GridMeasures) -> dict[str, Any]:
    return {
        "grid_id": m.grid_id,
        "grid": m.grid_name,
        "reports": m.reports,
        "registered": m.registered,
        "valid_rate": m.valid_rate,
        "proactive": m.proactive,
        "complaints": m.complaints,
        "proactive_share": m.proactive_share,
        "missed": [
            {
                "case_id": x.case_id,
                "tracking_no": x.tracking_no,
                "category": x.category_name,
                "created_at": x.created_at,
                "passed_at": x.passed_at,
                "metres": x.metres,
            }
            for x in m.missed
        ],
    }


def period(days: int = 30) -> tuple[dt.datetime, dt.datetime]:
    until = timezone.now()
    return until - dt.timedelta(days=days), until
