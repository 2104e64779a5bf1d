"""Demo casework: the category tree, the working-day calendar and a queue of cases in every
state, all created through the real services so timelines and audit entries are genuine."""

import random
from typing import Any

from django.utils import timezone
from shapely.geometry import Point, shape

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership, User
from linli.casework.choices import Channel
from linli.casework.models import Case
from linli.casework.services import workflow
from linli.casework.services.categories import categories_ensure_defaults
from linli.casework.services.intake import CaseInput, case_submit
from linli.core.calendar.models import CalendarYear
from linli.core.calendar.services import calendar_load_year, package_years
from linli.core.roles import Role
from linli.geo.models import Grid, Street

DESCRIPTIONS = {
    "01-10": ["楼下垃圾桶满了没人清运", "小区门口堆了很多装修垃圾"],
    "04-09": ["消防通道被私家车堵住", "小区门口有车长期占道停放"],
    "06-07": ["3幢门口路灯坏了,晚上很黑", "小路的路灯一直不亮"],
    "20-02": ["楼上晚上十一点后还在装修", "隔壁每天深夜唱卡拉OK"],
    "27-01": ["2单元电梯停在三楼不动", "电梯门关不上"],
    "06-06": ["健身器材坏了,有安全隐患", "小区长椅断了"],
    "21-01": ["独居老人想申请助餐服务", "母亲行动不便,想预约助浴"],
    "01-07": ["楼道里堆满杂物,影响通行", "绿化带被人堆了建材"],
}
# How far each demo case gets: the queue shows every state.
STAGES = ("received", "registered", "dispatched", "handling", "handled", "closed", "rated")


def demo_calendar() -> None:
    this_year = timezone.localdate().year
    for year in package_years():
        if not this_year - 1 <= year <= this_year + 1:
            continue
        if not CalendarYear.objects.filter(year=year, published=True).exists():
            calendar_load_year(actor=None, year=year)


def _point_in(grid: Grid, rng: random.Random) -> tuple[float, float]:
    polygon = shape(grid.geometry)
    while True:
        lon = rng.uniform(grid.min_lon, grid.max_lon)
        lat = rng.uniform(grid.min_lat, grid.max_lat)
        if polygon.contains(Point(lon, lat)):
            return lat, lon


def _staff(kind: str, **place: Any) -> User | None:
    m = Membership.objects.filter(kind=kind, **place).select_related("user").first()
    return m.user if m else None


def demo_cases(*, seed: int, street: Street, count: int = 80) -> int:
    """Create `count` cases spread over the street's grids and move each through the real
    workflow to a stage, so every queue, timeline and notification has something in it."""
    categories_ensure_defaults(actor=None)
    if Case.objects.filter(community__street=street).exists():
        return 0
    rng = random.Random(seed)
    grids = list(Grid.objects.filter(community__street=street).order_by("unit_code"))
    residents = list(User.objects.filter(role=Role.RESIDENT).order_by("id"))
    admin = User.objects.filter(role=Role.SYSADMIN).order_by("id").first()
    codes = sorted(DESCRIPTIONS)
    for i in range(count):
        grid = grids[i % len(grids)]
        code = codes[i % len(codes)]
        lat, lon = _point_in(grid, rng)
        data = CaseInput(code, rng.choice(DESCRIPTIONS[code]), lat, lon)
        if i % 8 == 0 and residents:  # the demo resident's own reports
            reporter = residents[i % len(residents)]
            case = case_submit(actor=reporter, data=data)
        else:  # the rest came in by phone or at the window, entered by the grid worker
            reporter = None
            worker = _staff(MembershipKind.GRID_WORKER, grid=grid) or admin
            channel = Channel.HOTLINE if i % 3 else Channel.WINDOW
            case = case_submit(actor=worker, data=data, channel=channel)
        _advance(case, STAGES[i % len(STAGES)], admin, grid, reporter, rng)
    return count


def _advance(
    case: Case, stage: str, admin: Any, grid: Grid, reporter: Any, rng: random.Random
) -> None:
    order = STAGES.index(stage)
    steps = [
        lambda c: workflow.case_register(actor=admin, case=c),
        lambda c: workflow.case_dispatch(actor=admin, case=c, unit=c.owner_unit),
        lambda c: workflow.case_accept(actor=admin, case=c),
        lambda c: workflow.case_feedback(actor=admin, case=c, note="已到现场处理完毕"),
    ]
    for step in steps[:order]:
        case = step(case)
    if order >= STAGES.index("closed"):
        verifier = _staff(MembershipKind.GRID_WORKER, grid=grid) or admin
        case = workflow.case_verify(actor=verifier, case=case, passed=True)
        case = workflow.case_close(actor=admin, case=case)
    if stage == "rated" and reporter is not None and case.reporter_id == reporter.pk:
        workflow.case_rate(actor=reporter, case=case, rating=rng.choice([5, 5, 4, 4, 3, 2]))
