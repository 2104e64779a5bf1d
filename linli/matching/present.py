"""How a match's score is shown: its terms as labelled rows that add up, and why the
runner-up lost — with the runner-up's name for staff, without it for the volunteer."""

from typing import Any

from django.utils.translation import gettext as _

from linli.matching.models import Match
from linli.matching.scoring import TERM_LABELS


def why_text(match: Match) -> str:
    code = match.why
    runner = match.runner_up or {}
    if code in TERM_LABELS:
        return _("次选人选得分低 %(gap)s 分,主要差在「%(term)s」。") % {
            "gap": runner.get("gap", ""),
            "term": TERM_LABELS[code],
        }
    texts = {
        "only": _("您是唯一符合条件的人选。"),
        "elsewhere": _("次选人选得分不低于您,但本轮安排其服务另一项需求,整体更优。"),
        "fairness": _("次选人选得分不低于您,但本轮已分配较多,为公平起见安排给您。"),
        "urgent": _("紧急需求:同时邀请得分最高的几位,先接受者服务。"),
        "next": _("前一位人选未能接受,您是剩余人选中得分最高的。"),
    }
    return str(texts.get(code, ""))


def explain(match: Match, *, staff: bool) -> dict[str, Any]:
    rows = [
        {"term": k, "label": str(TERM_LABELS.get(k, k)), "points": v}
        for k, v in match.terms.items()
        if v or k in ("fit", "distance", "time")
    ]
    runner = match.runner_up or {}
    out: dict[str, Any] = {"rows": rows, "score": match.score, "why": why_text(match)}
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
        "why": why_text(match),
        "runner_up": runner or None,
        "expires_at": match.expires_at,
    }
