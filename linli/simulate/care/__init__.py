"""The care simulator (`manage.py care_simulate`): realistic homes of elderly people living
alone, their devices' readings fed through the real ingest service, the real sweep on a
simulated clock, simulated staff acting through the real services, and the results scored
against the ground truth (`episodes.py` says what counts as an incident).

persona.py  habits and day plans            home.py      devices, faults, delivery
episodes.py incidents, absences, faults     world.py     the community in the database
staff.py    grid workers, family, installer runner.py    the clock, ingest, sweeps
evaluate.py precision, recall, delays       clock.py     simulated time for the services

A warm-up (default 21 days, normal life and announced absences only) comes first so the
electricity baselines exist; only incidents, alerts and tasks after it are scored.
"""

import datetime as dt
import random
import time
from dataclasses import dataclass, field

from django.utils import timezone

from linli.care.models import Reading
from linli.care.services.precision import precision_report
from linli.simulate.care.episodes import RATES, Truth, plan_episodes
from linli.simulate.care.evaluate import Figures, evaluate, report
from linli.simulate.care.home import Delivery, DeviceSim, HomeSim
from linli.simulate.care.persona import persona_draw
from linli.simulate.care.runner import Counts, Runner
from linli.simulate.care.world import SimWorld, world_build, world_reset


def _stored(world: SimWorld) -> int:
    return Reading.objects.filter(device__household__in=world.households).count()


@dataclass
class SimulationResult:
    counts: Counts
    truth: Truth
    figures: Figures | None
    lines: list[str] = field(default_factory=list)


def simulation_run(
    *,
    households: int,
    days: int,
    seed: int,
    start: dt.date | None = None,
    warmup_days: int = 21,
    evaluate_results: bool = True,
    quiet_share: float = 0.1,
    rates: dict[str, float] | None = None,
    progress: bool = False,
) -> SimulationResult:
    total = warmup_days + days
    start = start or timezone.localdate() - dt.timedelta(days=total + 1)
    epoch = dt.datetime.combine(start, dt.time.min, tzinfo=timezone.get_default_timezone())
    began = time.perf_counter()
    world = world_build(households=households, seed=seed, installed_on=start)
    world_reset(world, quiet_share=quiet_share, seed=seed)
    rng = random.Random(seed)
    homes: list[HomeSim] = []
    for index, household in enumerate(world.households[:households]):
        devices = {}
        for kind, device in world.devices[household.pk].items():
            sim = DeviceSim(device.serial, kind, phase=rng.uniform(0, 3600) // 60 * 60)
            sim.battery = rng.uniform(40, 100)
            if kind == "water":
                sim.register = round(rng.uniform(50, 900), 3)
            elif kind == "electricity":
                sim.register_max = device.register_max
                # A few meters start near the top of their range and wrap during the run.
                top = device.register_max or 9999.99
                near = rng.random() < 0.02
                sim.register = top - rng.uniform(5, 60) if near else rng.uniform(500, 9000)
            devices[kind] = sim
        homes.append(
            HomeSim(
                index=index,
                household_id=household.pk,
                persona=persona_draw(rng),
                seed=seed * 100_003 + index,
                devices=devices,
                start_weekday=start.weekday(),
                start_doy=start.timetuple().tm_yday,
                delivery=Delivery(),
            )
        )
    truth = plan_episodes(
        homes, seed=seed, warmup_days=warmup_days, days=days, rates=rates or RATES
    )
    built = time.perf_counter() - began
    runner = Runner(
        world=world,
        homes=homes,
        truth=truth,
        epoch=epoch,
        total_days=total,
        seed=seed,
        progress=progress,
    )
    counts = runner.run()
    c = counts
    lines = [
        f"{households} homes, {days} days after a {warmup_days}-day warm-up, seed {seed}, "
        f"from {start} (world ready in {built:.0f} s)",
        f"readings sent {c.generated} (never sent, device offline: {c.lost}), delivered "
        f"{c.delivered}, still on their way {c.pending}; accepted {c.accepted}, duplicates "
        f"{c.duplicates}, rejected {c.rejected} {dict(c.rejected_codes)}, late {c.late}; "
        f"stored {_stored(world)}; sweeps {c.sweeps}",
        "seconds: " + ", ".join(f"{k} {v:.0f}" for k, v in c.seconds.items()),
        f"incidents {len(truth.incidents)}, announced absences {len(truth.aways)}, "
        f"device faults {len(truth.faults)}; staff errors {len(runner.staff.errors)}",
    ]
    figures = None
    if evaluate_results:
        day = 86400.0
        figures = evaluate(
            homes=homes,
            truth=truth,
            epoch=epoch,
            first=warmup_days * day,
            last=total * day,
        )
        lines += report(figures, counts)
        lines.append(
            _outcomes(epoch + dt.timedelta(days=warmup_days), epoch + dt.timedelta(days=total))
        )
    return SimulationResult(counts, truth, figures, lines)


def _outcomes(since: dt.datetime, until: dt.datetime) -> str:
    """What the simulated visits recorded, as the care board shows it (precision_report)."""
    parts = [
        f"{r.rule} {r.confirmed}/{r.counted}"
        + (f" = {r.precision:.3f}" if r.precision is not None else "")
        for r in precision_report(since=since, until=until)
        if r.counted
    ]
    return "visit outcomes per rule (confirmed/counted, precision_report): " + (
        ", ".join(parts) or "none"
    )
