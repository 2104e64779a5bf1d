"""/api/mediation (MEDIATE-1..2): disputes, their steps, mediators, success rates."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema
from ninja import Status as HttpStatus
from ninja.files import UploadedFile

from linli.core.access import api_roles
from linli.core.errors import ValidationFailed
from linli.core.schemas import Day, Int, Paging
from linli.core.web import API_ERRORS, actor
from linli.mediation import selectors
from linli.mediation.models import Dispute
from linli.mediation.policy import DISPUTE_ROLES, INTAKE_ROLES, RATES_ROLES, STEP_ROLES
from linli.mediation.present import dispute_detail, dispute_out
from linli.mediation.schemas import (
    AgreementIn,
    AssignIn,
    DisputeDetailOut,
    DisputeIn,
    DisputeOut,
    ExtendIn,
    FollowUpIn,
    MediatorOut,
    NoteIn,
    RatesOut,
    ReasonIn,
    SessionIn,
)
from linli.mediation.services import agreement as agreements
from linli.mediation.services import disputes as steps

router = Router(tags=["mediation"])
STEP = api_roles(*STEP_ROLES)
DETAIL = {200: DisputeDetailOut, **API_ERRORS}
PURPOSE = "调解办案"


def _get(request: HttpRequest, dispute_id: int) -> Dispute:
    return selectors.dispute_get(actor=actor(request), dispute_id=dispute_id, purpose=PURPOSE)


def _detail(request: HttpRequest, dispute_id: int) -> dict[str, Any]:
    who = actor(request)
    dispute = Dispute.objects.select_related("community").get(pk=dispute_id)
    return dispute_detail(who, dispute)


@router.get(
    "/disputes", response={200: list[DisputeOut], **API_ERRORS}, auth=api_roles(*DISPUTE_ROLES)
)
def list_disputes(request: HttpRequest, page: Query[Paging]) -> list[dict[str, Any]]:
    qs = selectors.disputes_for(actor(request))[page.offset : page.offset + page.limit]
    return [dispute_out(d) for d in qs]


@router.post(
    "/disputes", response={201: DisputeDetailOut, **API_ERRORS}, auth=api_roles(*INTAKE_ROLES)
)
def register(request: HttpRequest, payload: DisputeIn) -> HttpStatus[dict[str, Any]]:
    data = steps.DisputeInput(
        type=payload.type,
        source=payload.source,
        description=payload.description,
        parties=[
            steps.PartyInput(side=p.side, resident_id=p.resident_id, name=p.name, phone=p.phone)
            for p in payload.parties
        ],
        community_id=payload.community_id,
        building_id=payload.building_id,
        case_no=payload.case_no,
    )
    dispute = steps.dispute_register(actor=actor(request), data=data)
    return HttpStatus(201, _detail(request, dispute.pk))


@router.get("/disputes/{dispute_id}", response=DETAIL, auth=api_roles(*DISPUTE_ROLES))
def get_dispute(request: HttpRequest, dispute_id: Int) -> dict[str, Any]:
    return dispute_detail(actor(request), _get(request, dispute_id))


@router.post("/disputes/{dispute_id}/accept", response=DETAIL, auth=STEP)
def accept(request: HttpRequest, dispute_id: Int) -> dict[str, Any]:
    steps.dispute_accept(actor=actor(request), dispute=_get(request, dispute_id))
    return _detail(request, dispute_id)


@router.post("/disputes/{dispute_id}/decline", response=DETAIL, auth=STEP)
def decline(request: HttpRequest, dispute_id: Int, payload: ReasonIn) -> dict[str, Any]:
    steps.dispute_decline(
        actor=actor(request), dispute=_get(request, dispute_id), reason=payload.reason
    )
    return _detail(request, dispute_id)


@router.post("/disputes/{dispute_id}/assign", response=DETAIL, auth=STEP)
def assign(request: HttpRequest, dispute_id: Int, payload: AssignIn) -> dict[str, Any]:
    steps.dispute_assign(
        actor=actor(request),
        dispute=_get(request, dispute_id),
        mediator_id=payload.mediator_id,
        lead=payload.lead,
    )
    return _detail(request, dispute_id)


@router.get(
    "/disputes/{dispute_id}/candidates",
    response={200: list[MediatorOut], **API_ERRORS},
    auth=STEP,
)
def candidates(request: HttpRequest, dispute_id: Int) -> list[dict[str, Any]]:
    """Mediators who may take the dispute, least loaded first (conflicts left out)."""
    dispute = _get(request, dispute_id)
    return [
        {"id": m.pk, "name": m.user.display_name, "kind": m.kind, "load": m.load}  # type: ignore[attr-defined]
        for m in steps.qualified(dispute)
    ]


@router.post("/disputes/{dispute_id}/investigate", response=DETAIL, auth=STEP)
def investigate(request: HttpRequest, dispute_id: Int, payload: NoteIn) -> dict[str, Any]:
    steps.dispute_investigate(
        actor=actor(request), dispute=_get(request, dispute_id), note=payload.note
    )
    return _detail(request, dispute_id)


@router.post("/disputes/{dispute_id}/sessions", response=DETAIL, auth=STEP)
def session(request: HttpRequest, dispute_id: Int, payload: SessionIn) -> dict[str, Any]:
    steps.dispute_session(
        actor=actor(request),
        dispute=_get(request, dispute_id),
        held_at=payload.held_at,
        attendees=payload.attendees,
        notes=payload.notes,
        place=payload.place,
    )
    return _detail(request, dispute_id)


@router.post("/disputes/{dispute_id}/assess", response=DETAIL, auth=STEP)
def assess(request: HttpRequest, dispute_id: Int, payload: NoteIn) -> dict[str, Any]:
    steps.dispute_assess(actor=actor(request), dispute=_get(request, dispute_id), note=payload.note)
    return _detail(request, dispute_id)


@router.post("/disputes/{dispute_id}/agreement", response=DETAIL, auth=STEP)
def agree(request: HttpRequest, dispute_id: Int, payload: AgreementIn) -> dict[str, Any]:
    agreements.dispute_agree(
        actor=actor(request),
        dispute=_get(request, dispute_id),
        facts=payload.facts,
        responsibilities=payload.responsibilities,
        obligations=[
            agreements.ObligationInput(party_id=o.party_id, duty=o.duty, how=o.how, by=o.by)
            for o in payload.obligations
        ],
        court_confirmation=payload.court_confirmation,
    )
    return _detail(request, dispute_id)


@router.post("/disputes/{dispute_id}/signed", response=DETAIL, auth=STEP)
def signed(request: HttpRequest, dispute_id: Int, scan: File[UploadedFile]) -> dict[str, Any]:
    """The signed agreement's scan (PDF, JPEG, PNG; ≤ 10 MB), multipart field `scan`."""
    if scan.size is not None and scan.size > agreements.SCAN_MAX_BYTES:
        raise ValidationFailed(_("扫描件不能超过 10 MB。"), field="scan", code="too_large")
    data = scan.read(agreements.SCAN_MAX_BYTES + 1)
    agreements.agreement_sign(actor=actor(request), dispute=_get(request, dispute_id), scan=data)
    return _detail(request, dispute_id)


