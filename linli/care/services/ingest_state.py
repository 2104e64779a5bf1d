"""The pure part of ingest (CARE-2): checking a reading against its neighbours in time and
folding readings into a device's state. No database access here.
"""

import datetime as dt
from bisect import bisect_left
from dataclasses import dataclass, replace

from linli.care.models.devices import METER_KINDS, USE_THRESHOLD, DeviceKind

# A register may wrap to 0 only from its top tenth into its bottom tenth.
ROLLOVER_NEAR = 0.1
# More than this per hour (and per hour of gap, at least one hour) cannot come through a
# household's pipe or fuse: a garbled or swapped reading.
MAX_RATE: dict[str, float] = {DeviceKind.WATER: 5.0, DeviceKind.ELECTRICITY: 50.0}
UNIT: dict[str, str] = {DeviceKind.WATER: "立方米", DeviceKind.ELECTRICITY: "千瓦时"}


@dataclass(slots=True)
class State:
    """A DeviceState row as plain data (see the model for the meaning of each field)."""

    device_id: int
    household_id: int
    kind: str
    last_at: dt.datetime | None = None
    last_value: float | None = None
    use_mark_at: dt.datetime | None = None
    use_mark_value: float | None = None
    last_event_at: dt.datetime | None = None
    last_change_at: dt.datetime | None = None

    def copy(self) -> "State":
        return replace(self)


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    id: int
    serial: str
    kind: str
    household_id: int
    gateway_id: int | None
    active: bool
    register_max: float | None
    installed_on: dt.date
    last_seen_at: dt.datetime | None


def register_step(prev: float, new: float, register_max: float | None) -> float | None:
    """Consumption from register `prev` to `new`, or None when the register went backwards
    and this is not a rollover (previous near the top, new near 0)."""
    if new >= prev:
        return new - prev
    top, bottom = (register_max or 0) * (1 - ROLLOVER_NEAR), (register_max or 0) * ROLLOVER_NEAR
    if register_max and prev >= top and new <= bottom:
        return register_max - prev + new
    return None


def since_mark(mark: float, value: float, register_max: float | None) -> float:
    """Consumption since the mark; readings are already known to only go forward (mod one
    rollover), so a smaller value means the register wrapped."""
    if value >= mark:
        return value - mark
    return (register_max - mark + value) if register_max else 0.0


def step_problem(
    kind: str, prev: tuple[dt.datetime, float], new: tuple[dt.datetime, float], rmax: float | None
) -> tuple[str, str] | None:
    """(code, Chinese message) if going from reading `prev` to `new` is impossible."""
    used = register_step(prev[1], new[1], rmax)
    if used is None:
        return "backwards", f"读数倒退:{new[1]:g} 小于之前的读数 {prev[1]:g},且不是表计归零。"
    hours = max((new[0] - prev[0]).total_seconds() / 3600, 1.0)
    if used > MAX_RATE[kind] * hours:  # (kinds are str enums: plain strings index them)
        unit = UNIT[kind]
        return "impossible_use", f"用量不可能:{used:g} {unit}只隔 {hours:.1f} 小时。"
    return None


class Timeline:
    """A device's readings around the new ones, in time order, to check each new reading
    against the readings just before and after it."""

    def __init__(self, points: list[tuple[dt.datetime, float]]) -> None:
        self.ats = [p[0] for p in points]
        self.values = [p[1] for p in points]

    def find(self, at: dt.datetime) -> tuple[int, float | None]:
        pos = bisect_left(self.ats, at)
        if pos < len(self.ats) and self.ats[pos] == at:
            return pos, self.values[pos]
        return pos, None

    def neighbours(
        self, pos: int
    ) -> tuple[tuple[dt.datetime, float] | None, tuple[dt.datetime, float] | None]:
        before = (self.ats[pos - 1], self.values[pos - 1]) if pos > 0 else None
        after = (self.ats[pos], self.values[pos]) if pos < len(self.ats) else None
        return before, after

    def insert(self, pos: int, at: dt.datetime, value: float) -> None:
        self.ats.insert(pos, at)
        self.values.insert(pos, value)

    def points(self) -> list[tuple[dt.datetime, float]]:
        return list(zip(self.ats, self.values, strict=True))


def conflict_message(existing: float) -> str:
    return f"同一时刻读数不一致:该时刻已收到读数 {existing:g}。"


def check_against(
    kind: str, line: Timeline, at: dt.datetime, value: float, rmax: float | None
) -> tuple[str, str] | None:
    """Check one new reading against the timeline; on success it is added to the timeline.
    Returns ("duplicate", "") for an identical reading already there."""
    pos, existing = line.find(at)
    if existing is not None:
        if existing == value:
            return "duplicate", ""
        return "conflict", conflict_message(existing)
    if kind in METER_KINDS:
        before, after = line.neighbours(pos)
        if before is not None:
            problem = step_problem(kind, before, (at, value), rmax)
            if problem:
                return problem
        if after is not None:
            problem = step_problem(kind, (at, value), after, rmax)
            if problem:
                code, _ = problem
                message = (
                    f"读数倒退:{value:g} 大于之后 {after[0]:%m-%d %H:%M} 的读数 {after[1]:g}。"
                    if code == "backwards"
                    else problem[1]
                )
                return code, message
    line.insert(pos, at, value)
    return None


def advance(state: State, at: dt.datetime, value: float, rmax: float | None) -> None:
    """Fold one accepted reading newer than everything the state has seen."""
    if state.kind in METER_KINDS:
        if state.last_at is None or state.use_mark_value is None:
            # The first reading starts the watch: "no use since" counts from here.
            state.use_mark_at, state.use_mark_value, state.last_change_at = at, value, at
        else:
            if value != state.last_value:
                state.last_change_at = at
            threshold = USE_THRESHOLD[state.kind]
            if since_mark(state.use_mark_value, value, rmax) >= threshold:
                state.use_mark_at, state.use_mark_value = at, value
    elif value > 0:
        state.last_event_at = at
    state.last_at, state.last_value = at, value


def recompute(
    old: State,
    points: list[tuple[dt.datetime, float]],
    new_events: list[dt.datetime],
    rmax: float | None,
) -> State:
    """The state after late readings: meters are re-folded over `points` (the stored readings
    of a recent window plus the new ones, in time order), keeping what the old state knew
    about times before the window; events only ever move last_event_at forward."""
    state = old.copy()
    if not points:
        return state
    last = points[-1]
    if old.last_at is None or last[0] >= old.last_at:
        state.last_at, state.last_value = last
    if old.kind not in METER_KINDS:
        for at in new_events:
            if state.last_event_at is None or at > state.last_event_at:
                state.last_event_at = at
        return state
    threshold = USE_THRESHOLD[old.kind]
    first_at, first_value = points[0]
    mark_at, mark_value = first_at, first_value
    changed_at: dt.datetime | None = None
    for (_, prev_value), (at, value) in zip(points, points[1:], strict=False):
        if value != prev_value:
            changed_at = at
        if since_mark(mark_value, value, rmax) >= threshold:
            mark_at, mark_value = at, value
    if mark_at == first_at and old.use_mark_at is not None and old.use_mark_at <= first_at:
        mark_at, mark_value = old.use_mark_at, old.use_mark_value or first_value
    if changed_at is None:
        keep = old.last_change_at is not None and old.last_change_at <= first_at
        changed_at = old.last_change_at if keep else first_at
    state.use_mark_at, state.use_mark_value, state.last_change_at = mark_at, mark_value, changed_at
    return state
