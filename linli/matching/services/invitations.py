"""Invitations (MATCH-3): the volunteer accepts or declines; an invitation not answered in
time goes to the next candidate; the first acceptance of an urgent need wins and the others
are told. The database keeps at most one accepted match a need (matching_one_accepted)."""

import datetime as dt
from typing import Any

import numpy as np
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import Conflict, NotFound
from linli.matching import policy, scoring
from linli.matching.choices import AuditAction, MatchStatus, NeedStatus
from linli.matching.models import Match, Need
from linli.matching.services import candidates
from linli.matching.services.common import record, tell
from linli.matching.services.runs import invite_deadline


def match_not_found() -> NotFound:
    return NotFound(_("找不到该邀请。"))


def _lock(actor: Any, match_id: int) -> tuple[Need, Match]:
    """Lock the need first (every step on a need takes it, in this order), then the match."""
    found = Match.objects.visible_to(actor).filter(pk=match_id).values_list("need_id").first()
    if found is None:
        raise match_not_found()
    need = Need.objects.select_for_update().get(pk=found[0])
    match = Match.objects.select_for_update().select_related("resource").get(pk=match_id)
    return need, match


@transaction.atomic
def match_accept(*, actor: Any, match_id: int) -> Match:
    need, match = _lock(actor, match_id)
    if (
        match.status == MatchStatus.INVITED
        and match.expires_at
        and match.expires_at <= timezone.now()
    ):
        raise Conflict(_("该邀请已过期,已转给其他志愿者。"), code="expired")
    if match.status == MatchStatus.SUPERSEDED:
        raise Conflict(_("已有其他志愿者先接受了这项需求,谢谢您。"), code="taken")
    policy.require(actor, need, policy.Action.ACCEPT, match)
    now = timezone.now()
    match.status = MatchStatus.ACCEPTED
    match.answered_at = now
    try:
        with transaction.atomic():
            match.save(update_fields=["status", "answered_at", "updated_at"])
    except IntegrityError as exc:  # another acceptance got there first
        raise Conflict(_("已有其他志愿者先接受了这项需求,谢谢您。"), code="taken") from exc
    need.status = NeedStatus.ACCEPTED
    need.save(update_fields=["status", "updated_at"])
    for other in (
        need.matches.filter(status=MatchStatus.INVITED)
        .exclude(pk=match.pk)
        .select_related("volunteer")
    ):
        other.status = MatchStatus.SUPERSEDED
        other.answered_at = now
        other.save(update_fields=["status", "answered_at", "updated_at"])
        tell(other.volunteer, _("「%(title)s」已由其他志愿者接下,谢谢您。") % {"title": need.title})
    record(actor, AuditAction.MATCH, match, step="accept", need=need.pk)
    tell(need.requester, _("已有志愿者接受了您的需求「%(title)s」") % {"title": need.title})
    return match


@transaction.atomic
def match_decline(*, actor: Any, match_id: int) -> Match:
    need, match = _lock(actor, match_id)
    policy.require(actor, need, policy.Action.DECLINE, match)
    match.status = MatchStatus.DECLINED
    match.answered_at = timezone.now()
    match.save(update_fields=["status", "answered_at", "updated_at"])
    record(actor, AuditAction.MATCH, match, step="decline", need=need.pk)
    if not need.matches.filter(status__in=(MatchStatus.INVITED, MatchStatus.ACCEPTED)).exists():
        invite_next(need, now=timezone.now())
    return match


def invite_next(need: Need, *, now: dt.datetime) -> Match | None:
    """Invite the best candidate not asked yet (within the fairness cap of its window); none
    left: the need is marked unmatched with the filter that removed everyone."""
    day = timezone.localtime(need.starts_at).replace(hour=0, minute=0, second=0, microsecond=0)
    problem = candidates.build(
        community_id=need.community_id,
        needs=[need],
        window_start=day,
        window_end=day + dt.timedelta(days=1),
    )
    c = problem.per_need[0]
    # The cap staff chose for the run that proposed this need (the default otherwise).
    cap = (
        need.matches.filter(run__isnull=False).values_list("run__cap", flat=True).first()
        or scoring.DEFAULT_CAP
    )
    order = [int(k) for k in np.argsort(-c.score, kind="stable")]
    order = [k for k in order if problem.used[int(c.idx[k])] < cap]
    if need.starts_at <= now or not order:
        reason = c.reason or ("cap" if len(c.idx) else "skill")
        need.status = NeedStatus.UNMATCHED
        need.unmatched_reason = reason
        need.save(update_fields=["status", "unmatched_reason", "updated_at"])
        tell(
            need.requester,
            _("「%(title)s」暂时没有找到志愿者,社区会继续联系。") % {"title": need.title},
        )
        return None
    k = order[0]
    vol = problem.volunteers[int(c.idx[k])]
    terms = c.terms_of(k)
    terms["fairness"] = round(-scoring.FAIRNESS_STEP * problem.used[int(c.idx[k])], 2)
    match = Match.objects.create(
        need=need,
        resource=vol,
        volunteer_id=vol.owner_user_id,  # type: ignore[misc]
        score=scoring.total(terms),
        terms=terms,
        why="next",
        status=MatchStatus.INVITED,
        expires_at=invite_deadline(need, now),
    )
    need.status = NeedStatus.INVITING
    need.save(update_fields=["status", "updated_at"])
    tell(vol.owner_user, _("邀请:%(title)s") % {"title": need.title})
    return match


def invitations_sweep(*, now: dt.datetime | None = None) -> int:
    """Expire unanswered invitations and pass their needs on; returns how many expired."""
    now = now or timezone.now()
    expired = 0
    ids = list(
        Match.objects.filter(status=MatchStatus.INVITED, expires_at__lte=now).values_list(
            "need_id", flat=True
        )
    )
    for need_id in sorted(set(ids)):
        with transaction.atomic():
            need = Need.objects.select_for_update().get(pk=need_id)
            late = list(
                need.matches.select_for_update().filter(
                    status=MatchStatus.INVITED, expires_at__lte=now
                )
            )
            for m in late:
                m.status = MatchStatus.EXPIRED
                m.save(update_fields=["status", "updated_at"])
                record(None, AuditAction.MATCH, m, step="expire", need=need.pk)
                expired += 1
            live = need.matches.filter(status__in=(MatchStatus.INVITED, MatchStatus.ACCEPTED))
            if need.status == NeedStatus.INVITING and not live.exists():
                invite_next(need, now=now)
    return expired
