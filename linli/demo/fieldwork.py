"""The demo grid worker's day (issue 21): past visits spread over the quarter, a
bereavement this morning (a 24 h visit; care's demo has its own hospital stay, still under
way), patrol reports of the last
month (some registered, one refused), patrol tracks with consent, then the morning sweep."""

import datetime as dt
import random
import uuid

from django.utils import timezone

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership
from linli.casework.choices import Status
from linli.casework.models import Case
from linli.fieldwork.models import LifeEvent, PatrolReport, TrackConsent, TrackPoint, Visit
from linli.fieldwork.services import reports
from linli.fieldwork.services.today import sweep
from linli.geo.models import Building, Street
from linli.people.models import Resident

FINDS = [
    ("01-10", "楼道口垃圾桶满溢,垃圾散落"),
    ("01-07", "单元门口堆放旧家具"),
    ("04-09", "消防通道有车辆停放"),
    ("01-03", "路面有油污未清理"),
    ("02-01", "宣传栏贴满小广告"),
]


def seed_fieldwork(*, street: Street, seed: int) -> None:
    rng = random.Random(seed + 21)
    now = timezone.now()
    memberships = Membership.objects.filter(
        kind=MembershipKind.GRID_WORKER, grid__community__street=street
    ).select_related("user", "grid")
    for m in memberships:
        worker, grid = m.user, m.grid
        assert grid is not None
        residents = list(
            Resident.objects.filter(household__building__grid=grid).order_by("pk")[:400]
        )
        visits = []
        for r in residents:
            if rng.random() < 0.7:
                visits.append(
                    Visit(
                        uuid=uuid.UUID(int=rng.getrandbits(128)),
                        resident=r,
                        grid=grid,
                        worker=worker,
                        outcome="seen" if rng.random() < 0.9 else "not_home",
                        at=now - dt.timedelta(days=rng.uniform(1, 100)),
                    )
                )
        Visit.objects.bulk_create(visits, batch_size=1000)
        if residents:
            r = rng.choice(residents)
            LifeEvent.objects.create(
                resident=r,
                kind="bereavement",
                occurred_at=now - dt.timedelta(hours=3),
                recorded_by=worker,
            )
        buildings = list(Building.objects.filter(grid=grid).order_by("pk"))
        for i, (code, text) in enumerate(FINDS):
            if not buildings:
                break
            b = buildings[i % len(buildings)]
            report, _ = reports.report_file(
                actor=worker,
                data=reports.ReportInput(
                    uuid=str(uuid.UUID(int=rng.getrandbits(128))),
                    category_code=code,
                    description=text,
                    lat=b.lat,
                    lon=b.lon,
                    address=b.name,
                ),
            )
            back = now - dt.timedelta(days=rng.uniform(1, 25))
            PatrolReport.objects.filter(pk=report.pk).update(at=back)
            status = Status.REJECTED if i == 4 else Status.REGISTERED
            Case.objects.filter(pk=report.case_id or 0).update(created_at=back, status=status)
        TrackConsent.objects.update_or_create(worker=worker, defaults={"enabled": True})
        points = []
        for b in buildings[: len(buildings) // 2]:
            points.append(
                TrackPoint(
                    uuid=uuid.UUID(int=rng.getrandbits(128)),
                    worker=worker,
                    grid=grid,
                    at=now - dt.timedelta(days=rng.uniform(0.5, 4)),
                    lat=b.lat + 0.0002,
                    lon=b.lon,
                )
            )
        TrackPoint.objects.bulk_create(points)
    sweep(now=now)
