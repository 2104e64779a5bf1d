"""The tally (VOTE-4): counts by choice from the box, turnout by building and by channel from
the participation table, the threshold verdict; results only after closing; publishing."""

from collections import Counter
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import Conflict
from linli.deliberation import policy
from linli.deliberation.choices import AuditAction, Option, TopicStatus, VoteKind, VoteStatus
from linli.deliberation.models import (
    Attendance,
    BallotBox,
    Elector,
    ElectorVoter,
    MenuItem,
    Participation,
    Topic,
    Vote,
)
from linli.deliberation.policy import Phase, phase
from linli.deliberation.services.common import record, tell
from linli.deliberation.services.menu import menu_book
from linli.deliberation.thresholds import (
    Counts,
    Rule,
    majority_met,
    participants,
    quorum_met,
    quorum_short,
)


def _present(vote: Vote) -> tuple[int, int]:
    """Units signed in at the vote's meeting that cast no counted ballot: they take part
    (VOTE-5: attendance feeds the quorum of votes taken at the meeting)."""
    if vote.meeting_id is None:
        return 0, 0
    signed = Attendance.objects.filter(meeting_id=vote.meeting_id).values("user_id")
    units = ElectorVoter.objects.filter(vote=vote, user_id__in=signed).values("elector_id")
    voted = Participation.objects.filter(vote=vote, counted=True).values("elector_id")
    rows = Elector.objects.filter(pk__in=units).exclude(pk__in=voted)
    agg = rows.aggregate(n=Count("pk"), area=Sum("area"))
    return agg["n"] or 0, agg["area"] or 0


def progress(vote: Vote) -> dict[str, Any]:
    """What may be shown while voting: how many took part, and how many more the quorum
    needs. Never the choices."""
    counted = Participation.objects.filter(vote=vote, counted=True).count()
    present, _area = _present(vote)
    rule = Rule.of(vote.rule)
    c = Counts(electorate=vote.electorate_size, yes=counted + present)
    return {
        "electorate": vote.electorate_size,
        "voted": counted,
        "present": present,
        "pending_paper": Participation.objects.filter(vote=vote, counted=False).count(),
        "quorum_short": quorum_short(rule, c),
        "has_quorum": int(rule.quorum_num > 0),
    }


def tally(vote: Vote) -> dict[str, Any]:
    """The full count. Choices come from the box alone; turnout from participation."""
    box = (
        BallotBox.objects.filter(vote=vote).values("choice").annotate(n=Count("id"), a=Sum("area"))
    )
    by_choice = {row["choice"]: (row["n"], row["a"] or 0) for row in box}
    present, present_area = _present(vote)
    out: dict[str, Any] = {"electorate": vote.electorate_size, "area": vote.electorate_area}
    if vote.kind == VoteKind.DECISION:

        def get(o: str) -> tuple[int, int]:
            return by_choice.get(o, (0, 0))

        c = Counts(
            electorate=vote.electorate_size,
            electorate_area=vote.electorate_area,
            yes=get(Option.YES)[0],
            yes_area=get(Option.YES)[1],
            no=get(Option.NO)[0],
            no_area=get(Option.NO)[1],
            abstain=get(Option.ABSTAIN)[0],
            abstain_area=get(Option.ABSTAIN)[1],
            present=present,
            present_area=present_area,
        )
        rule = Rule.of(vote.rule)
        q_ok, m_ok = quorum_met(rule, c), majority_met(rule, c)
        out.update(
            yes=c.yes,
            no=c.no,
            abstain=c.abstain,
            yes_area=c.yes_area,
            no_area=c.no_area,
            abstain_area=c.abstain_area,
            present=present,
            participants=participants(rule, c),
            quorum_met=q_ok,
            majority_met=m_ok,
            passed=q_ok and m_ok,
            advisory=vote.advisory,
        )
    else:
        approvals: Counter[int] = Counter()
        points: Counter[int] = Counter()
        for choice, (n, _a) in by_choice.items():
            for place, item in enumerate(choice.split(",")):
                approvals[int(item)] += n
                # Borda for a ranked vote: first choice max_choices points, one fewer after.
                points[int(item)] += n * (vote.max_choices - place if vote.ranked else 1)
        items = list(vote.items.all())
        ranked = sorted(items, key=lambda i: (-points[i.pk], -approvals[i.pk], i.pk))
        out["ranked"] = vote.ranked
        out["items"] = [
            {"id": i.pk, "title": i.title, "approvals": approvals[i.pk], "points": points[i.pk]}
            for i in ranked
        ]
        out["winners"] = [i.pk for i in ranked[: vote.winners] if points[i.pk] > 0]
    out["turnout"] = turnout(vote)
    return out


def turnout(vote: Vote) -> dict[str, Any]:
    part = Participation.objects.filter(vote=vote, counted=True)
    by_channel = dict(part.values_list("channel").annotate(n=Count("id")))
    units = (
        Elector.objects.filter(vote=vote)
        .values("building__name")
        .annotate(units=Count("id"))
        .order_by("building__name")
    )
    voted = dict(part.values_list("elector__building__name").annotate(n=Count("id")).order_by())
    buildings = [
        {
            "building": row["building__name"] or "",
            "units": row["units"],
            "voted": voted.get(row["building__name"], 0),
        }
        for row in units
    ]
    total = sum(by_channel.values())
    return {
        "voted": total,
        "rate": round(total / vote.electorate_size, 4) if vote.electorate_size else 0.0,
        "by_channel": {k: by_channel.get(k, 0) for k in ("web", "paper")},
        "by_building": buildings,
    }


def results_get(vote: Vote) -> dict[str, Any]:
    """The result: only once voting has closed (the published snapshot when there is one)."""
    current = phase(vote)
    if current == Phase.PUBLISHED and vote.result is not None:
        return dict(vote.result)
    if current != Phase.CLOSED:
        raise Conflict(_("投票截止后才能查看结果。"), code="results_not_ready")
    return tally(vote)


@transaction.atomic
def vote_publish(*, actor: Any, vote: Vote) -> Vote:
    vote = (
        Vote.objects.select_for_update(of=("self",), no_key=True)
        .select_related("body", "rule")
        .get(pk=vote.pk)
    )
    policy.require(actor, vote, "publish")
    if Participation.objects.filter(vote=vote, counted=False).exists():
        raise Conflict(_("还有未复核的纸质选票,请先复核(未复核的不计票)。"), code="paper_pending")
    result = tally(vote)
    vote.result = result
    vote.status = VoteStatus.PUBLISHED
    vote.published_at = timezone.now()
    vote.save(update_fields=["result", "status", "published_at", "updated_at"])
    unbooked: list[MenuItem] = []
    if vote.kind == VoteKind.MENU:
        MenuItem.objects.filter(vote=vote, pk__in=result["winners"]).update(chosen=True)
        unbooked = menu_book(actor=actor, vote=vote)
    if vote.topic_id is not None:
        Topic.objects.filter(pk=vote.topic_id).update(status=TopicStatus.DECIDED)
    record(actor, AuditAction.PUBLISH, vote, passed=result.get("passed"))
    tell([vote.created_by], _("表决结果已公布:%(q)s") % {"q": vote.question}, _url(vote))
    if unbooked:
        tell(
            [actor],
            _("服务菜单有 %(n)s 项未能预约场地,请另选时间:%(items)s")
            % {
                "n": len(unbooked),
                "items": ";".join(f"{i.title}({i.booking_problem})" for i in unbooked),
            },
            _url(vote),
        )
    return vote


def _url(vote: Vote) -> str:
    return reverse("deliberation:vote", args=[vote.pk])
