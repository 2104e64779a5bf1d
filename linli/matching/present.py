"""How a match's score is shown: its terms as labelled rows that add up, and why the
runner-up lost — with the runner-up's name for staff, without it for the volunteer."""

from typing import Any

from django.utils.translation import gettext as _

from linli.matching.models import Match
from linli.matching.scoring import TERM_LABELS


def explain(match: Match, *, staff: bool) -> dict[str, Any]:
    rows = [
        {"term": k, "label": str(TERM_LABELS.get(k, k)), "points": v}
        for k, v in match.terms.items()
        if v or k in ("fit", "distance", "time")
    ]
    runner = match.runner_up or {}
    out: dict[str, Any] = {"rows": rows, "score": match.score, "why": match.why}
    if staff and runner:
        out["runner_up"] = _("次选:%(name)s(%(score)s 分)") % {
            "name": runner.get("name", ""),
            "score": runner.get("score", ""),
        }
    return out


def match_out(match: Match, *, staff: bool) -> dict[str, Any]:
    need = match.need
    runner = dict(match.runner_up or {})
    if not staff:
        runner.pop("name", None)
        runner.pop("resource", None)
    return {
        "id": match.pk,
        "need_id": need.pk,
        "need_title": need.title,
        "starts_at": need.starts_at,
        "ends_at": need.ends_at,
        "status": match.status,
        "volunteer": match.volunteer.display_name if staff else None,
        "score": match.score,
        "terms": match.terms,
        "why": match.why,
        "runner_up": runner or None,
        "expires_at": match.expires_at,
    }
