"""Matching runs (MATCH-3): staff run the solver over a community's open needs of a time
window, review the proposed assignment, then send it as invitations."""

import datetime as dt
import time
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.matching import scoring, solver
from linli.matching.choices import (
    OPEN_NEEDS,
    AuditAction,
    MatchStatus,
    NeedStatus,
    RunStatus,
)
from linli.matching.models import Match, MatchRun, Need
from linli.matching.policy import manages
from linli.matching.services import candidates
from linli.matching.services.common import record, tell

MAX_WINDOW = dt.timedelta(days=14)
MAX_CAP = 10
URGENT_FAN_OUT = 3  # urgent needs: the top few are invited at once, first acceptance wins
INVITE_FOR = dt.timedelta(hours=4)
URGENT_INVITE_FOR = dt.timedelta(minutes=30)
CONFLICT_ROUNDS = 8


def _worth(problem: candidates.Problem, a: solver.Assigned) -> float:
    c = problem.per_need[a.need]
    # The pair's own score: which of the volunteer's slots it sat in is arbitrary.
    return float(c.score[np.flatnonzero(c.idx == a.volunteer)[0]])


def _conflicts(problem: candidates.Problem, chosen: list[solver.Assigned]) -> set[tuple[int, int]]:
    """Pairs to forbid: a volunteer given two needs that overlap in time keeps the one that
    scores more (the solver is run again without the other pair)."""
    by_vol: dict[int, list[solver.Assigned]] = {}
    for a in chosen:
        by_vol.setdefault(a.volunteer, []).append(a)
    bad: set[tuple[int, int]] = set()
    for js in by_vol.values():
        js.sort(key=lambda a: problem.needs[a.need].starts_at)
        for x, y in zip(js, js[1:], strict=False):
            nx, ny = problem.needs[x.need], problem.needs[y.need]
            if ny.starts_at < nx.ends_at:
                worse = x if _worth(problem, x) < _worth(problem, y) else y
                bad.add((worse.need, worse.volunteer))
    return bad


def assign(problem: candidates.Problem, cap: int) -> list[solver.Assigned]:
    """The globally optimal assignment, then time clashes repaired: a volunteer given two
    needs that overlap keeps the one that scores more; the needs let go are assigned again,
    among themselves, to the capacity left and to volunteers free at their time (a smaller
    problem, so a few rounds cost little). Nothing is ever double-booked."""
    sizes = [len(c.idx) for c in problem.per_need]
    need = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    vol = np.concatenate([c.idx for c in problem.per_need] or [np.zeros(0, dtype=np.int64)])
    score = np.concatenate([c.score for c in problem.per_need] or [np.zeros(0)])
    caps = np.full(len(problem.volunteers), cap, dtype=np.int64)
    used = np.asarray(problem.used, dtype=np.int64)
    chosen = solver.solve_arrays(len(sizes), need, vol, score, caps, used, scoring.FAIRNESS_STEP)
    tried: set[tuple[int, int]] = set()
    for _round in range(CONFLICT_ROUNDS):
        bad = _conflicts(problem, chosen)
        if not bad:
            return chosen
        tried |= bad
        kept = [a for a in chosen if (a.need, a.volunteer) not in bad]
        held: dict[int, list[int]] = {}
        for a in kept:
            held.setdefault(a.volunteer, []).append(a.need)
        loose = sorted({i for i, _j in bad})
        ok = np.isin(need, loose)
        for n in np.flatnonzero(ok):
            i, j = int(need[n]), int(vol[n])
            if (i, j) in tried or any(_overlap(problem, i, k) for k in held.get(j, ())):
                ok[n] = False
        slot_base = used + np.bincount(
            [a.volunteer for a in kept], minlength=len(problem.volunteers)
        ).astype(np.int64)
        extra = solver.solve_arrays(
            len(sizes), need[ok], vol[ok], score[ok], caps, slot_base, scoring.FAIRNESS_STEP
        )
        chosen = kept + extra
    bad = _conflicts(problem, chosen)
    return [a for a in chosen if (a.need, a.volunteer) not in bad]


