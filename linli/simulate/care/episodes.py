"""What happens to whom and when: incidents, absences and device faults (the ground truth).

Rates are per home (or device) per 30 days. Planned up front from the seed, so a run is
reproducible; only the end of an incapacitation is decided during the run (by the visit).

Ground truth, as decided for the evaluation:
- an incapacitation (fall, sudden illness at home: water, doors, movement and the person's
  electricity stop) is an incident until the visit finds the person;
- an unannounced absence (gone overnight to the children without telling anyone) is an
  incident too: for a person living alone, nobody knowing where they are for longer than
  the no-water window is what the rules are for, and the visit resolves it (outcome 平安);
  the simulated outings without notice are either shorter than 11 h (market, walk, day out:
  not incidents) or overnight (16–60 h: incidents);
- an absence with an away period set (hospital, visiting children, travel) is not an
  incident, nor is any device fault.

Staying in (the not-out rule, a concern rather than an incident) is judged apart: a spell
of staying in is any time the person, active at home, did not leave for the rule's days.
Some happen by chance (a person who rarely goes out); `stay_in` spells (4–7 whole days
with no outing, life indoors as usual) add the persona the rule is for. They are drawn
from their own random stream, so adding them leaves the incidents and faults as they were.
"""

import math
import random
from dataclasses import dataclass, field

from linli.simulate.care.home import INF, DeviceSim, HomeSim, Outage, Silence
from linli.simulate.care.persona import DAY, HOUR

RATES = {
    "incapacitated": 0.05,
    "absence_unannounced": 0.03,
    "absence_announced": 0.10,
    "device_outage": 0.04,
    "home_outage": 0.03,
    "stuck_water": 0.02,
    "stuck_motion": 0.01,
    "battery_low": 0.03,  # share of devices that start near the low-battery mark
    "stay_in": 0.15,
}


@dataclass
class Incident:
    home: int
    kind: str  # "incapacitated" | "absence"
    start: float
    end: float = INF
    found_at: float | None = None


@dataclass
class Fault:
    home: int
    serial: str
    kind: str  # "offline" | "stuck" | "battery"
    start: float
    end: float = INF


@dataclass
class AwayPlan:
    home: int
    set_at: float
    starts: float
    ends: float
    reason: str
    by_family: bool


@dataclass
class Truth:
    incidents: list[Incident] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    aways: list[AwayPlan] = field(default_factory=list)
    stay_ins: list[tuple[int, float, float]] = field(default_factory=list)  # (home, from, to)


def _count(rng: random.Random, rate: float, days: float) -> int:
    """Poisson count with mean rate × days / 30."""
    mean, k, p = rate * days / 30.0, 0, rng.random()
    term = math.exp(-mean)
    cdf = term
    while p > cdf and k < 20:
        k += 1
        term *= mean / k
        cdf += term
    return k


def _free(busy: list[tuple[float, float]], a: float, b: float) -> bool:
    return all(b <= x or a >= y for x, y in busy)


def plan_episodes(
    homes: list[HomeSim], *, seed: int, warmup_days: int, days: int, rates: dict[str, float]
) -> Truth:
    rng = random.Random(seed * 7919 + 11)
    staying = random.Random(seed * 104_729 + 3)
    truth = Truth()
    first, last = warmup_days * DAY, (warmup_days + days) * DAY
    for home in homes:
        busy: list[tuple[float, float]] = []
        # Announced absences can fall in the warm-up too (the baseline must live with them).
        for _ in range(_count(rng, rates["absence_announced"], warmup_days + days)):
            start = rng.randrange(warmup_days + days) * DAY + rng.uniform(8, 15) * HOUR
            end = start + rng.uniform(1.0, 10.0) * DAY
            if not _free(busy, start - DAY, end + DAY):
                continue
            busy.append((start, end))
            home.silences.append(Silence(start, end, "absence"))
            home.extra_doors += [start, end]
            reason = rng.choices(("hospital", "visiting", "travel"), (4, 4, 2))[0]
            truth.aways.append(
                AwayPlan(
                    home=home.index,
                    set_at=max(0.0, start - rng.uniform(0, 48) * HOUR),
                    starts=start - rng.uniform(0, 3) * HOUR,
                    ends=end + rng.uniform(1, 12) * HOUR,
                    reason=reason,
                    by_family=rng.random() < 0.8,
                )
            )
        for _ in range(_count(rng, rates["absence_unannounced"], days)):
            start = first + rng.randrange(days) * DAY + rng.uniform(8, 15) * HOUR
            end = start + rng.uniform(16, 60) * HOUR
            if end > last or not _free(busy, start - DAY, end + DAY):
                continue
            busy.append((start, end))
            home.silences.append(Silence(start, end, "absence"))
            home.extra_doors += [start, end]
            truth.incidents.append(Incident(home.index, "absence", start, end))
        for _ in range(_count(rng, rates["incapacitated"], days)):
            start = rng.uniform(first + 6 * HOUR, last - 18 * HOUR)
            if not _free(busy, start - DAY, start + 4 * DAY):
                continue
            busy.append((start, start + 4 * DAY))
            home.silences.append(Silence(start, INF, "incapacitated"))
            truth.incidents.append(Incident(home.index, "incapacitated", start))
        _plan_faults(rng, home, truth, first, last, days, rates)
        for _ in range(_count(staying, rates.get("stay_in", 0.0), days)):
            start = first + staying.randrange(days) * DAY
            end = min(last, start + staying.randint(4, 7) * DAY)
            if not _free(busy, start - DAY, end + DAY):
                continue
            busy.append((start, end))
            home.stay_in.append((start, end))
            truth.stay_ins.append((home.index, start, end))
    return truth


def _plan_faults(
    rng: random.Random,
    home: HomeSim,
    truth: Truth,
    first: float,
    last: float,
    days: int,
    rates: dict[str, float],
) -> None:
    def outage(dev: DeviceSim, start: float, end: float, buffered: bool) -> None:
        dev.outages.append(Outage(start, end, buffered))
        truth.faults.append(Fault(home.index, dev.serial, "offline", start, end))

    for dev in home.devices.values():
        for _ in range(_count(rng, rates["device_outage"], days)):
            start = rng.uniform(first, last)
            length = math.exp(rng.uniform(math.log(0.3), math.log(36.0))) * HOUR
            outage(dev, start, min(last, start + length), rng.random() < 0.5)
        if rng.random() < rates["battery_low"]:
            # Drains from the start of the run so that the battery it reports (a whole
            # percent, rounded down) reaches 15% after the warm-up, at `crossing`.
            crossing = rng.uniform(first, last - DAY)
            dev.drain = rng.uniform(0.3, 0.6)
            dev.battery = 16.0 + dev.drain * crossing / DAY
            truth.faults.append(Fault(home.index, dev.serial, "battery", crossing))
    for _ in range(_count(rng, rates["home_outage"], days)):
        start = rng.uniform(first, last)
        end = min(last, start + rng.uniform(0.5, 10.0) * HOUR)
        buffered = rng.random() < 0.7
        for dev in home.devices.values():
            outage(dev, start, end, buffered)
    for kind, rate in (("water", rates["stuck_water"]), ("motion", rates["stuck_motion"])):
        sensor = home.devices.get(kind)
        if sensor is not None and rng.random() < rate * days / 30.0:
            start = rng.uniform(first, last - 2 * DAY)
            sensor.stuck.append([start, INF])
            truth.faults.append(Fault(home.index, sensor.serial, "stuck", start))
