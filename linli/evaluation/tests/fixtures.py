"""A hand-computed month (March 2026, Asia/Shanghai) for the metric tests (EVAL-3).

Cases (community A unless noted; owner unit 城管 unless noted; close_due exclusive):

  C1  due 03-10, feedback 03-08, closed 03-09 (on time), rated 5 on 03-12, level grid;
      received Fri 03-06 16:00, registered Mon 03-09 10:00 → 18 working hours
  C2  handler 街道办; due 03-15, feedback 03-18, closed 03-20 (late), rated 4 on 03-21,
      level community; received Tue 03-10 09:00, registered 11:30 → 2.5 h
  C3  deferred with approval, due (moved) 03-25, feedback 03-23, closed 03-24, not rated,
      level street; received 03-11 10:00, registered 03-12 10:00 → 24 h
  C4  due 03-28, feedback 04-02, closed 04-03: due in March, closed in April
  C5  reopened once (rework_count 1), due 03-20, feedback 03-18, closed 03-19, rated 4 on
      03-19, level grid
  C6  still handling, due 03-30
  C7  rejected (due 03-10): never counted
  C8  community B; due 03-05, feedback 03-03, closed 03-04, rated 3 on 03-06, level grid;
      received 03-02 08:00, registered 09:00 → 1 h
  C9  due 02-25 (February), closed 03-02, rated 5 on 03-03, level community
  C10 rated 1 on 03-15 → reopened (rework 1), open again, due 04-10

March, whole district, by hand:
  应结案 (due)            C1 C2 C3 C4 C5 C6 C8                         = 7
  结案 by 03-31            C1 C2 C3 C5 C8                               = 5   → 71.43 %
  按期 not deferred        C1 C5 C8 (C3 on time but deferred)           = 3 ÷ (7 − 1) → 50.00 %
  处置 (feedback by end)   C1 C2 C3 C5 C8                               = 5   → 71.43 %
  按期处置                 C1 C3 C5 C8                                  = 4   → 57.14 %
  返工                     C5                                           = 1   → 14.29 %
  超期 (not closed on time) C2 C4 C6                                    = 3
  closed in March          C1 C2 C3 C5 C8 C9                            = 6
  rated of those           C1 C2 C5 C8 C9                               = 5   → 参评率 83.33 %
  level grid               C1 C5 C8 = 3 → 50.00 %; grid+community (+C2 C9) = 5 → 83.33 %
  rated in March           C1 5, C2 4, C5 4, C8 3, C9 5, C10 1          = 6
  satisfied (4–5)          4 → 66.67 %;  resolved (3+) 5 → 83.33 %
  response hours           [18, 2.5, 24, 1] → median (nearest rank) 2.5, p90 24
"""

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

from linli.casework.choices import Channel, EventKind, Status
from linli.casework.models import Case, CaseEvent, Category
from linli.testing.world import World

TZ = ZoneInfo("Asia/Shanghai")
MARCH = dt.date(2026, 3, 1)
_numbers = itertools.count(1)


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


def make_case(world: World, *, grid: Any = None, **fields: Any) -> Case:
    grid = grid or world.grid_a1
    feedback = fields.pop("feedback", None)
    created = fields.pop("created", at(2, 20))
    defaults: dict[str, Any] = {
        "tracking_no": f"T{next(_numbers):08d}",
        "channel": Channel.WEB,
        "category": Category.objects.get(code="01-10"),
        "description": "测试",
        "lat": 30.2725,
        "lon": 120.1225,
        "grid": grid,
        "community": grid.community,
        "owner_unit": world.chengguan,
        "status": Status.CLOSED if fields.get("closed_at") else Status.HANDLING,
        "respond_due": created + dt.timedelta(days=1),
        "responded_at": created + dt.timedelta(hours=1),
    }
    defaults.update(fields)
    case = Case.objects.create(**defaults)
    Case.objects.filter(pk=case.pk).update(created_at=created)
    if feedback:
        CaseEvent.objects.create(case=case, kind=EventKind.FEEDBACK, at=feedback)
    return case


def build_march(world: World) -> dict[str, Case]:
    w = world
    street = w.street_office
    c: dict[str, Case] = {}
    c["C1"] = make_case(
        w, close_due=at(3, 10, 0), feedback=at(3, 8), closed_at=at(3, 9), rating=5,
        rated_at=at(3, 12), status=Status.RATED, level="grid",
        created=at(3, 6, 16), responded_at=at(3, 9, 10),
    )  # fmt: skip
    c["C2"] = make_case(
        w, handler_unit=street, close_due=at(3, 15, 0), feedback=at(3, 18), closed_at=at(3, 20),
        rating=4, rated_at=at(3, 21), status=Status.RATED, level="community",
        created=at(3, 10, 9), responded_at=at(3, 10, 11, 30),
    )  # fmt: skip
    c["C3"] = make_case(
        w, deferred=True, close_due=at(3, 25, 0), feedback=at(3, 23), closed_at=at(3, 24),
        level="street", created=at(3, 11, 10), responded_at=at(3, 12, 10),
    )  # fmt: skip
    c["C4"] = make_case(w, close_due=at(3, 28, 0), feedback=at(4, 2), closed_at=at(4, 3))
    c["C5"] = make_case(
        w, rework_count=1, close_due=at(3, 20, 0), feedback=at(3, 18), closed_at=at(3, 19),
        rating=4, rated_at=at(3, 19, 15), status=Status.RATED, level="grid",
    )  # fmt: skip
    c["C6"] = make_case(w, close_due=at(3, 30, 0))
    c["C7"] = make_case(w, close_due=at(3, 10, 0), status=Status.REJECTED)
    c["C8"] = make_case(
        w, grid=w.grid_b1, close_due=at(3, 5, 0), feedback=at(3, 3), closed_at=at(3, 4),
        rating=3, rated_at=at(3, 6), status=Status.RATED, level="grid",
        created=at(3, 2, 8), responded_at=at(3, 2, 9),
    )  # fmt: skip
    c["C9"] = make_case(
        w, close_due=at(2, 25, 0), closed_at=at(3, 2), rating=5, rated_at=at(3, 3),
        status=Status.RATED, level="community",
    )  # fmt: skip
    c["C10"] = make_case(
        w, close_due=at(4, 10, 0), rating=1, rated_at=at(3, 15), rework_count=1,
        status=Status.DISPATCHED,
    )  # fmt: skip
    return c
