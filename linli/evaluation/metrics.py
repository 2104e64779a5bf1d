"""EVAL-3: the metric registry. Each metric is declared once — name, numerator,
denominator, exclusions, unit, version — and computed by one function; the snapshots, the
dashboard, the API and the exports all read these figures. Change a formula → bump its
version (snapshots keep the version they were computed with).

Later apps add their metrics here (evaluation is the highest layer that reads the others).
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from linli.care import stats as care_stats
from linli.casework import stats as case_stats
from linli.core.calendar.selectors import WorkingCalendar
from linli.evaluation import surveys
from linli.geo.models import Community
from linli.ledger import stats as ledger_stats
from linli.matching.selectors import idle_rates
from linli.mediation import stats as mediation_stats

# The groupings every figure is computed by ("month" is the snapshot itself).
DIMENSIONS: dict[str, Promise] = {
    "all": _("全区"),
    "street": _("街道"),
    "community": _("社区"),
    "grid": _("网格"),
    "department": _("部门"),
    "category": _("事项大类"),
    "pilot": _("试点/非试点"),
    "worker": _("网格员"),
}
PLACE_DIMENSIONS = ("all", "street", "community", "grid", "pilot")
ALERT_DIMENSIONS = (*PLACE_DIMENSIONS, "worker")
UNITS: dict[str, Any] = {"%": "%", "件": _("件"), "小时": _("小时"), "分": _("分")}
MONTH = "{month}"  # in a drill filter: the figure's month, YYYY-MM
# A figure's group as the drilled list's filter (the case, alert and dispute lists share
# the names).
DRILL_PARAM = {
    "street": "street",
    "community": "community",
    "grid": "grid",
    "department": "unit",
    "category": "category",
    "pilot": "pilot",
    "worker": "worker",
}


@dataclass(frozen=True)
class Figure:
    """One metric for one group: numerator ÷ denominator, or a plain value (a count, a
    median). `value` is None when the denominator is 0: no cases is not 0%."""

    numerator: float
    denominator: float | None
    value: float | None


def ratio(numerator: int, denominator: int) -> Figure:
    value = round(100.0 * numerator / denominator, 2) if denominator else None
    return Figure(numerator, denominator, value)


def count(n: float) -> Figure:
    return Figure(n, None, n)


class Period:
    """A calendar month in local time, with a per-run cache so metrics that share a
    query (all of 结案率, 按期结案率 …) read it once."""

    def __init__(self, month: dt.date) -> None:
        tz = timezone.get_default_timezone()
        self.month = month.replace(day=1)
        nxt = (self.month + dt.timedelta(days=32)).replace(day=1)
        self.start = dt.datetime.combine(self.month, dt.time.min, tz)
        self.end = dt.datetime.combine(nxt, dt.time.min, tz)
        self._cache: dict[tuple[str, str], Any] = {}
        self.calendar = WorkingCalendar()

    def read(self, name: str, by: str, fn: Callable[..., Any]) -> Any:
        key = (name, by)
        if key not in self._cache:
            self._cache[key] = fn(start=self.start, end=self.end, by=by)
        return self._cache[key]


Compute = Callable[[Period, str], dict[str, Figure]]


@dataclass(frozen=True)
class Metric:
    key: str
    name: Promise
    numerator: Promise
    denominator: Promise
    exclusions: Promise
    unit: str  # "%", "件", "小时", "分"
    version: int
    compute: Compute
    dimensions: tuple[str, ...] = (
        "all",
        "street",
        "community",
        "grid",
        "department",
        "category",
        "pilot",
    )
    higher_is_better: bool = True
    # Which list lies behind the figure: "cases", "alerts", "disputes" (`DRILL_KINDS`), or
    # "" for none.
    drill: str = "cases"
    drill_filter: dict[str, str] = field(default_factory=dict)

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"

    @property
    def unit_label(self) -> str:
        return str(UNITS.get(self.unit, self.unit))


def _rates(source: str, fn: Callable[..., Any], num: str, den: str | tuple[str, str]) -> Compute:
    """A ratio of two counts of one source; `den` as (a, b) means a − b."""

    def compute(period: Period, by: str) -> dict[str, Figure]:
        rows = period.read(source, by, fn)
        out = {}
        for key, c in rows.items():
            d = c[den[0]] - c[den[1]] if isinstance(den, tuple) else c[den]
            out[key] = ratio(c[num], d)
        return out

    return compute


def _counted(source: str, fn: Callable[..., Any], name: str) -> Compute:
    def compute(period: Period, by: str) -> dict[str, Figure]:
        return {k: count(c[name]) for k, c in period.read(source, by, fn).items()}

    return compute


def working_hours(start: dt.datetime, end: dt.datetime, calendar: WorkingCalendar) -> float:
    """Hours from `start` to `end` that fall on working days (local time; a working day
    counts all its 24 hours, a weekend or holiday none)."""
    if end <= start:
        return 0.0
    tz = timezone.get_default_timezone()
    a, b = start.astimezone(tz), end.astimezone(tz)
    total = 0.0
    day = a.date()
    while day <= b.date():
        lo = max(a, dt.datetime.combine(day, dt.time.min, tz))
        hi = min(b, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tz))
        if hi > lo and calendar.is_working_day(day):
            total += (hi - lo).total_seconds() / 3600
        day += dt.timedelta(days=1)
    return total


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list: a value that occurred."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _response_hours(period: Period) -> list[tuple[dict[str, str], float]]:
    """Each case received in the period with its working hours to registration, computed
    once per period for every grouping."""

    def read(**_ignored: Any) -> list[tuple[dict[str, str], float]]:
        return [
            (keys, working_hours(received, registered, period.calendar))
            for keys, received, registered in case_stats.response_times(
                start=period.start, end=period.end
            )
        ]

    hours: list[tuple[dict[str, str], float]] = period.read("response", "*", read)
    return hours


def _response(q: float) -> Compute:
    def compute(period: Period, by: str) -> dict[str, Figure]:
        groups: dict[str, list[float]] = defaultdict(list)
        for keys, hours in _response_hours(period):
            groups[keys[by]].append(hours)
        return {k: Figure(len(v), None, round(percentile(v, q), 2)) for k, v in groups.items()}

    return compute


CASES = ("close", case_stats.close_counts)
CLOSED = ("closed", case_stats.closed_counts)
RATED = ("rated", case_stats.rating_counts)
WHISTLE = ("whistle", case_stats.whistle_counts)
ALERTS = ("alerts", care_stats.alert_counts)
DISPUTES = ("disputes", mediation_stats.dispute_counts)
SURVEYS = ("surveys", surveys.survey_counts)
HOURS = ("hours", ledger_stats.volunteer_minutes)
POINTS = ("points", ledger_stats.points_flow)
HOME = ("home_services", care_stats.home_service_counts)


def _hours(period: Period, by: str) -> dict[str, Figure]:
    rows = period.read(HOURS[0], by, HOURS[1])
    return {k: count(round(c["minutes"] / 60, 1)) for k, c in rows.items()}


def _idle_by_community(period: Period) -> dict[int, tuple[float, float]]:
    """community id → (idle hours, opening hours) of its venues over the month."""

    def read(**_ignored: Any) -> dict[int, tuple[float, float]]:
        days = (period.end - period.start).days
        out = {}
        for community in Community.objects.all():
            rows = [
                r
                for r in idle_rates(community_id=community.pk, now=period.end, days=days)
                if r.open_hours
            ]
            if rows:
                opened = sum(r.open_hours for r in rows)
                out[community.pk] = (opened - sum(r.booked_hours for r in rows), opened)
        return out

    found: dict[int, tuple[float, float]] = period.read("idle", "*", read)
    return found


def _idle(period: Period, by: str) -> dict[str, Figure]:
    communities = {
        c.pk: c for c in Community.objects.filter(pk__in=list(_idle_by_community(period)))
    }
    sums: dict[str, list[float]] = {}
    for pk, (idle, opened) in _idle_by_community(period).items():
        c = communities[pk]
        key = {
            "all": "all",
            "street": str(c.street_id),
            "community": str(pk),
            "pilot": "1" if c.is_pilot else "0",
        }[by]
        acc = sums.setdefault(key, [0.0, 0.0])
        acc[0] += idle
        acc[1] += opened
    return {
        k: Figure(
            round(idle, 1), round(opened, 1), round(100 * idle / opened, 2) if opened else None
        )
        for k, (idle, opened) in sums.items()
    }


def _settled_community(period: Period, by: str) -> dict[str, Figure]:
    rows = period.read(CLOSED[0], by, CLOSED[1])
    return {k: ratio(c["level_grid"] + c["level_community"], c["closed"]) for k, c in rows.items()}


def _mediation(period: Period, by: str) -> dict[str, Figure]:
    rows = period.read(DISPUTES[0], by, DISPUTES[1])
    return {k: ratio(c["agreements"], c["agreements"] + c["failures"]) for k, c in rows.items()}


DUE = _("办结期限在本月的诉求(应结案数)")
NOT_CASES = _("不予立案和已合并的诉求不计")

METRICS: tuple[Metric, ...] = (
    Metric(
        key="due",
        name=_("应结案数"),
        numerator=DUE,
        denominator=_("无"),
        exclusions=NOT_CASES,
        unit="件",
        version=1,
        compute=_counted(*CASES, "due"),
        drill_filter={"due": MONTH},
    ),
    Metric(
        key="close_rate",
        name=_("结案率"),
        numerator=_("应结案中到月末已结案的件数"),
        denominator=DUE,
        exclusions=NOT_CASES,
        unit="%",
        version=1,
        compute=_rates(*CASES, "closed", "due"),
        drill_filter={"due": MONTH},
    ),
    Metric(
        key="on_time_close_rate",
        name=_("按期结案率"),
        numerator=_("应结案中在办结期限前结案、且未经批准缓办的件数"),
        denominator=_("应结案数 − 经批准缓办的件数"),
        exclusions=_("经批准缓办的诉求不计入分子和分母;不予立案和已合并的不计"),
        unit="%",
        version=1,
        compute=_rates(*CASES, "on_time_not_deferred", ("due", "deferrals")),
        drill_filter={"due": MONTH, "deferred": "0"},
    ),
    Metric(
        key="handle_rate",
        name=_("处置率"),
        numerator=_("应结案中到月末已有处置反馈的件数"),
        denominator=DUE,
        exclusions=NOT_CASES,
        unit="%",
        version=1,
        compute=_rates(*CASES, "handled", "due"),
        drill_filter={"due": MONTH},
    ),
    Metric(
        key="on_time_handle_rate",
        name=_("按期处置率"),
        numerator=_("应结案中在办结期限前有处置反馈的件数"),
        denominator=DUE,
        exclusions=NOT_CASES,
        unit="%",
        version=1,
        compute=_rates(*CASES, "handled_on_time", "due"),
        drill_filter={"due": MONTH},
    ),
    Metric(
        key="rework_rate",
        name=_("返工率"),
        numerator=_("应结案中返工过(居民评价不满意而重办)的件数"),
        denominator=DUE,
        exclusions=NOT_CASES,
        unit="%",
        version=1,
        compute=_rates(*CASES, "rework", "due"),
        higher_is_better=False,
        drill_filter={"due": MONTH, "reworked": "1"},
    ),
    Metric(
        key="overdue",
        name=_("超期件数"),
        numerator=_("应结案中未在办结期限前结案的件数(含仍在办理的)"),
        denominator=_("无"),
        exclusions=NOT_CASES,
        unit="件",
        version=1,
        compute=_counted(*CASES, "late"),
        higher_is_better=False,
        drill_filter={"due": MONTH},
    ),
    Metric(
        key="response_median",
        name=_("首次响应时长(中位数)"),
        numerator=_("本月受理的诉求从受理到立案的工作时长(小时)的中位数"),
        denominator=_("本月受理且月末前已立案的件数"),
        exclusions=_("只计工作日的小时;周末和节假日不计"),
        unit="小时",
        version=1,
        compute=_response(50),
        higher_is_better=False,
        drill_filter={"received": MONTH},
    ),
    Metric(
        key="response_p90",
        name=_("首次响应时长(90%分位)"),
        numerator=_("同上,第 90 百分位(最近秩法)"),
        denominator=_("本月受理且月末前已立案的件数"),
        exclusions=_("只计工作日的小时;周末和节假日不计"),
        unit="小时",
        version=1,
        compute=_response(90),
        higher_is_better=False,
        drill_filter={"received": MONTH},
    ),
    Metric(
        key="satisfaction_rate",
        name=_("满意率"),
        numerator=_("本月评价为满意(5分)或基本满意(4分)的件数"),
        denominator=_("本月评价的件数"),
        exclusions=_("未评价的不计"),
        unit="%",
        version=1,
        compute=_rates(*RATED, "satisfied", "rated"),
        drill_filter={"rated": MONTH},
    ),
    Metric(
        key="resolution_rate",
        name=_("解决率"),
        numerator=_("本月评价中认为已解决(3分及以上,不触发返工)的件数"),
        denominator=_("本月评价(回访)的件数"),
        exclusions=_("未评价的不计"),
        unit="%",
        version=1,
        compute=_rates(*RATED, "resolved", "rated"),
        drill_filter={"rated": MONTH},
    ),
    Metric(
        key="rating_participation",
        name=_("参评率"),
        numerator=_("本月结案中已评价的件数"),
        denominator=_("本月结案的件数"),
        exclusions=NOT_CASES,
        unit="%",
        version=1,
        compute=_rates(*CLOSED, "rated", "closed"),
        drill_filter={"closed": MONTH},
    ),
    Metric(
        key="settled_in_grid",
        name=_("小事不出楼栋率"),
        numerator=_("本月结案中在楼栋/网格层级解决的件数"),
        denominator=_("本月结案的件数"),
        exclusions=NOT_CASES,
        unit="%",
        version=1,
        compute=_rates(*CLOSED, "level_grid", "closed"),
        drill_filter={"closed": MONTH, "level": "grid"},
    ),
    Metric(
        key="settled_in_community",
        name=_("大事不出社区率"),
        numerator=_("本月结案中在楼栋/网格或社区层级解决的件数"),
        denominator=_("本月结案的件数"),
        exclusions=NOT_CASES,
        unit="%",
        version=1,
        compute=_settled_community,
        drill_filter={"closed": MONTH},
    ),
    Metric(
        key="whistle_on_time",
        name=_("吹哨报到及时率"),
        numerator=_("报到期限在本月、按期报到的部门次数"),
        denominator=_("报到期限在本月的吹哨呼叫次数"),
        exclusions=_("无"),
        unit="%",
        version=1,
        compute=_rates(*WHISTLE, "on_time", "calls"),
        drill="",
    ),
    Metric(
        key="alerts_answered_2h",
        name=_("看护报警 2 小时内响应率"),
        numerator=_("本月发出、2 小时内被接单的报警数"),
        denominator=_("本月发出的看护报警和一键呼叫数"),
        exclusions=_("安静时段尚未发出的不计"),
        unit="%",
        version=1,
        compute=_rates(*ALERTS, "answered_2h", "alerts"),
        dimensions=ALERT_DIMENSIONS,
        drill="alerts",
        drill_filter={"month": MONTH},
    ),
    Metric(
        key="alert_precision",
        name=_("看护报警准确率"),
        numerator=_("已办结且不是误报或设备故障的报警数"),
        denominator=_("本月发出、已办结并填写结果的报警数"),
        exclusions=_("未办结的不计"),
        unit="%",
        version=1,
        compute=_rates(*ALERTS, "right", "judged"),
        dimensions=PLACE_DIMENSIONS,
        drill="alerts",
        drill_filter={"month": MONTH, "judged": "1"},
    ),
    Metric(
        key="mediation_success",
        name=_("调解成功率"),
        numerator=_("本月结案的纠纷中达成协议的件数"),
        denominator=_("达成协议 + 调解不成"),
        exclusions=_("撤回和不予受理不计"),
        unit="%",
        version=1,
        compute=_mediation,
        dimensions=("all", "street", "community", "pilot"),
        drill="disputes",
        drill_filter={"month": MONTH},
    ),
    Metric(
        key="survey_satisfaction",
        name=_("月度调查满意率"),
        numerator=_("本月社区满意度调查中答满意或基本满意(4–5分)的回答数(每题一个)"),
        denominator=_("本月调查的回答数(每题一个)"),
        exclusions=_("未作答的不计"),
        unit="%",
        version=1,
        compute=_rates(*SURVEYS, "satisfied", "answers"),
        dimensions=("all", "street", "community", "pilot"),
        drill="",
    ),
    Metric(
        key="volunteer_hours",
        name=_("志愿服务时长"),
        numerator=_("本月服务、已经被服务对象确认的时间银行服务时长(小时)"),
        denominator=_("无"),
        exclusions=_("待确认和有异议的记录不计"),
        unit="小时",
        version=1,
        compute=_hours,
        dimensions=PLACE_DIMENSIONS,
        drill="",
    ),
    Metric(
        key="points_issued",
        name=_("发放积分"),
        numerator=_("本月发放的积分"),
        denominator=_("无"),
        exclusions=_("积分属于个人,只有全区合计"),
        unit="分",
        version=1,
        compute=lambda p, by: {
            k: count(c["issued"]) for k, c in p.read(POINTS[0], by, POINTS[1]).items()
        },
        dimensions=("all",),
        drill="",
    ),
    Metric(
        key="points_redeemed",
        name=_("兑换积分"),
        numerator=_("本月兑换礼品券所用的积分"),
        denominator=_("无"),
        exclusions=_("已作废的兑换券不计"),
        unit="分",
        version=1,
        compute=lambda p, by: {
            k: count(c["redeemed"]) for k, c in p.read(POINTS[0], by, POINTS[1]).items()
        },
        dimensions=("all",),
        drill="",
    ),
    Metric(
        key="venue_idle_rate",
        name=_("场地闲置率"),
        numerator=_("本月开放时间中未被预约占用的小时数"),
        denominator=_("本月场地开放的小时数"),
        exclusions=_("闭馆日和没有开放时间的场地不计;取消和释放的预约不算占用"),
        unit="%",
        version=1,
        compute=_idle,
        higher_is_better=False,
        dimensions=("all", "street", "community", "pilot"),
        drill="",
    ),
    Metric(
        key="elderly_home_services",
        name=_("独居老人每月两次上门服务率"),
        numerator=_("本月得到至少两次上门服务的独居老人数"),
        denominator=_("本月初登记为独居老人的人数"),
        exclusions=_("无"),
        unit="%",
        version=1,
        compute=_rates(*HOME, "served", "elderly"),
        dimensions=PLACE_DIMENSIONS,
        drill="",
    ),
)


REGISTRY: dict[str, Metric] = {m.key: m for m in METRICS}
assert len(REGISTRY) == len(METRICS)  # noqa: S101 - keys are unique


def get(key: str) -> Metric:
    return REGISTRY[key]


def compute(key: str, month: dt.date, by: str, period: Period | None = None) -> dict[str, Figure]:
    """One metric for one month by one dimension (no snapshot: live)."""
    metric = REGISTRY[key]
    if by not in metric.dimensions:
        return {}
    return metric.compute(period or Period(month), by)
