"""One simulated home: the person's day plans, what silences them, and their devices.

`HomeSim.block(t0, t1)` returns the readings the devices take in [t0, t1) (meters sample at
the end of their interval) with the moment each reaches the server: on time, late, twice,
lost or held back by an outage and sent in one burst when it ends.
"""

import math
import random
from bisect import bisect_left
from dataclasses import dataclass, field

from linli.simulate.care.persona import DAY, HOUR, DayPlan, Persona, day_plan

INF = math.inf
WATER_EVERY = 900.0  # a water meter reading every 15 minutes
POWER_EVERY = 1800.0  # an electricity meter reading every 30 minutes
HEARTBEAT_EVERY = 2 * HOUR  # door and motion sensors say "still here"
BUTTON_HEARTBEAT_EVERY = 12 * HOUR
BEATS = {"door": HEARTBEAT_EVERY, "motion": HEARTBEAT_EVERY, "button": BUTTON_HEARTBEAT_EVERY}


@dataclass
class Outage:
    start: float
    end: float
    buffered: bool  # the readings are kept and sent when it ends


@dataclass
class DeviceSim:
    serial: str
    kind: str
    register: float = 0.0
    register_max: float | None = None
    battery: float = 100.0
    drain: float = 0.1  # percent a day
    phase: float = 0.0  # heartbeats are not all on the hour
    outages: list[Outage] = field(default_factory=list)
    stuck: list[list[float]] = field(default_factory=list)  # [start, end]; end INF until fixed

    def offline(self, t: float) -> Outage | None:
        for o in self.outages:
            if o.start <= t < o.end:
                return o
        return None

    def is_stuck(self, t: float) -> bool:
        return any(a <= t < b for a, b in self.stuck)


@dataclass
class Silence:
    start: float
    end: float  # INF until someone finds the person
    kind: str  # "incapacitated" | "absence" | "hospital"


@dataclass(frozen=True)
class Out:
    deliver: float
    at: float
    serial: str
    value: float
    battery: int | None


@dataclass
class Delivery:
    late: float = 0.003  # share of readings delayed 15 min – 3 h
    duplicate: float = 0.005  # share sent twice


