"""The year of history beyond cases (PLAT-3): welfare alerts, disputes, volunteer hours,
venue bookings and the monthly satisfaction surveys, each made through its own app's
services while the simulated clock of `demo.evaluation` stands at the moment of each step.

The pilot community answers alerts sooner and judges them better, settles more disputes,
serves more volunteer hours, uses its venues more and is rated better; the months differ
(Spring Festival is quiet, summer evenings fill the playground).
"""

import contextlib
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership, User
from linli.care.models import Device, Outcome, Rule
from linli.care.services.alerts import alert_open
from linli.care.services.handling import alert_acknowledge, alert_close
from linli.core.errors import ApplicationError
from linli.evaluation.surveys import survey_answer, survey_open
from linli.geo.models import Community, Grid, Household
from linli.ledger.services.timebank import service_record_confirm, service_record_create
from linli.matching.choices import ResourceKind, ResourceStatus
from linli.matching.models import Resource
from linli.matching.services.bookings import booking_check_in, booking_series
from linli.mediation.choices import DisputeType, Side, Source
from linli.mediation.services import agreement as agreements
from linli.mediation.services import disputes as steps
from linli.people.defaults import ALONE_ELDERLY
from linli.people.models import Resident

# Per community and month: (pilot, others).
ALERTS = (3, 2)
ANSWERED_LATE = (0.05, 0.35)  # share acknowledged after the 2 hours
WRONG = (0.05, 0.2)  # share closed as a false alarm or a device fault
DISPUTES = (1, 1)
AGREED = (0.95, 0.6)
VOLUNTEER_RECORDS = (8, 2)
SURVEY_ANSWERS = (6, 6)
SURVEY_SCORES = ((5, 5, 5, 4, 4, 4, 3, 2), (5, 4, 4, 3, 3, 3, 2, 1))
# Weekly venue series per community and month (each books the slot every week of the month)
# and, by calendar month, how busy the month is (Spring Festival in February, summer).
SERIES = (6, 3)
SEASON = {1: 0.8, 2: 0.4, 3: 1.0, 4: 1.0, 5: 1.1, 6: 1.0, 7: 1.3, 8: 1.3, 9: 1.0, 10: 0.8}
# Slots a series can take: (venue name, weekday 0=Mon, start, end), long blocks of use.
SLOTS = (
    ("社区活动室", 0, "08:30", "20:30"),
    ("社区活动室", 2, "08:30", "20:30"),
    ("实验小学操场(课后开放)", 5, "08:00", "18:00"),
    ("党群服务中心会议室", 1, "09:00", "17:30"),
    ("社区活动室", 4, "08:30", "20:30"),
    ("老年食堂多功能厅", 3, "14:00", "17:00"),
    ("党群服务中心会议室", 3, "09:00", "17:30"),
    ("实验小学操场(课后开放)", 6, "08:00", "18:00"),
    ("社区活动室", 5, "08:30", "20:30"),
    ("社区活动室", 1, "08:30", "20:30"),
    ("党群服务中心会议室", 4, "09:00", "17:30"),
    ("老年食堂多功能厅", 0, "14:00", "17:00"),
)
PURPOSES = ("书法班", "合唱排练", "议事协商会", "广场舞", "亲子阅读", "老年大学")
SERVICES = ("陪同就医", "代买代办", "上门理发", "家电维修", "陪伴聊天", "打扫卫生")
WELFARE = (Rule.NO_WATER, Rule.NO_MOVEMENT, Rule.ELECTRICITY)
STORIES = {
    DisputeType.NOISE: ("楼上夜间拖动家具,楼下老人无法入睡", "晚上十点后不拖动家具"),
    DisputeType.PARKING: ("私家车占用消防通道旁车位", "车辆停入指定车位"),
    DisputeType.NEIGHBOURS: ("楼道堆放杂物引发争吵", "三日内清理楼道杂物"),
    DisputeType.PETS: ("犬只夜间吠叫并在楼道便溺", "外出牵绳并清理粪便"),
    DisputeType.LEAKAGE: ("楼上卫生间漏水,楼下天花板发霉", "十日内维修防水层"),
}