def _overlap(problem: candidates.Problem, i: int, k: int) -> bool:
    a, b = problem.needs[i], problem.needs[k]
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def _runner_up(
    problem: candidates.Problem, i: int, winner: int, assigned_to: dict[int, list[int]]
) -> tuple[dict[str, Any], str]:
    """The best other candidate and why they lost, as data and a reason code (the text is
    written when shown, in the reader's language: present.why_text)."""
    c = problem.per_need[i]
    win_k = int(np.flatnonzero(c.idx == winner)[0])
    if len(c.idx) < 2:
        return {}, "only"
    masked = np.where(c.idx == winner, -np.inf, c.score)
    k = int(np.argmax(masked))  # the first best: candidates are in volunteer order
    j = int(c.idx[k])
    rival = problem.volunteers[j]
    gap = round(float(c.score[win_k] - c.score[k]), 2)
    info: dict[str, Any] = {
        "resource": rival.pk,
        "name": rival.name,
        "score": float(c.score[k]),
        "gap": gap,
        "elsewhere": bool(assigned_to.get(j)),
    }
    if gap > 0:
        why = scoring.biggest_gap(c.terms_of(win_k), c.terms_of(k))
    elif assigned_to.get(j):
        why = "elsewhere"
    else:
        why = "fairness"
    info["lost_on"] = why
    return info, why


def _discard_proposals(community_id: int) -> None:
    stale = MatchRun.objects.filter(community_id=community_id, status=RunStatus.PROPOSED)
    Match.objects.filter(run__in=stale, status=MatchStatus.PROPOSED).delete()
    stale.update(status=RunStatus.DISCARDED, updated_at=timezone.now())


@transaction.atomic
def matching_run(
    *,
    actor: Any,
    community_id: int,
    window_start: dt.datetime,
    window_end: dt.datetime,
    cap: int = scoring.DEFAULT_CAP,
) -> MatchRun:
    """Propose the globally best assignment of the window's open needs (nothing is sent)."""
    if not manages(actor, community_id):
        raise PermissionDenied(_("只有本社区工作人员可以运行匹配。"))
    if window_end <= window_start:
        raise ValidationFailed(_("结束时间须晚于开始时间。"), field="window_end")
    if window_end - window_start > MAX_WINDOW:
        raise ValidationFailed(_("一次匹配的时间范围最长 14 天。"), field="window_end")
    if not 1 <= cap <= MAX_CAP:
        raise ValidationFailed(_("每人分配上限应在 1 到 10 之间。"), field="cap")
    clock = time.perf_counter()
    _discard_proposals(community_id)
    needs = list(
        Need.objects.select_for_update()
        .filter(
            community_id=community_id,
            status__in=OPEN_NEEDS,
            starts_at__gte=max(window_start, timezone.now()),
            starts_at__lt=window_end,
        )
        .order_by("starts_at", "pk")
    )
    problem = candidates.build(
        community_id=community_id, needs=needs, window_start=window_start, window_end=window_end
    )
    chosen = assign(problem, cap)
    assigned_to: dict[int, list[int]] = {}
    for a in chosen:
        assigned_to.setdefault(a.volunteer, []).append(a.need)
    run = MatchRun.objects.create(
        community_id=community_id,
        window_start=window_start,
        window_end=window_end,
        cap=cap,
        run_by=actor,
    )
    rows: list[Match] = []
    matched: set[int] = set()
    worth = 0.0
    for a in chosen:
        need, c = problem.needs[a.need], problem.per_need[a.need]
        k = int(np.flatnonzero(c.idx == a.volunteer)[0])
        terms = c.terms_of(k)
        terms["fairness"] = round(-a.penalty, 2)
        runner, why = _runner_up(problem, a.need, a.volunteer, assigned_to)
        vol = problem.volunteers[a.volunteer]
        matched.add(a.need)
        worth += scoring.total(terms)
        rows.append(
            Match(
                run=run,
                need=need,
                resource=vol,
                volunteer_id=vol.owner_user_id,  # type: ignore[misc]
                score=scoring.total(terms),
                terms=terms,
                runner_up=runner,
                why=why,
            )
        )
        if need.urgent:
            # The next best at once too: the first to accept wins.
            order = np.argsort(-c.score, kind="stable")
            extra = [int(x) for x in order if int(c.idx[x]) != a.volunteer][: URGENT_FAN_OUT - 1]
            for x in extra:
                other = problem.volunteers[int(c.idx[x])]
                t = c.terms_of(x)
                t["fairness"] = 0.0
                rows.append(
                    Match(
                        run=run,
                        need=need,
                        resource=other,
                        volunteer_id=other.owner_user_id,  # type: ignore[misc]
                        score=scoring.total(t),
                        terms=t,
                        why="urgent",
                    )
                )
    Match.objects.bulk_create(rows, batch_size=500)
    unmatched = {}
    for i, need in enumerate(problem.needs):
        if i not in matched:
            unmatched[str(need.pk)] = problem.per_need[i].reason or "cap"
    run.stats = {
        "needs": len(needs),
        "volunteers": len(problem.volunteers),
        "pairs": problem.pair_count,
        "matched": len(matched),
        "unmatched": unmatched,
        "worth": round(worth, 2),
        "seconds": round(time.perf_counter() - clock, 3),
    }
    run.save(update_fields=["stats", "updated_at"])
    record(actor, AuditAction.RUN, run, step="run", needs=len(needs), matched=len(matched))
    return run


