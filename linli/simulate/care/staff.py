"""The simulated people who act on alerts and tasks, through the real services.

- Family (80%) or the grid worker register announced absences before they start.
- A grid worker takes a new alert within 5–45 minutes (9 times in 10; otherwise it goes
  unanswered, escalates, and a community worker takes it within 10–40 minutes of that),
  visits 15–60 minutes later and closes every open alert of the home with what they find:
  an incapacitated person → 需要帮助 (to hospital, with an away period, or recovering at
  home); nobody home on an unannounced absence → 平安 after phoning the family, who say
  when the person is back (an away period until then); the person fine at home → 误报, or
  设备故障 when one of the home's devices was faulty. A not-out concern visit that finds the
  person fine at home → 平安 when they really had not been out for the rule's days, else 误报.
- The installer mends a stuck sensor 12–48 h after its task (and closes it), replaces a
  flat battery 12–72 h after.
"""

import datetime as dt
import heapq
import itertools
import random
from typing import Any

from linli.accounts.models import User
from linli.care.models import (
    Alert,
    AlertStatus,
    AwayReason,
    MaintenanceTask,
    Outcome,
    Rule,
    TaskKind,
)
from linli.care.services.handling import alert_acknowledge, alert_close, away_set
from linli.care.services.maintenance import maintenance_task_close
from linli.care.services.rules import defaults_get
from linli.core.errors import ApplicationError
from linli.simulate.care.clock import SimClock
from linli.simulate.care.episodes import Truth
from linli.simulate.care.home import HomeSim, Silence
from linli.simulate.care.persona import DAY, HOUR
from linli.simulate.care.world import SimWorld

MINUTE = 60.0