@dataclass
class Place:
    community: Community
    staff: User | None
    grids: list[Grid]
    workers: dict[int, User]  # grid id → grid worker
    volunteers: dict[int, User]  # grid id → first volunteer
    residents: dict[int, list[int]]  # grid id → resident ids
    elderly: list[tuple[int, int]]  # (household id, grid id) of 独居老人 without devices
    venues: dict[str, Resource]


@dataclass
class Counts:
    alerts: int = 0
    disputes: int = 0
    records: int = 0
    bookings: int = 0
    answers: int = 0


def places(communities: list[Community], admin: User | None) -> list[Place]:
    workers = {
        m.grid_id: m.user
        for m in Membership.objects.filter(kind=MembershipKind.GRID_WORKER).select_related("user")
    }
    # A community worker where there is one, else the secretary (first made wins).
    staff: dict[int, User] = {}
    for m in (
        Membership.objects.filter(
            kind__in=(MembershipKind.COMMUNITY_WORKER, MembershipKind.SECRETARY),
            community__isnull=False,
        )
        .select_related("user")
        .order_by("kind", "pk")
    ):
        if m.community_id is not None:
            staff.setdefault(m.community_id, m.user)
    with_devices = set(Device.objects.values_list("household_id", flat=True))
    out = []
    for c in communities:
        grids = list(Grid.objects.filter(community=c).order_by("unit_code"))
        users = User.objects.in_bulk([f"vol_{g.unit_code}_1" for g in grids], field_name="username")
        residents: dict[int, list[int]] = {}
        for pk, grid_id in (
            Resident.objects.filter(household__building__grid__community=c, user__isnull=True)
            .order_by("pk")
            .values_list("pk", "household__building__grid_id")
        ):
            residents.setdefault(grid_id, []).append(pk)
        elderly = sorted(
            {
                (h, g)
                for h, g in Resident.objects.filter(
                    household__building__grid__community=c, tag_links__tag__code=ALONE_ELDERLY
                ).values_list("household_id", "household__building__grid_id")
                if h not in with_devices
            }
        )
        venues = {
            v.name: v
            for v in Resource.objects.filter(
                community=c, kind=ResourceKind.VENUE, status=ResourceStatus.APPROVED
            )
        }
        out.append(
            Place(
                community=c,
                staff=staff.get(c.pk) or admin,
                grids=grids,
                workers={g.pk: workers[g.pk] for g in grids if g.pk in workers},
                volunteers={
                    g.pk: users[f"vol_{g.unit_code}_1"]
                    for g in grids
                    if f"vol_{g.unit_code}_1" in users
                },
                residents=residents,
                elderly=elderly,
                venues=venues,
            )
        )
    return out


