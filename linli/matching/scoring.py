"""The score of a (need, volunteer) pair, term by term, and the hard filters before it.
Terms are rounded to 0.01 and the score is their sum, so what staff and the volunteer read
adds up exactly."""

import math
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# Weights: a perfect fit is worth more than being next door, which is worth more than
# priority; reliability and recent load tip close calls.
FIT_PRIMARY = 30.0
FIT_SECONDARY = 20.0
DISTANCE = 20.0
DISTANCE_UNKNOWN = 10.0  # no location on one side: half marks
TIME = 15.0
PRIORITY_EACH = 5.0  # per priority ground of the person served, at most 3
RELIABILITY = 10.0
LOAD_EACH = 2.0  # per service in the last 30 days, at most 5
FAIRNESS_STEP = 5.0  # each extra assignment in the same window
DEFAULT_CAP = 3

TERM_LABELS: Mapping[str, object] = {
    "fit": _("技能匹配"),
    "distance": _("距离"),
    "time": _("时间吻合"),
    "priority": _("服务对象优先"),
    "reliability": _("守约记录"),
    "load": _("近期服务量"),
    "fairness": _("本轮已分配"),
}

# The hard filters, in the order they are applied; an unmatched need names the first that
# left no one.
FILTER_LABELS: Mapping[str, object] = {
    "skill": _("没有具备该技能的志愿者"),
    "availability": _("具备技能的志愿者在该时段都不开放"),
    "busy": _("有空的志愿者在该时段都已有安排"),
    "capacity": _("人数超出了所有候选人的接待能力"),
    "distance": _("候选人都超出了距离上限"),
    "cap": _("候选人在本时段都已达分配上限"),
}


@dataclass(frozen=True)
class NeedFacts:
    skill: str
    lat: float | None
    lon: float | None
    max_distance_m: int
    priority: int


@dataclass(frozen=True)
class VolunteerFacts:
    primary: str
    skills: tuple[str, ...]
    lat: float | None
    lon: float | None
    reliability: float
    recent_load: int


def distance_m(
    lat1: float | None, lon1: float | None, lat2: float | None, lon2: float | None
) -> float | None:
    if None in (lat1, lon1, lat2, lon2):
        return None
    p1, p2 = math.radians(lat1), math.radians(lat2)  # type: ignore[arg-type]
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)  # type: ignore[operator]
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def terms(need: NeedFacts, vol: VolunteerFacts, covered: float) -> dict[str, float]:
    """The pair's score terms (the fairness term is added by the assignment)."""
    fit = FIT_PRIMARY if vol.primary == need.skill else FIT_SECONDARY
    d = distance_m(need.lat, need.lon, vol.lat, vol.lon)
    if d is None:
        near = DISTANCE_UNKNOWN
    else:
        near = DISTANCE * max(0.0, 1.0 - d / max(need.max_distance_m, 1))
    return {
        "fit": round(fit, 2),
        "distance": round(near, 2),
        "time": round(TIME * min(max(covered, 0.0), 1.0), 2),
        "priority": round(PRIORITY_EACH * min(need.priority, 3), 2),
        "reliability": round(RELIABILITY * vol.reliability, 2),
        "load": round(-LOAD_EACH * min(vol.recent_load, 5), 2),
    }


def total(parts: Mapping[str, float]) -> float:
    return round(sum(parts.values()), 2)


def biggest_gap(winner: Mapping[str, float], other: Mapping[str, float]) -> str:
    """The term on which the winner leads the other most."""
    return max(winner, key=lambda k: winner[k] - other.get(k, 0.0))
