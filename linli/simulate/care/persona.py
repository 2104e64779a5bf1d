"""One elderly person's habits and the plan of one of their days (pure, seeded).

Times are seconds since the simulation's epoch (local midnight of its first day). A day plan
lists what the person does if nothing goes wrong: water uses, door openings, movements and
the electric loads switched on; `home.py` turns it into device readings and removes what an
incident or an absence silences.
"""

import math
import random
from dataclasses import dataclass, field

HOUR = 3600.0
DAY = 86400.0


@dataclass(frozen=True)
class Persona:
    wake: float  # usual hour of getting up
    bed: float  # usual hour of going to bed
    night_toilet: float  # chance of getting up at night
    water_rate: float  # small water uses per hour at home and awake
    market: float  # chance of a morning outing
    walk: float  # chance of an afternoon outing
    day_trip: float  # chance of a long day out (5–10.5 h)
    family_visit: float  # chance of children visiting on a weekend day
    shower_days: int  # a shower every this many days
    motion_rate: float  # movements per hour at home and awake
    base_kw: float  # fridge and standby, always on
    light_kw: float
    tv_kw: float
    heater_kw: float  # winter heating or summer air conditioning at full need
    water_heater: bool  # an electric water heater for the shower


def persona_draw(rng: random.Random) -> Persona:
    def clip(x: float, lo: float, hi: float) -> float:
        return max(lo, min(hi, x))

    return Persona(
        wake=clip(rng.gauss(6.3, 0.5), 5.0, 8.0),
        bed=clip(rng.gauss(21.4, 0.6), 19.8, 23.2),
        night_toilet=rng.uniform(0.4, 0.95),
        water_rate=rng.uniform(0.5, 1.2),
        market=rng.uniform(0.3, 0.85),
        walk=rng.uniform(0.2, 0.6),
        day_trip=rng.uniform(0.0, 0.04),
        family_visit=rng.uniform(0.0, 0.5),
        shower_days=rng.choice((1, 1, 2, 2, 3)),
        motion_rate=rng.uniform(5.0, 12.0),
        base_kw=rng.uniform(0.03, 0.07),
        light_kw=rng.uniform(0.05, 0.15),
        tv_kw=rng.uniform(0.06, 0.15),
        heater_kw=rng.uniform(0.4, 1.2),
        water_heater=rng.random() < 0.6,
    )


@dataclass
class DayPlan:
    water: list[tuple[float, float]] = field(default_factory=list)  # (time, m³)
    doors: list[float] = field(default_factory=list)
    motion: list[float] = field(default_factory=list)
    power: list[tuple[float, float, float]] = field(default_factory=list)  # (from, to, kW)
    outings: list[tuple[float, float]] = field(default_factory=list)
    water_at: list[float] = field(default_factory=list)  # the water times, for bisect
    power_end: float = 0.0

    def finish(self) -> "DayPlan":
        self.water.sort()
        self.water_at = [t for t, _ in self.water]
        self.doors.sort()
        self.motion = _cooldown(sorted(self.motion), 300.0)
        self.power_end = max((b for _, b, _ in self.power), default=0.0)
        return self


def _cooldown(times: list[float], gap: float) -> list[float]:
    """A PIR sensor reports again only after its hold time."""
    out: list[float] = []
    for t in times:
        if not out or t - out[-1] >= gap:
            out.append(t)
    return out


def temperature(day_of_year: int) -> float:
    """Daily mean °C in Hangzhou, roughly: 5 °C in January, 29 °C in July."""
    return 17.0 - 12.0 * math.cos(2 * math.pi * (day_of_year - 20) / 365.0)


def sun_hours(day_of_year: int) -> tuple[float, float]:
    swing = math.sin(2 * math.pi * (day_of_year - 80) / 365.0)
    return 6.1 - 0.9 * swing, 17.9 + 1.1 * swing


def _poisson_times(rng: random.Random, a: float, b: float, per_hour: float) -> list[float]:
    out: list[float] = []
    if per_hour <= 0:
        return out
    t = a
    while True:
        t += rng.expovariate(per_hour / HOUR)
        if t >= b:
            return out
        out.append(t)


