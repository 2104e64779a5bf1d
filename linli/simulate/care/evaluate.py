"""Welfare alerts and maintenance tasks against the ground truth.

Welfare alerts (rules no_water, no_movement, electricity) count once someone was told
(a deferred alert that resolved inside its quiet period told nobody; those are listed
apart). An alert is a true positive when it was detected while one of the home's
incidents was going on: start ≤ detected ≤ end + 30 min. Recall is over the incidents
that began after the warm-up and early enough to be caught before the run ended; an
incident counts as caught in time when its first true alert was detected within the
window of the fastest rule its home's working devices allowed, plus 30 minutes: 12 h with
a working water meter, else the electricity window + 1 h (judged on whole hours) with a
working electricity meter, else 3 days.

Not-out concern visits (rule not_out) are scored apart, against the person's real
departures (`HomeSim.departures`): a told alert is true when the person had not left for
the rule's days (less an hour) when it was detected. Recall is over the spells at home of
at least the rule's days + 6 hours that began after the warm-up, ended (or the run did)
6 hours after the window, and in which the person was active at home throughout (no
incapacitation, hospital stay or absence): caught when a true alert was detected between
the window's end (less an hour) and the spell's end (plus an hour).

Maintenance tasks: an offline task is true when the device was in an outage in the
threshold before it opened; a stuck task when the sensor was stuck when it opened; a
battery task when the battery had crossed the mark. Recall: outages longer than the
threshold + 30 min, stuck spells longer than `stuck_days` + 1 day, battery crossings a day
before the end.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from linli.care.models import (
    WELFARE_RULES,
    Alert,
    AlertStatus,
    CareDefaults,
    DeviceKind,
    MaintenanceTask,
    Rule,
    TaskKind,
)
from linli.care.services.rules import offline_after
from linli.simulate.care.episodes import Fault, Incident, Truth
from linli.simulate.care.home import INF, HomeSim
from linli.simulate.care.persona import DAY, HOUR

SLACK = 1800.0


@dataclass
class Figures:
    alerts: int = 0
    true_alerts: int = 0
    incidents: int = 0
    caught: int = 0
    in_time: int = 0
    silent_deferred: int = 0
    delays: list[float] = field(default_factory=list)  # hours, detection
    told_delays: list[float] = field(default_factory=list)  # hours, someone told
    late: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    false_by_rule: Counter[str] = field(default_factory=Counter)
    false_notes: list[str] = field(default_factory=list)
    by_rule: Counter[str] = field(default_factory=Counter)
    tasks: Counter[str] = field(default_factory=Counter)
    true_tasks: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    faults_found: Counter[str] = field(default_factory=Counter)
    not_out: "NotOutFigures | None" = None

    @property
    def precision(self) -> float:
        return self.true_alerts / self.alerts if self.alerts else 1.0

    @property
    def recall(self) -> float:
        return self.caught / self.incidents if self.incidents else 1.0

    def task_precision(self) -> float:
        n = sum(self.tasks.values())
        return sum(self.true_tasks.values()) / n if n else 1.0

    def task_recall(self) -> float:
        n = sum(self.faults.values())
        return sum(self.faults_found.values()) / n if n else 1.0


@dataclass
class NotOutFigures:
    days: float = 3.0
    alerts: int = 0
    true_alerts: int = 0
    spells: int = 0
    caught: int = 0
    persona_spells: int = 0  # spells overlapping a planned stay-in (episodes.py)
    persona_caught: int = 0
    delays: list[float] = field(default_factory=list)  # hours after the window ended
    false_notes: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true_alerts / self.alerts if self.alerts else 1.0

    @property
    def recall(self) -> float:
        return self.caught / self.spells if self.spells else 1.0


def _window(incident: Incident, home: HomeSim, d: CareDefaults) -> float:
    span = (incident.start, incident.start + d.no_water_hours * HOUR + SLACK)

    def works(kind: str) -> bool:
        dev = home.devices.get(kind)
        if dev is None:
            return False
        for a, b in [(o.start, o.end) for o in dev.outages] + [(s[0], s[1]) for s in dev.stuck]:
            if a < span[1] and b > span[0]:
                return False
        return True

    if works(DeviceKind.WATER):
        return d.no_water_hours * HOUR
    if works(DeviceKind.ELECTRICITY):
        return (d.electricity_hours + 1) * HOUR
    return d.no_movement_days * DAY


def evaluate(
    *, homes: list[HomeSim], truth: Truth, epoch: dt.datetime, first: float, last: float
) -> Figures:
    d = CareDefaults.objects.get(pk=1)
    f = Figures()
    by_household = {h.household_id: h for h in homes}

    def secs(moment: dt.datetime) -> float:
        return (moment - epoch).total_seconds()

    incidents: dict[int, list[Incident]] = {}
    for i in truth.incidents:
        incidents.setdefault(homes[i.home].household_id, []).append(i)
    first_true: dict[int, tuple[float, float]] = {}
    alerts = Alert.objects.filter(
        rule__in=WELFARE_RULES, detected_at__gte=epoch, household_id__in=list(by_household)
    ).order_by("pk")
    for a in alerts:
        detected = secs(a.detected_at)
        if detected < first:
            continue
        if not _told(a):
            f.silent_deferred += 1
            continue
        f.alerts += 1
        f.by_rule[a.rule] += 1
        match = next(
            (
                i
                for i in incidents.get(a.household_id, [])
                if i.start <= detected <= min(i.end, last) + SLACK
            ),
            None,
        )
        if match is None:
            f.false_by_rule[a.rule] += 1
            home = by_household[a.household_id]
            f.false_notes.append(
                f"{a.rule} home {home.index} at {a.detected_at:%m-%d %H:%M} "
                f"({a.get_status_display()}, {a.outcome or '-'})"
            )
            continue
        f.true_alerts += 1
        key = id(match)
        if key not in first_true or detected < first_true[key][0]:
            first_true[key] = (detected, secs(a.opened_at))
    for i in truth.incidents:
        home = homes[i.home]
        window = _window(i, home, d)
        if i.start < first or i.start + window + SLACK > last:
            continue
        f.incidents += 1
        hit = first_true.get(id(i))
        label = f"{i.kind} home {i.home} from {(epoch + dt.timedelta(seconds=i.start)):%m-%d %H:%M}"
        if hit is None:
            f.missed.append(label)
            continue
        f.caught += 1
        delay = hit[0] - i.start
        f.delays.append(delay / HOUR)
        f.told_delays.append((hit[1] - i.start) / HOUR)
        if delay <= window + SLACK:
            f.in_time += 1
        else:
            f.late.append(f"{label}: {delay / HOUR:.1f} h (window {window / HOUR:.0f} h)")
    _tasks(f, homes, truth, epoch, first, last, d)
    f.not_out = _not_out(homes, truth, epoch, first, last, d)
    return f


def _told(a: Alert) -> bool:
    """Someone was told: not still deferred, nor resolved inside its quiet period."""
    if a.status == AlertStatus.DEFERRED:
        return False
    return a.status != AlertStatus.RESOLVED_AUTO or bool(a.closed_at and a.opened_at <= a.closed_at)


def _not_out(
    homes: list[HomeSim],
    truth: Truth,
    epoch: dt.datetime,
    first: float,
    last: float,
    d: CareDefaults,
) -> NotOutFigures:
    n = NotOutFigures(days=d.not_out_days)
    window = d.not_out_days * DAY
    by_household = {h.household_id: h for h in homes}
    left = {h.index: h.departures() for h in homes}
    detected: dict[int, list[float]] = {}
    alerts = Alert.objects.filter(
        rule=Rule.NOT_OUT, detected_at__gte=epoch, household_id__in=list(by_household)
    ).order_by("pk")
    for a in alerts:
        at = (a.detected_at - epoch).total_seconds()
        if at < first or not _told(a):
            continue
        home = by_household[a.household_id]
        n.alerts += 1
        before = [x for x in left[home.index] if x <= at]
        if not before or at - before[-1] >= window - HOUR:
            n.true_alerts += 1
            detected.setdefault(home.index, []).append(at)
        else:
            n.false_notes.append(
                f"home {home.index} at {a.detected_at:%m-%d %H:%M}: out "
                f"{(at - before[-1]) / HOUR:.1f} h before"
            )
    planned = {(i, a, b) for i, a, b in truth.stay_ins}
    for home in homes:
        marks = [*left[home.index], INF]
        for start, end in zip(marks, marks[1:], strict=False):
            due = start + window
            if start < first or end - start < window + 6 * HOUR or due + 6 * HOUR > last:
                continue
            if any(s.start < min(end, last) and s.end > start for s in home.silences):
                continue  # not active at home throughout: the welfare rules' business
            n.spells += 1
            persona = any(i == home.index and a < end and b > start for i, a, b in planned)
            n.persona_spells += persona
            hit = next(
                (x for x in detected.get(home.index, []) if due - HOUR <= x <= end + HOUR), None
            )
            if hit is None:
                stamp = epoch + dt.timedelta(seconds=start)
                n.missed.append(
                    f"home {home.index} at home from {stamp:%m-%d %H:%M} for "
                    f"{(min(end, last) - start) / DAY:.1f} days"
                )
                continue
            n.caught += 1
            n.persona_caught += persona
            n.delays.append((hit - due) / HOUR)
    return n


def _tasks(
    f: Figures,
    homes: list[HomeSim],
    truth: Truth,
    epoch: dt.datetime,
    first: float,
    last: float,
    d: CareDefaults,
) -> None:
    faults: dict[tuple[str, str], list[Fault]] = {}
    for fault in truth.faults:
        faults.setdefault((fault.serial, fault.kind), []).append(fault)
    opened: dict[tuple[str, str], list[float]] = {}
    ours = [h.household_id for h in homes]
    tasks = MaintenanceTask.objects.select_related("device").filter(
        opened_at__gte=epoch, household_id__in=ours
    )
    for t in tasks:
        at = (t.opened_at - epoch).total_seconds()
        if at < first:
            continue
        kind, serial = str(t.kind), t.device.serial
        opened.setdefault((serial, kind), []).append(at)
        f.tasks[kind] += 1
        limit = offline_after(t.device.kind, d).total_seconds() + 900
        ok = False
        for fault in faults.get((serial, kind), []):
            if kind == TaskKind.OFFLINE:
                ok = ok or (fault.start <= at and fault.end >= at - limit)
            elif kind == TaskKind.STUCK:
                ok = ok or fault.start <= at <= fault.end
            else:
                ok = ok or fault.start <= at
        if ok:
            f.true_tasks[kind] += 1
    kinds = {dev.serial: dev.kind for h in homes for dev in h.devices.values()}
    for (serial, kind), items in faults.items():
        for fault in items:
            if fault.start < first:
                continue
            end = min(fault.end, last)
            if kind == "offline":
                need = offline_after(kinds[serial], d).total_seconds() + SLACK
            elif kind == "stuck":
                need = (d.stuck_days + 1) * DAY
            else:
                need = DAY
            if end - fault.start < need or (fault.end == INF and last - fault.start < need):
                continue
            f.faults[kind] += 1
            if any(fault.start <= at <= end + 900 for at in opened.get((serial, kind), [])):
                f.faults_found[kind] += 1


def report(f: Figures, counts: object) -> list[str]:
    def pct(x: float) -> str:
        return f"{x:.3f}"

    delays = sorted(f.delays)
    told = sorted(f.told_delays)
    lines = [
        f"welfare alerts told: {f.alerts} (by rule {dict(f.by_rule)}), true {f.true_alerts}, "
        f"false {f.alerts - f.true_alerts} {dict(f.false_by_rule)}",
        f"welfare precision {pct(f.precision)}  recall {pct(f.recall)} "
        f"({f.caught}/{f.incidents} incidents; {f.in_time} within window + 30 min)",
    ]
    if delays:
        lines.append(
            f"detection delay after incident start: median {delays[len(delays) // 2]:.2f} h, "
            f"max {delays[-1]:.2f} h; someone told: median {told[len(told) // 2]:.2f} h, "
            f"max {told[-1]:.2f} h (quiet hours defer telling)"
        )
    lines.append(f"deferred alerts resolved before anyone was told: {f.silent_deferred}")
    lines.append(
        f"maintenance tasks: {sum(f.tasks.values())} {dict(f.tasks)}, precision "
        f"{pct(f.task_precision())}; faults {dict(f.faults)} found {dict(f.faults_found)}, "
        f"recall {pct(f.task_recall())}"
    )
    if f.not_out is not None:
        n = f.not_out
        delays = sorted(n.delays)
        median = f"{delays[len(delays) // 2]:.2f} h" if delays else "-"
        lines.append(
            f"not-out concern visits told: {n.alerts}, true {n.true_alerts}, false "
            f"{n.alerts - n.true_alerts}; precision {pct(n.precision)}  recall "
            f"{pct(n.recall)} ({n.caught}/{n.spells} spells at home of {n.days:g}+ days, "
            f"{n.persona_caught}/{n.persona_spells} of them planned stay-ins); detected "
            f"{median} (median) after the window"
        )
        lines += [f"  not-out false: {x}" for x in n.false_notes[:10]]
        lines += [f"  not-out missed: {x}" for x in n.missed[:10]]
    lines += [f"  late: {x}" for x in f.late[:10]]
    lines += [f"  missed: {x}" for x in f.missed[:10]]
    lines += [f"  false: {x}" for x in f.false_notes[:15]]
    return lines
