"""/api/station (SERVE-1..2): the catalogue, prefill, apply, track, decide."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from linli.core.access import api_roles
from linli.core.schemas import Int, Paging
from linli.core.web import API_ERRORS, actor
from linli.station import selectors
from linli.station.catalogue import fields_of, spec_of
from linli.station.models import Application, Bundle, HelpSession, Service
from linli.station.policy import (
    APPLY_ROLES,
    CATALOGUE_ROLES,
    SELF_ROLES,
    SESSION_ROLES,
    VIEW_ROLES,
)
from linli.station.schemas import (
    StationApplicationDetailOut,
    StationApplicationOut,
    StationApplyIn,
    StationAttendanceIn,
    StationAttendanceOut,
    StationBundleOut,
    StationPrefillOut,
    StationReceiptOut,
    StationSeatOut,
    StationServiceOut,
    StationSessionIn,
    StationSessionOut,
    StationStepIn,
)
from linli.station.services.applications import apply, form_prepare, services_for
from linli.station.services.sessions import attendance_record, session_create, session_enrol
from linli.station.services.workflow import application_step

router = Router(tags=["station"])


def _service_out(s: Service) -> dict[str, Any]:
    return {
        "code": s.code,
        "name": s.name,
        "summary": s.summary,
        "department": s.department.name if s.department else None,
        "deadline_days": s.deadline_days,
        "fields": [
            {
                "key": f.key,
                "label": f.label,
                "kind": f.kind,
                "required": f.required,
                "prefillable": bool(f.source or f.document),
                "tier": f.tier,
            }
            for f in (spec_of(r) for r in s.fields)
        ],
        "eligibility": s.eligibility or {},
        "guide": s.guide,
    }


def _bundle_out(b: Bundle) -> dict[str, Any]:
    return {
        "code": b.code,
        "name": b.name,
        "summary": b.summary,
        "services": [s.code for s in b.services.order_by("order", "code")],
    }


def _app_out(a: Application) -> dict[str, Any]:
    return {
        "id": a.pk,
        "number": a.number,
        "service": a.service.code,
        "service_name": a.service.name,
        "department": a.department.name if a.department else None,
        "status": a.status,
        "status_label": str(a.get_status_display()),
        "submitted_at": a.submitted_at,
        "due_at": a.due_at,
        "overdue": a.overdue,
        "reason": a.reason,
    }


@router.get(
    "/services",
    response={200: list[StationServiceOut], **API_ERRORS},
    auth=api_roles(*CATALOGUE_ROLES),
)
def list_services(request: HttpRequest) -> list[dict[str, Any]]:
    return [_service_out(s) for s in selectors.catalogue()]


@router.get(
    "/bundles",
    response={200: list[StationBundleOut], **API_ERRORS},
    auth=api_roles(*CATALOGUE_ROLES),
)
def list_bundles(request: HttpRequest) -> list[dict[str, Any]]:
    return [_bundle_out(b) for b in selectors.bundles()]


@router.get(
    "/prefill", response={200: StationPrefillOut, **API_ERRORS}, auth=api_roles(*APPLY_ROLES)
)
def prefill(
    request: HttpRequest,
    service: str = "",
    bundle: str = "",
    resident_id: Int | None = None,
    consent: str = "",
    resident_present: bool = False,
) -> dict[str, Any]:
    """What the record (and accepted documents) fill in; audited as a read of those fields."""
    services, the_bundle = services_for(codes=[service] if service else None, bundle_code=bundle)
    form = form_prepare(
        actor=actor(request),
        resident_id=resident_id,
        services=services,
        bundle=the_bundle,
        consent_tiers=[t for t in consent.split(",") if t],
        present=resident_present,
    )
    labels = {f.key: f.label for f in fields_of(services)}
    return {
        "resident_id": form.resident_id,
        "tiers_needed": form.tiers,
        "prefilled": [
            {"key": k, "label": labels[k], "value": p.value, "source": p.source}
            for k, p in form.prefill.items()
        ],
        "to_type": form.typed,
    }


@router.post(
    "/applications", response={201: StationReceiptOut, **API_ERRORS}, auth=api_roles(*APPLY_ROLES)
)
def create_application(request: HttpRequest, payload: StationApplyIn) -> Status[dict[str, Any]]:
    receipt = apply(
        actor=actor(request),
        resident_id=payload.resident_id,
        service_codes=payload.services or None,
        bundle_code=payload.bundle,
        values=payload.values,
        corrections=payload.corrections,
        consent_tiers=payload.consent_tiers,
        present=payload.resident_present,
    )
    apps = receipt.applications.select_related("service", "department").order_by("pk")
    out = {"id": receipt.pk, "number": receipt.number, "applications": [_app_out(a) for a in apps]}
    return Status(201, out)


@router.get(
    "/applications",
    response={200: list[StationApplicationOut], **API_ERRORS},
    auth=api_roles(*VIEW_ROLES),
)
def list_applications(
    request: HttpRequest, page: Query[Paging], status: str = ""
) -> list[dict[str, Any]]:
    qs = selectors.applications_for(actor(request))
    if status:
        qs = qs.filter(status=status)
    return [_app_out(a) for a in qs[page.offset : page.offset + page.limit]]


def _detail(request: HttpRequest, application_id: int) -> dict[str, Any]:
    view = selectors.application_view(actor=actor(request), application_id=application_id)
    out = _app_out(view.application)
    out["values"] = [
        {"key": v.key, "label": v.label, "value": v.value if v.shown else None, "source": v.source}
        for v in view.values
    ]
    out["steps"] = [
        {"action": s.action, "to_status": s.to_status, "at": s.created_at, "note": s.note}
        for s in view.steps
    ]
    out["actions"] = view.actions
    return out


@router.get(
    "/applications/{application_id}",
    response={200: StationApplicationDetailOut, **API_ERRORS},
    auth=api_roles(*VIEW_ROLES),
)
def get_application(request: HttpRequest, application_id: Int) -> dict[str, Any]:
    return _detail(request, application_id)


@router.post(
    "/applications/{application_id}/steps/{action}",
    response={200: StationApplicationDetailOut, **API_ERRORS},
    auth=api_roles(*VIEW_ROLES),
)
def step(
    request: HttpRequest, application_id: Int, action: str, payload: StationStepIn
) -> dict[str, Any]:
    """Accept, ask for more, supplement, grant, refuse, close, withdraw (who: see policy)."""
    application_step(
        actor=actor(request),
        application_id=application_id,
        action=action,
        note=payload.note,
        number=payload.number,
        documents=payload.documents,
    )
    return _detail(request, application_id)


@router.get(
    "/sessions",
    response={200: list[StationSessionOut], **API_ERRORS},
    auth=api_roles(*CATALOGUE_ROLES),
)
def list_sessions(request: HttpRequest) -> list[dict[str, Any]]:
    """数字助老课堂 where the caller lives or works (SERVE-3)."""
    rows = selectors.sessions_for(actor(request)).prefetch_related("seats")[:50]
    return [
        {
            "id": s.pk,
            "title": s.title,
            "venue": s.booking.resource.name,
            "starts_at": s.starts_at,
            "ends_at": s.ends_at,
            "capacity": s.capacity,
            "taken": len(s.seats.all()),
        }
        for s in rows
    ]


def _session_out(s: HelpSession) -> dict[str, Any]:
    return {
        "id": s.pk,
        "title": s.title,
        "venue": s.booking.resource.name,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "capacity": s.capacity,
        "taken": s.seats.count(),
    }


@router.post(
    "/sessions", response={201: StationSessionOut, **API_ERRORS}, auth=api_roles(*SESSION_ROLES)
)
def create_session(request: HttpRequest, payload: StationSessionIn) -> Status[dict[str, Any]]:
    """A class in a community venue, booked through matching's venue booking."""
    session = session_create(
        actor=actor(request),
        resource_id=payload.resource_id,
        title=payload.title,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        capacity=payload.capacity,
        volunteer_ids=payload.volunteer_ids,
    )
    return Status(201, _session_out(session))


@router.post(
    "/sessions/{session_id}/attendance",
    response={200: StationAttendanceOut, **API_ERRORS},
    auth=api_roles(*SESSION_ROLES),
)
def record_attendance(
    request: HttpRequest, session_id: Int, payload: StationAttendanceIn
) -> dict[str, Any]:
    """Who came (the organiser); points through the ledger, once each."""
    awards = attendance_record(
        actor=actor(request), session_id=session_id, resident_ids=payload.resident_ids
    )
    return {"session_id": session_id, "awards": awards}


@router.post(
    "/sessions/{session_id}/enrol",
    response={201: StationSeatOut, **API_ERRORS},
    auth=api_roles(*SELF_ROLES),
)
def enrol(request: HttpRequest, session_id: Int) -> Status[dict[str, Any]]:
    seat = session_enrol(actor=actor(request), session_id=session_id)
    return Status(201, {"session_id": seat.session_id, "enrolled": True})