def _minus(a: float, b: float, holes: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """[a, b) without the holes (sorted, non-overlapping)."""
    out, cur = [], a
    for h0, h1 in holes:
        if h1 <= cur or h0 >= b:
            continue
        if h0 > cur:
            out.append((cur, h0))
        cur = max(cur, h1)
    if cur < b:
        out.append((cur, b))
    return out


def day_plan(
    p: Persona,
    rng: random.Random,
    *,
    start: float,
    weekday: int,
    day_of_year: int,
    stay_in: bool = False,
) -> DayPlan:
    """What the person does on the day starting at `start` if all goes well. On a `stay_in`
    day (a spell of staying in, episodes.py) they do not go out but live as usual indoors."""
    plan = DayPlan()
    h = HOUR
    wake = start + (p.wake + rng.gauss(0, 0.35)) * h
    bed = start + (p.bed + rng.gauss(0, 0.35)) * h
    weekend = weekday >= 5
    # The night before (after midnight): a toilet visit, with a movement and a light.
    if rng.random() < p.night_toilet:
        t = start + rng.uniform(0.8, min(4.6, p.wake - 0.5)) * h
        plan.water.append((t, 0.006))
        plan.motion += [t - 60, t + 120]
        plan.power.append((t - 60, t + 240, p.light_kw))
    # Outings: a long day out, or a market morning and an afternoon walk.
    outs: list[tuple[float, float]] = []
    if stay_in:
        pass
    elif rng.random() < p.day_trip:
        leave = start + rng.uniform(8.0, 9.5) * h
        outs.append((leave, leave + rng.uniform(5.0, 10.5) * h))
    else:
        if rng.random() < p.market:
            leave = wake + rng.uniform(0.8, 2.5) * h
            outs.append((leave, leave + rng.uniform(0.7, 2.5) * h))
        if rng.random() < p.walk:
            leave = start + rng.uniform(14.0, 16.0) * h
            outs.append((leave, leave + rng.uniform(0.7, 2.5) * h))
    outs = [(a, min(b, bed - 0.5 * h)) for a, b in outs if a < bed - 1.0 * h]
    plan.outings = outs
    for a, b in outs:
        if rng.random() < 0.85:  # the toilet before going out
            plan.water.append((a - rng.uniform(5, 20) * 60, 0.006))
        plan.doors += [a, b]
    home = _minus(wake, bed, outs)
    doy = day_of_year
    sunrise, sunset = sun_hours(doy)
    temp = temperature(doy)
    need = max(0.0, (12.0 - temp) / 10.0) + max(0.0, (temp - 26.0) / 5.0)
    # Getting up: washing, kettle, morning light before sunrise.
    plan.water.append((wake + 300, rng.uniform(0.008, 0.015)))
    plan.power.append((wake + 600, wake + 840, 1.5))
    if p.wake < sunrise:
        plan.power.append((wake, start + sunrise * h, p.light_kw))
    for a, b in home:
        for t in _poisson_times(rng, a, b, p.water_rate):
            plan.water.append((t, 0.006 if rng.random() < 0.6 else rng.uniform(0.003, 0.015)))
        plan.motion += _poisson_times(rng, a, b, p.motion_rate)
        for t in _poisson_times(rng, a, b, 0.08):  # rubbish out, a neighbour at the door
            plan.doors.append(t)
        if need > 0:
            plan.power.append((a, b, min(1.0, need) * p.heater_kw * rng.uniform(0.5, 1.0)))
        evening = max(a, start + sunset * h)
        if evening < b:
            plan.power.append((evening, b, p.light_kw))
        tv0 = max(a, start + 19.0 * h)
        if tv0 < b and rng.random() < 0.85:
            plan.power.append((tv0, b, p.tv_kw))
        if rng.random() < 0.4:
            tv1 = max(a, start + 14.0 * h)
            if tv1 < min(b, start + 16.5 * h):
                plan.power.append((tv1, min(b, start + 16.5 * h), p.tv_kw))

    def at_home(t: float) -> bool:
        return any(a <= t < b for a, b in home)

    # Meals: the rice cooker and washing up, if at home.
    for meal in (11.2, 17.3):
        t = start + (meal + rng.gauss(0, 0.3)) * h
        if at_home(t) and rng.random() < 0.85:
            plan.power.append((t, t + rng.uniform(25, 40) * 60, 0.7))
            plan.water.append((t + 3600, rng.uniform(0.01, 0.02)))
    # A shower in the evening, maybe with the electric water heater.
    day_no = int(start // DAY)
    if day_no % p.shower_days == 0:
        t = bed - rng.uniform(0.8, 1.5) * h
        if at_home(t):
            plan.water.append((t, rng.uniform(0.03, 0.06)))
            if p.water_heater:
                plan.power.append((t - 1200, t + 300, 2.0))
    # Children visit on a weekend afternoon: more of everything.
    if weekend and rng.random() < p.family_visit:
        a = start + rng.uniform(10.0, 13.0) * h
        b = a + rng.uniform(2.0, 5.0) * h
        if at_home(a) and at_home(b):
            plan.doors += [a, b]
            plan.motion += _poisson_times(rng, a, b, 12.0)
            plan.water += [(t, 0.008) for t in _poisson_times(rng, a, b, 1.5)]
            plan.power.append((a, b, 0.3))
    return plan.finish()
