"""The simulation loop: a simulated clock in 15-minute steps.

Each step every home produces the step's readings; everything due by the step's end plus
3 minutes is delivered through `readings_ingest` (one batch per gateway, in delivery order,
late and duplicated readings included); the simulated staff act (`staff.py`); the nightly
baseline refresh runs at 03:05; then `care_sweep` runs at the step's end + 3 minutes — just
after the meters' quarter-hour readings arrive, as a deployment would schedule it.
"""

import datetime as dt
import heapq
import itertools
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection

from linli.care.models import Device
from linli.care.scheduled import care_sweep
from linli.care.services.baseline import baseline_refresh
from linli.care.services.ingest import ReadingIn, readings_ingest
from linli.simulate.care.clock import SimClock, simulated_time
from linli.simulate.care.episodes import Truth
from linli.simulate.care.home import HomeSim
from linli.simulate.care.persona import DAY
from linli.simulate.care.staff import Staff
from linli.simulate.care.world import SimWorld

STEP = 900.0
SWEEP_AFTER = 180.0
REFRESH_AT = 3 * 3600.0 + 300.0


@dataclass
class Counts:
    generated: int = 0
    delivered: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    late: int = 0
    sweeps: int = 0
    pending: int = 0  # still on their way when the run ended
    lost: int = 0  # taken while the device was offline and never sent (by design)
    rejected_codes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))


class Runner:
    def __init__(
        self,
        *,
        world: SimWorld,
        homes: list[HomeSim],
        truth: Truth,
        epoch: dt.datetime,
        total_days: int,
        seed: int,
        progress: bool = False,
    ) -> None:
        self.world, self.homes, self.truth = world, homes, truth
        self.epoch, self.total_days = epoch, total_days
        self.clock = SimClock(epoch)
        self.queue: list[tuple[float, int, float, str, float, int | None]] = []
        self.seq = itertools.count()
        self.counts = Counts()
        self.staff = Staff(world=world, homes=homes, truth=truth, epoch=epoch, seed=seed)
        self.progress = progress
        self.refreshed_night = -1
        gateway_of: dict[str, int | None] = dict(
            Device.objects.filter(household__in=world.households).values_list(
                "serial", "gateway_id"
            )
        )
        self.gateway_of = gateway_of
        self.gateways = {g.pk: g for g in world.gateways.values()}

    def moment(self, t: float) -> dt.datetime:
        return self.epoch + dt.timedelta(seconds=t)

    def run(self) -> Counts:
        steps = int(self.total_days * DAY / STEP)
        if connection.vendor == "postgresql" and not settings.DB_TRANSACTION_POOLING:
            # A simulation can lose its last milliseconds in a crash; it need not wait for
            # every commit to reach the disk. (A session SET behind a transaction pooler
            # would reach other clients' transactions: left out there.)
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO OFF")
        with simulated_time(self.clock):
            for k in range(steps):
                self.step(k * STEP, (k + 1) * STEP)
                if self.progress and k % 96 == 95:
                    c = self.counts
                    print(  # noqa: T201 - progress of a long command
                        f"  day {int((k + 1) * STEP / DAY)}: {c.accepted} readings, "
                        f"{c.sweeps} sweeps",
                        flush=True,
                    )
        self.counts.pending = len(self.queue)
        self.counts.lost = sum(h.lost for h in self.homes)
        return self.counts

    def step(self, t0: float, t1: float) -> None:
        c = self.counts
        started = time.perf_counter()
        for home in self.homes:
            for o in home.block(t0, t1):
                heapq.heappush(
                    self.queue, (o.deliver, next(self.seq), o.at, o.serial, o.value, o.battery)
                )
                c.generated += 1
        c.seconds["generate"] += time.perf_counter() - started
        now = t1 + SWEEP_AFTER
        self.staff.act_until(now, self.clock)
        self.clock.now = self.moment(now)
        self.deliver(now)
        night = int((now - REFRESH_AT) // DAY)
        if night > self.refreshed_night:
            self.refreshed_night = night
            started = time.perf_counter()
            baseline_refresh(now=self.clock.now)
            c.seconds["baseline"] += time.perf_counter() - started
        started = time.perf_counter()
        care_sweep(now=self.clock.now)
        c.seconds["sweep"] += time.perf_counter() - started
        c.sweeps += 1
        self.staff.react(now, self.clock)

    def deliver(self, now: float) -> None:
        c = self.counts
        batches: dict[int | None, list[ReadingIn]] = defaultdict(list)
        while self.queue and self.queue[0][0] <= now:
            _deliver, _seq, at, serial, value, battery = heapq.heappop(self.queue)
            batches[self.gateway_of.get(serial)].append(
                ReadingIn(serial=serial, at=self.moment(at), value=value, battery=battery)
            )
        started = time.perf_counter()
        for gateway_id, readings in batches.items():
            for i in range(0, len(readings), 5000):
                chunk = readings[i : i + 5000]
                result = readings_ingest(
                    readings=chunk,
                    gateway=self.gateways.get(gateway_id) if gateway_id else None,
                    source="sim",
                    now=self.clock.now,
                )
                c.delivered += len(chunk)
                c.accepted += result.accepted
                c.duplicates += result.duplicates
                c.late += result.late
                c.rejected += len(result.rejected)
                for r in result.rejected:
                    c.rejected_codes[r.code] += 1
        c.seconds["ingest"] += time.perf_counter() - started