@router.post("/disputes/{dispute_id}/fail", response=DETAIL, auth=STEP)
def fail(request: HttpRequest, dispute_id: Int, payload: ReasonIn) -> dict[str, Any]:
    steps.dispute_fail(
        actor=actor(request), dispute=_get(request, dispute_id), reason=payload.reason
    )
    return _detail(request, dispute_id)


@router.post("/disputes/{dispute_id}/withdraw", response=DETAIL, auth=STEP)
def withdraw(request: HttpRequest, dispute_id: Int, payload: ReasonIn) -> dict[str, Any]:
    steps.dispute_withdraw(
        actor=actor(request), dispute=_get(request, dispute_id), reason=payload.reason
    )
    return _detail(request, dispute_id)


@router.post("/disputes/{dispute_id}/extend", response=DETAIL, auth=STEP)
def extend(request: HttpRequest, dispute_id: Int, payload: ExtendIn) -> dict[str, Any]:
    steps.dispute_extend(
        actor=actor(request),
        dispute=_get(request, dispute_id),
        days=payload.days,
        reason=payload.reason,
    )
    return _detail(request, dispute_id)


@router.post("/disputes/{dispute_id}/follow-ups", response=DETAIL, auth=STEP)
def follow_up(request: HttpRequest, dispute_id: Int, payload: FollowUpIn) -> dict[str, Any]:
    steps.dispute_follow_up(
        actor=actor(request),
        dispute=_get(request, dispute_id),
        fulfilment=payload.fulfilment,
        note=payload.note,
    )
    return _detail(request, dispute_id)


@router.post("/disputes/{dispute_id}/archive", response=DETAIL, auth=STEP)
def archive(request: HttpRequest, dispute_id: Int) -> dict[str, Any]:
    steps.dispute_archive(actor=actor(request), dispute=_get(request, dispute_id))
    return _detail(request, dispute_id)


class RatesQuery(Schema):
    start: Day | None = None
    end: Day | None = None
    by: str = "community"


@router.get("/rates", response={200: RatesOut, **API_ERRORS}, auth=api_roles(*RATES_ROLES))
def rates(request: HttpRequest, q: Query[RatesQuery]) -> dict[str, Any]:
    """MEDIATE-2: success = agreements ÷ (agreements + failures) per community, type,
    mediator or month; withdrawn and declined beside it, never as success."""
    start, end = selectors.rates_period(q.start, q.end, q.by)
    rows, total = selectors.mediation_rates(actor=actor(request), start=start, end=end, by=q.by)

    def out(r: selectors.RateRow) -> dict[str, Any]:
        return {
            **{
                k: getattr(r, k)
                for k in (
                    "key",
                    "label",
                    "agreements",
                    "failures",
                    "withdrawn",
                    "declined",
                    "concluded",
                    "success",
                    "withdrawn_share",
                    "followed_up",
                    "fulfilled",
                    "fulfilled_rate",
                    "recurred",
                    "recurrence",
                    "small_sample",
                    "meets_target",
                )
            },
        }

    return {
        "by": q.by,
        "start": start,
        "end": end,
        "target": selectors.TARGET,
        "rows": [out(r) for r in rows],
        "total": out(total),
    }