class HomeSim:
    def __init__(
        self,
        *,
        index: int,
        household_id: int,
        persona: Persona,
        seed: int,
        devices: dict[str, DeviceSim],
        start_weekday: int,
        start_doy: int,
        delivery: Delivery,
        event_value: float = 1.0,
    ) -> None:
        self.index = index
        self.household_id = household_id
        self.persona = persona
        self.rng = random.Random(seed)
        self.devices = devices
        self.start_weekday = start_weekday
        self.start_doy = start_doy
        self.delivery = delivery
        self.event_value = event_value
        self.silences: list[Silence] = []
        self.extra_doors: list[float] = []  # leaving for / coming back from an absence, visits
        self.extra_motion: list[float] = []
        self.plans: dict[int, DayPlan] = {}
        self.stay_in: list[tuple[float, float]] = []  # spells of staying in (whole days)
        self.outing_starts: list[float] = []  # every planned outing, for the ground truth
        self.lost = 0  # readings taken during an outage that does not keep them
        self.generated_until = 0.0  # readings up to here are made; later events still count

    # ---------------------------------------------------------------- the person

    def plan(self, day: int) -> DayPlan:
        if day not in self.plans:
            self.plans.pop(day - 2, None)
            self.plans[day] = day_plan(
                self.persona,
                self.rng,
                start=day * DAY,
                weekday=(self.start_weekday + day) % 7,
                day_of_year=(self.start_doy + day - 1) % 365 + 1,
                stay_in=any(a <= day * DAY < b for a, b in self.stay_in),
            )
            self.outing_starts += [a for a, _ in self.plans[day].outings]
        return self.plans[day]

    def departures(self) -> list[float]:
        """When the person really left home (ground truth): the outings that happened (not
        while silenced) and the start of every absence or hospital stay."""
        left = [t for t in self.outing_starts if not self.silent(t)]
        left += [s.start for s in self.silences if s.kind in ("absence", "hospital")]
        return sorted(left)

    def silent(self, t: float) -> bool:
        return any(s.start < t < s.end for s in self.silences)

    def silence_at(self, t: float) -> Silence | None:
        for s in self.silences:
            if s.start <= t < s.end:
                return s
        return None

    def home_and_active(self, t: float) -> bool:
        """Awake-ish and not out on a planned outing (for a visit finding the person)."""
        if self.silent(t):
            return False
        plan = self.plan(int(t // DAY))
        return not any(a <= t < b for a, b in plan.outings)

    def _energy(self, plan: DayPlan, t0: float, t1: float) -> float:
        kwh = self.persona.base_kw * (t1 - t0) / HOUR
        if not plan.power or plan.power_end <= t0:
            return kwh
        for a, b, kw in plan.power:
            lo, hi = max(a, t0), min(b, t1)
            if lo >= hi:
                continue
            on = hi - lo
            for s in self.silences:
                on -= max(0.0, min(hi, s.end) - max(lo, s.start))
            kwh += kw * max(0.0, on) / HOUR
        return kwh

    # ---------------------------------------------------------------- the devices

    def block(self, t0: float, t1: float) -> list[Out]:
        plan = self.plan(int(t0 // DAY))
        taken: list[tuple[float, DeviceSim, float, bool]] = []  # (at, device, value, battery)
        water = self.devices.get("water")
        if water is not None:
            i = bisect_left(plan.water_at, t0)
            while i < len(plan.water) and plan.water[i][0] < t1:
                t, m3 = plan.water[i]
                if not self.silent(t) and not water.is_stuck(t):
                    water.register += m3
                i += 1
            if water.register_max and round(water.register, 3) >= water.register_max:
                water.register -= water.register_max
            if t1 % WATER_EVERY == 0:
                taken.append((t1, water, round(water.register, 3), t1 % (6 * HOUR) == 0))
        power = self.devices.get("electricity")
        if power is not None:
            power.register += self._energy(plan, t0, t1)
            if power.register_max and round(power.register, 2) >= power.register_max:
                power.register -= power.register_max
            if t1 % POWER_EVERY == 0:
                taken.append((t1, power, round(power.register, 2), t1 % (6 * HOUR) == 0))
        for kind, times, extra in (
            ("door", plan.doors, self.extra_doors),
            ("motion", plan.motion, self.extra_motion),
        ):
            dev = self.devices.get(kind)
            if dev is None:
                continue
            i = bisect_left(times, t0)
            while i < len(times) and times[i] < t1:
                t = times[i]
                i += 1
                if not self.silent(t) and not (kind == "motion" and dev.is_stuck(t)):
                    taken.append((t, dev, self.event_value, False))
            for t in extra:
                if t0 <= t < t1:
                    taken.append((t, dev, self.event_value, False))
        for dev in self.devices.values():
            every = BEATS.get(dev.kind)
            if every is not None:
                beat = math.floor((t1 - dev.phase) / every) * every + dev.phase
                if t0 <= beat < t1:
                    taken.append((beat, dev, 0.0, True))
            dev.battery = max(0.0, dev.battery - dev.drain * (t1 - t0) / DAY)
        self.generated_until = t1
        return self._deliver(taken) if taken else []

    def visit_events(self, t: float, *, door: bool = True) -> None:
        """Someone at the door and inside at `t` (or as soon as readings are still to come)."""
        t = max(t, self.generated_until + 1.0)
        if door:
            self.extra_doors.append(t)
        self.extra_motion += [t + 60.0, t + 300.0]

    def _deliver(self, taken: list[tuple[float, DeviceSim, float, bool]]) -> list[Out]:
        out: list[Out] = []
        rng, d = self.rng, self.delivery
        for at, dev, value, with_battery in taken:
            battery = int(dev.battery) if with_battery else None
            outage = dev.offline(at)
            if outage is not None:
                if not outage.buffered:
                    self.lost += 1
                    continue
                deliver = outage.end + rng.uniform(5, 120)
            else:
                deliver = at + rng.uniform(2, 40)
                if rng.random() < d.late:
                    deliver += rng.uniform(0.25, 3.0) * HOUR
            out.append(Out(deliver, at, dev.serial, value, battery))
            if rng.random() < d.duplicate:
                out.append(Out(deliver + rng.uniform(60, 7200), at, dev.serial, value, battery))
        return out