class Staff:
    def __init__(
        self, *, world: SimWorld, homes: list[HomeSim], truth: Truth, epoch: dt.datetime, seed: int
    ) -> None:
        self.world, self.truth, self.epoch = world, truth, epoch
        self.rng = random.Random(seed * 31 + 7)
        self.home_of = {h.household_id: h for h in homes}
        self.by_index = {h.index: h for h in homes}
        self.actions: list[tuple[float, int, str, int, Any]] = []
        self.seq = itertools.count()
        self.scheduled: set[int] = set()
        self.unanswered: set[int] = set()
        self.last_task = 0
        self.aways = sorted(truth.aways, key=lambda a: a.set_at)
        self.next_away = 0
        self.visits: list[tuple[int, float, str]] = []  # (alert id, time, outcome)
        self.errors: list[str] = []

    def moment(self, t: float) -> dt.datetime:
        return self.epoch + dt.timedelta(seconds=t)

    def later(self, t: float, kind: str, pk: int, payload: Any = None) -> None:
        heapq.heappush(self.actions, (t, next(self.seq), kind, pk, payload))

    # ---------------------------------------------------------------- acting

    def act_until(self, now: float, clock: SimClock) -> None:
        while self.next_away < len(self.aways) and self.aways[self.next_away].set_at <= now:
            plan = self.aways[self.next_away]
            self.next_away += 1
            clock.now = self.moment(plan.set_at)
            home = self.by_index[plan.home]
            actor = self._family(home) if plan.by_family else self._grid_worker(home)
            self._try(
                away_set,
                actor=actor,
                household_id=home.household_id,
                starts=self.moment(plan.starts),
                ends=self.moment(plan.ends),
                reason=plan.reason,
            )
        while self.actions and self.actions[0][0] <= now:
            t, _, kind, pk, payload = heapq.heappop(self.actions)
            clock.now = self.moment(t)
            getattr(self, f"_do_{kind}")(t, pk, payload)

    def _try(self, service: Any, **kwargs: Any) -> Any:
        try:
            return service(**kwargs)
        except ApplicationError as exc:  # e.g. the alert resolved itself meanwhile
            self.errors.append(f"{service.__name__}: {exc.message}")
            return None

    def _family(self, home: HomeSim) -> User:
        return User.objects.get(username=f"sim_family_{home.household_id}")

    def _grid_worker(self, home: HomeSim) -> User:
        return self.world.grid_workers[self.world.grid_of[home.household_id]]

    def _do_ack(self, t: float, pk: int, actor: User) -> None:
        alert = Alert.objects.filter(pk=pk).first()
        if alert is None or alert.status != AlertStatus.OPEN:
            return
        if self._try(alert_acknowledge, actor=actor, alert_id=pk) is not None:
            self.later(t + self.rng.uniform(15, 60) * MINUTE, "visit", pk, actor)

    def _do_visit(self, t: float, pk: int, actor: User) -> None:
        alert = Alert.objects.filter(pk=pk).first()
        if alert is None or alert.status not in (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED):
            return
        home = self.home_of[alert.household_id]
        found, found_note = self._find(home, t, actor)
        for other in Alert.objects.filter(
            household_id=alert.household_id,
            status__in=(AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED),
        ):
            outcome, note = found, found_note
            if other.rule == Rule.NOT_OUT and found in (Outcome.FALSE_ALARM, Outcome.DEVICE_FAULT):
                outcome, note = self._concern(home, t)
            if self._try(alert_close, actor=actor, alert_id=other.pk, outcome=outcome, note=note):
                self.visits.append((other.pk, t, outcome))

    def _concern(self, home: HomeSim, t: float) -> tuple[str, str]:
        """The person is fine at home: had they really not been out for the rule's days?"""
        days = defaults_get().not_out_days
        left = [x for x in home.departures() if x <= t]
        if not left or t - left[-1] >= days * DAY - HOUR:
            return Outcome.SAFE, "老人在家,多日未出门,已问候并询问需要"
        return Outcome.FALSE_ALARM, "老人近日出过门"

    def _find(self, home: HomeSim, t: float, actor: User) -> tuple[str, str]:
        s = home.silence_at(t)
        if s is not None and s.kind == "incapacitated":
            s.end = t
            for incident in self.truth.incidents:
                if incident.home == home.index and incident.start == s.start:
                    incident.end = incident.found_at = t
            home.visit_events(t)
            if self.rng.random() < 0.6:
                days = self.rng.uniform(2, 10) * DAY
                back = t + 0.5 * HOUR + days
                home.silences.append(Silence(t + 0.5 * HOUR, back, "hospital"))
                home.extra_doors += [t + 0.5 * HOUR, back]
                self._try(
                    away_set,
                    actor=actor,
                    household_id=home.household_id,
                    starts=self.moment(t),
                    ends=self.moment(back + 6 * HOUR),
                    reason=AwayReason.HOSPITAL,
                )
                return Outcome.NEEDED_HELP, "老人在家中摔倒,已联系120送医"
            return Outcome.NEEDED_HELP, "老人身体不适,已协助就医,居家观察"
        if s is not None and s.kind == "absence":
            self._try(
                away_set,
                actor=actor,
                household_id=home.household_id,
                starts=self.moment(t),
                ends=self.moment(s.end + 2 * HOUR),
                reason=AwayReason.VISITING,
            )
            return Outcome.SAFE, "家中无人,电话联系家属:老人在子女家"
        if s is not None:
            return Outcome.SAFE, "老人住院中"
        home.visit_events(t)
        faulty = any(
            dev.offline(x) or dev.is_stuck(x)
            for dev in home.devices.values()
            for x in (t, t - 6 * HOUR, t - 12 * HOUR)
        )
        if faulty:
            return Outcome.DEVICE_FAULT, "老人平安,设备有故障"
        return Outcome.FALSE_ALARM, "老人平安"

    def _do_repair(self, t: float, pk: int, actor: User) -> None:
        task = MaintenanceTask.objects.select_related("device").filter(pk=pk).first()
        if task is None or task.household_id not in self.home_of:
            return
        home = self.home_of[task.household_id]
        dev = home.devices.get(task.device.kind)
        if dev is not None:
            if task.kind == TaskKind.STUCK:
                for span in dev.stuck:
                    if span[0] <= t < span[1]:
                        span[1] = t
            elif task.kind == TaskKind.BATTERY:
                dev.battery, dev.drain = 100.0, 0.1
            for fault in self.truth.faults:
                same = fault.serial == dev.serial and fault.kind == task.kind
                if same and fault.start <= t < fault.end:
                    fault.end = t
        if task.status == "open":
            self._try(maintenance_task_close, actor=actor, task_id=pk, note="已上门检修")

    # ---------------------------------------------------------------- noticing

    def react(self, now: float, clock: SimClock) -> None:
        """Look at the alerts and tasks the sweep produced and plan what people do."""
        for alert in Alert.objects.filter(status=AlertStatus.OPEN).order_by("pk"):
            if alert.pk in self.scheduled:
                if alert.pk in self.unanswered and alert.escalation_level >= 1:
                    self.unanswered.discard(alert.pk)
                    at = now + self.rng.uniform(10, 40) * MINUTE
                    self.later(at, "ack", alert.pk, self.world.community_worker)
                continue
            self.scheduled.add(alert.pk)
            opened = (alert.opened_at - self.epoch).total_seconds()
            if self.rng.random() < 0.9 and alert.assigned_to is not None:
                at = max(now, opened) + self.rng.uniform(5, 45) * MINUTE
                self.later(at, "ack", alert.pk, alert.assigned_to)
            else:
                self.unanswered.add(alert.pk)
        for task in MaintenanceTask.objects.filter(pk__gt=self.last_task).order_by("pk"):
            self.last_task = task.pk
            if task.kind == TaskKind.STUCK:
                self.later(
                    now + self.rng.uniform(12, 48) * HOUR,
                    "repair",
                    task.pk,
                    self.world.community_worker,
                )
            elif task.kind == TaskKind.BATTERY:
                self.later(
                    now + self.rng.uniform(12, 72) * HOUR,
                    "repair",
                    task.pk,
                    self.world.community_worker,
                )
