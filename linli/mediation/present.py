"""A dispute as the API and the pages show it: one shape, with what a party may not see
(session notes, who registered it) left out for parties."""

from typing import Any

from linli.mediation.choices import Stage
from linli.mediation.models import Dispute
from linli.mediation.policy import Standing, offered
from linli.mediation.services.agreement import obligations_of


def dispute_out(d: Dispute) -> dict[str, Any]:
    return {
        "id": d.pk,
        "number": d.number,
        "type": d.type,
        "type_label": d.get_type_display(),
        "status": d.status,
        "status_label": d.get_status_display(),
        "community": d.community.name,
        "accept_due": d.accept_due,
        "conclude_due": d.conclude_due,
        "overdue": d.overdue,
        "recurring": d.recurring_of_id is not None,
        "created_at": d.created_at,
        "concluded_at": d.concluded_at,
    }


def dispute_detail(actor: Any, d: Dispute) -> dict[str, Any]:
    staff = Standing(actor, d).staff
    agreement = getattr(d, "agreement", None)
    return {
        **dispute_out(d),
        "source": d.source,
        "description": d.description,
        "parties": [
            {
                "id": p.pk,
                "side": p.side,
                "name": p.display_name,
                "phone": p.phone_masked if staff else "",
            }
            for p in d.parties.select_related("resident")
        ],
        "mediators": [
            a.mediator.user.display_name for a in d.mediators.select_related("mediator__user")
        ],
        "stamps": [
            {"stage": s.stage, "label": str(Stage(s.stage).label), "at": s.at, "skipped": s.skipped}
            for s in d.stamps.all()
        ],
        "sessions": [
            {"held_at": s.held_at, "place": s.place, "attendees": s.attendees, "notes": s.notes}
            for s in d.sessions.all()
        ]
        if staff
        else [],
        "agreement": {
            "facts": agreement.facts,
            "responsibilities": agreement.responsibilities,
            "obligations": [
                {
                    "party_id": o["party"],
                    "name": o["name"],
                    "duty": o["duty"],
                    "how": o["how"],
                    "by": o["by"],
                }
                for o in obligations_of(agreement)
            ],
            "court_confirmation": agreement.court_confirmation,
            "signed_at": agreement.signed_at,
            "scan_sha256": agreement.scan_sha256,
        }
        if agreement is not None
        else None,
        "follow_ups": [
            {
                "stage": f.stage,
                "label": f.get_stage_display(),
                "due_at": f.due_at,
                "visited_at": f.visited_at,
                "fulfilment": f.fulfilment,
            }
            for f in d.follow_ups.all()
        ],
        "close_reason": d.close_reason,
        "extension_reason": d.extension_reason if staff else "",
        "recurring_of": d.recurring_of.number if d.recurring_of is not None and staff else None,
        "actions": offered(actor, d),
    }