def _lock_run(actor: Any, run_id: int) -> MatchRun:
    run = MatchRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or not manages(actor, run.community_id):
        raise NotFound(_("找不到该匹配方案。"))
    if run.status != RunStatus.PROPOSED:
        raise Conflict(
            _("该匹配方案当前为「%(status)s」,不能再发送或放弃。")
            % {"status": run.get_status_display()},
            code="run_closed",
        )
    return run


def invite_deadline(need: Need, now: dt.datetime) -> dt.datetime:
    """The answer time, and an hour before the start at the latest (time to pass it on),
    but never less than 15 minutes."""
    span = URGENT_INVITE_FOR if need.urgent else INVITE_FOR
    latest = max(need.starts_at - dt.timedelta(hours=1), now + dt.timedelta(minutes=15))
    return min(now + span, latest, need.starts_at)


@transaction.atomic
def run_send(*, actor: Any, run_id: int) -> MatchRun:
    """Send the reviewed proposal: each match becomes an invitation; needs nobody could take
    are marked with the filter that removed everyone."""
    run = _lock_run(actor, run_id)
    now = timezone.now()
    sent = 0
    for m in run.matches.select_related("need", "volunteer").order_by("pk"):
        need = Need.objects.select_for_update().get(pk=m.need_id)
        if need.status not in (*OPEN_NEEDS, NeedStatus.INVITING) or need.starts_at <= now:
            m.status = MatchStatus.DISCARDED
            m.save(update_fields=["status", "updated_at"])
            continue
        m.status = MatchStatus.INVITED
        m.expires_at = invite_deadline(need, now)
        m.save(update_fields=["status", "expires_at", "updated_at"])
        need.status = NeedStatus.INVITING
        need.unmatched_reason = ""
        need.save(update_fields=["status", "unmatched_reason", "updated_at"])
        tell(
            m.volunteer,
            _("邀请:%(title)s(%(when)s)")
            % {
                "title": need.title,
                "when": timezone.localtime(need.starts_at).strftime("%m-%d %H:%M"),
            },
        )
        sent += 1
    for need_id, reason in run.stats.get("unmatched", {}).items():
        Need.objects.filter(pk=int(need_id), status__in=OPEN_NEEDS).update(
            status=NeedStatus.UNMATCHED,
            unmatched_reason=reason,
            updated_at=now,
        )
    run.status = RunStatus.SENT
    run.save(update_fields=["status", "updated_at"])
    record(actor, AuditAction.RUN, run, step="send", invitations=sent)
    return run


@transaction.atomic
def run_discard(*, actor: Any, run_id: int) -> MatchRun:
    run = _lock_run(actor, run_id)
    run.matches.filter(status=MatchStatus.PROPOSED).update(
        status=MatchStatus.DISCARDED, updated_at=timezone.now()
    )
    run.status = RunStatus.DISCARDED
    run.save(update_fields=["status", "updated_at"])
    record(actor, AuditAction.RUN, run, step="discard")
    return run