class Month:
    """One month of one community under the simulated clock."""

    def __init__(
        self,
        *,
        clock: Any,
        rng: random.Random,
        place: Place,
        month: dt.date,
        moment: Callable[[random.Random, dt.date], dt.datetime],
        counts: Counts,
    ) -> None:
        self.clock, self.rng, self.place, self.month = clock, rng, place, month
        self.moment, self.counts = moment, counts
        self.pilot = place.community.is_pilot
        self.side = 0 if self.pilot else 1

    def at(self, when: dt.datetime) -> bool:
        """Stand the clock at `when`; False when that is not yet past (the month just ended
        stops at the real present)."""
        if when > self.clock.limit:
            return False
        self.clock.now = when
        return True

    def later(self, hours: float) -> bool:
        return self.at(self.clock.now + dt.timedelta(hours=hours))

    def build(self) -> None:
        for make in (self.alerts, self.disputes, self.hours, self.bookings, self.survey):
            make()

    # ---- care: welfare alerts raised, answered (some late) and judged
    def alerts(self) -> None:
        place, rng = self.place, self.rng
        if not place.elderly:
            return
        for _i in range(ALERTS[self.side]):
            household_id, grid_id = rng.choice(place.elderly)
            worker = place.workers.get(grid_id)
            if worker is None or not self.at(self.moment(rng, self.month)):
                continue
            alert = alert_open(
                household=Household(pk=household_id),  # only its key is read
                rule=rng.choice(WELFARE),
                evidence={"history": True},
                now=self.clock.now,
                notify=False,  # a year-old message would only fill today's inboxes
            )
            if alert is None:
                continue
            late = rng.random() < ANSWERED_LATE[self.side]
            if not self.later(rng.uniform(2.2, 6) if late else rng.uniform(0.2, 1.6)):
                continue
            alert_acknowledge(actor=worker, alert_id=alert.pk)
            self.later(rng.uniform(0.3, 1.5))
            wrong = rng.random() < WRONG[self.side]
            if wrong:
                outcome, note = rng.choice((Outcome.FALSE_ALARM, Outcome.DEVICE_FAULT)), ""
            elif rng.random() < 0.2:
                outcome, note = Outcome.NEEDED_HELP, "老人身体不适,已联系家属陪同就医"
            else:
                outcome, note = Outcome.SAFE, ""
            alert_close(actor=worker, alert_id=alert.pk, outcome=outcome, note=note)
            self.counts.alerts += 1

    # ---- mediation: registered, mediated, settled or failed
    def disputes(self) -> None:
        place, rng = self.place, self.rng
        ids = [pk for grid in place.residents.values() for pk in grid[:50]]
        if len(ids) < 2 or place.staff is None:
            return
        for _i in range(DISPUTES[self.side]):
            start = self.moment(rng, self.month.replace(day=1)) - dt.timedelta(days=12)
            if not self.at(start):
                continue
            a, b = rng.sample(ids, 2)
            kind = rng.choice(list(STORIES))
            dispute = steps.dispute_register(
                actor=place.staff,
                data=steps.DisputeInput(
                    type=kind,
                    source=rng.choice((Source.WALK_IN, Source.GRID)),
                    description=STORIES[kind][0],
                    parties=[
                        steps.PartyInput(side=Side.APPLICANT, resident_id=a),
                        steps.PartyInput(side=Side.RESPONDENT, resident_id=b),
                    ],
                    community_id=place.community.pk,
                ),
            )
            lead = dispute.mediators.filter(lead=True).select_related("mediator__user").first()
            if lead is None:
                continue
            m = lead.mediator.user
            self.later(rng.uniform(3, 30))
            steps.dispute_accept(actor=m, dispute=dispute)
            self.later(rng.uniform(24, 96))
            steps.dispute_investigate(actor=m, dispute=dispute, note="分别走访双方及楼栋长")
            self.later(rng.uniform(48, 120))
            steps.dispute_session(
                actor=m,
                dispute=dispute,
                held_at=self.clock.now,
                attendees="双方当事人、楼栋长",
                notes="双方陈述诉求,调解员释法说理",
                place="社区调解室",
            )
            # Concluded within the month (the registration was set back 12 days for it).
            if not self.at(max(self.clock.now, self.moment(rng, self.month))):
                continue
            if rng.random() < AGREED[self.side]:
                respondent = dispute.parties.filter(side=Side.RESPONDENT).first()
                assert respondent is not None
                agreements.dispute_agree(
                    actor=m,
                    dispute=dispute,
                    facts=STORIES[kind][0],
                    obligations=[
                        agreements.ObligationInput(party_id=respondent.pk, duty=STORIES[kind][1])
                    ],
                )
                agreed = self.clock.now
                for days in (30, 90):  # the follow-up visits that have come due
                    if self.at(agreed + dt.timedelta(days=days, hours=rng.uniform(-48, 0))):
                        steps.dispute_follow_up(actor=m, dispute=dispute, fulfilment="fulfilled")
            else:
                steps.dispute_fail(actor=m, dispute=dispute, reason="被申请人不同意调解方案")
            self.counts.disputes += 1

    # ---- ledger: volunteer hours recorded and confirmed (points follow by the rule)
    def hours(self) -> None:
        place, rng = self.place, self.rng
        grids = [g for g in place.grids if g.pk in place.volunteers and place.residents.get(g.pk)]
        for i in range(VOLUNTEER_RECORDS[self.side] if grids else 0):
            grid = grids[i % len(grids)]
            served = self.moment(rng, self.month)
            if not self.at(served):
                continue
            volunteer, worker = place.volunteers[grid.pk], place.workers.get(grid.pk)
            if worker is None:
                continue
            try:
                record = service_record_create(
                    actor=volunteer,
                    served_on=timezone.localdate(served),
                    minutes=rng.choice((60, 90, 120, 120, 180)),
                    service=rng.choice(SERVICES),
                    idempotency_key=f"history-{grid.pk}-{self.month:%Y%m}-{i}",
                    resident=rng.choice(place.residents[grid.pk]),
                )
            except ApplicationError:
                continue
            self.later(rng.uniform(2, 48))
            service_record_confirm(actor=worker, record=record)
            self.counts.records += 1

    # ---- matching: weekly venue bookings over the month, checked in when used
    def bookings(self) -> None:
        place, rng = self.place, self.rng
        if place.staff is None or not place.venues:
            return
        wanted = round(
            SERIES[self.side] * SEASON.get(self.month.month, 1.0) * rng.uniform(0.8, 1.2)
        )
        tz = timezone.get_default_timezone()
        month_end = (self.month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        for venue_name, weekday, start, end in SLOTS[: min(wanted, len(SLOTS))]:
            venue = place.venues.get(venue_name)
            if venue is None:
                continue
            day = self.month + dt.timedelta(days=(weekday - self.month.weekday()) % 7)
            weeks = (month_end - day).days // 7 + 1  # every such weekday of the month
            first = dt.datetime.combine(day, dt.time.fromisoformat(start), tz)
            last = dt.datetime.combine(day, dt.time.fromisoformat(end), tz)
            if not self.at(first - dt.timedelta(days=3)):
                continue
            try:
                made, _skipped = booking_series(
                    actor=place.staff,
                    resource_id=venue.pk,
                    starts_at=first,
                    ends_at=last,
                    weeks=weeks,
                    people=min(venue.capacity, 20),
                    purpose=rng.choice(PURPOSES),
                )
            except ApplicationError:  # every date taken (the matching demo's last month)
                continue
            for booking in made:
                if not self.at(booking.starts_at - dt.timedelta(minutes=10)):
                    continue
                with contextlib.suppress(ApplicationError):
                    booking_check_in(
                        actor=place.staff,
                        booking_id=booking.pk,
                        people=min(venue.capacity, rng.randint(8, 25)),
                    )
                    self.counts.bookings += 1

    # ---- evaluation: the month's satisfaction survey, answers entered by staff (代办)
    def survey(self) -> None:
        place, rng = self.place, self.rng
        ids = [pk for grid in place.residents.values() for pk in grid]
        if place.staff is None or len(ids) < SURVEY_ANSWERS[self.side]:
            return
        tz = timezone.get_default_timezone()
        if not self.at(dt.datetime.combine(self.month.replace(day=18), dt.time(9), tz)):
            return
        survey = survey_open(actor=place.staff, community=place.community)
        scores = SURVEY_SCORES[self.side]
        for resident_id in rng.sample(ids, SURVEY_ANSWERS[self.side]):
            if not self.later(rng.uniform(0.5, 20)):
                break
            survey_answer(
                actor=place.staff,
                survey=survey,
                answers=[rng.choice(scores) for _q in survey.questions],
                resident_id=resident_id,
            )
            self.counts.answers += 1
