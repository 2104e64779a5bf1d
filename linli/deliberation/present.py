"""A vote, a topic, a meeting as the API and the pages show them: one shape for both."""

from typing import Any

from django.utils import timezone

from linli.deliberation import policy
from linli.deliberation.choices import DecisionStatus, Option, VoteKind
from linli.deliberation.models import Meeting, Topic, Vote
from linli.deliberation.policy import PHASE_LABELS, Phase, phase
from linli.deliberation.selectors import my_standing
from linli.deliberation.services import results


def vote_out(v: Vote) -> dict[str, Any]:
    now_phase = phase(v)
    return {
        "id": v.pk,
        "question": v.question,
        "kind": v.kind,
        "body": v.body.name,
        "community": v.body.community.name,
        "rule": v.rule.label,
        "secret": v.secret,
        "advisory": v.advisory,
        "phase": now_phase,
        "phase_label": str(PHASE_LABELS[now_phase]),
        "opens_at": v.opens_at,
        "closes_at": v.closes_at,
        "electorate": v.electorate_size,
        "topic_id": v.topic_id,
        "meeting_id": v.meeting_id,
    }


def options(v: Vote) -> list[dict[str, Any]]:
    if v.kind == VoteKind.MENU:
        return [{"value": str(i.pk), "label": i.title} for i in v.items.all()]
    return [{"value": o.value, "label": str(o.label)} for o in Option]


def menu(v: Vote) -> list[dict[str, Any]]:
    """A menu vote's candidates with where and when they would run, and, once published, the
    booking made for each winner or why it could not be made."""
    if v.kind != VoteKind.MENU:
        return []
    return [
        {
            "id": i.pk,
            "title": i.title,
            "chosen": i.chosen,
            "venue_id": i.venue_id,
            "venue": i.venue.name if i.venue else "",
            "starts_at": i.starts_at,
            "ends_at": i.ends_at,
            "booking_id": i.booking_id,
            "booking_problem": i.booking_problem,
        }
        for i in v.items.select_related("venue")
    ]


def vote_detail(actor: Any, v: Vote) -> dict[str, Any]:
    now_phase = phase(v)
    out = vote_out(v)
    out["options"] = options(v)
    out["max_choices"] = v.max_choices
    out["winners"] = v.winners
    out["ranked"] = v.ranked
    out["menu"] = menu(v)
    out["me"] = my_standing(actor, v)
    out["progress"] = (
        results.progress(v) if now_phase not in (Phase.DRAFT, Phase.CANCELLED) else None
    )
    out["actions"] = policy.offered(actor, v)
    out["result"] = results.results_get(v) if now_phase in (Phase.CLOSED, Phase.PUBLISHED) else None
    return out


def topic_out(t: Topic) -> dict[str, Any]:
    return {
        "id": t.pk,
        "title": t.title,
        "text": t.text,
        "community": t.community.name,
        "status": t.status,
        "status_label": t.get_status_display(),
        "professional": t.professional,
        "professional_label": t.get_professional_display() if t.professional else "",
        "expert_name": t.expert_name,
        "expert_opinion": t.expert_opinion,
        "raised_by": t.raised_by.display_name if t.raised_by else "",
        "created_at": t.created_at,
        "comments": [
            {
                "author": c.author.display_name if c.author else "",
                "text": c.text,
                "at": c.created_at,
            }
            for c in t.comments.select_related("author")
        ],
    }


def meeting_out(m: Meeting) -> dict[str, Any]:
    minutes = list(m.minutes.all())
    return {
        "id": m.pk,
        "kind": m.kind,
        "kind_label": m.get_kind_display(),
        "title": m.title,
        "held_at": m.held_at,
        "place": m.place,
        "agenda": m.agenda,
        "attendance": m.attendance.count(),
        "minutes": [
            {"version": x.version, "text": x.text, "frozen_at": x.frozen_at, "sha256": x.sha256}
            for x in minutes
        ],
        "decisions": [
            {
                "id": d.pk,
                "text": d.text,
                "owner": d.owner.display_name,
                "due": d.due,
                "status": d.status,
                "overdue": d.status == DecisionStatus.OPEN and d.due < timezone.localdate(),
                "case": d.case.tracking_no if d.case else "",
                "updates": [u.text for u in d.updates.all()],
            }
            for d in m.decisions.select_related("owner", "case")
        ],
    }
