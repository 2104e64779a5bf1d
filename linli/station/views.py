"""Station pages: the catalogue and large-print guides (SERVE-1, SERVE-3), applying (on the
phone, or 代办 at the window with the resident's consent), the application's progress page
with its steps, the printable receipt and the department's queue (SERVE-2)."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.access import page_roles
from linli.core.errors import ApplicationError
from linli.core.web import actor, call_service, error_page
from linli.people.selectors import resident_of_user, residents_brief
from linli.station import selectors
from linli.station.catalogue import fields_of, tier_label, tiers_needed
from linli.station.choices import OPEN_STATUSES, Action
from linli.station.policy import (
    APPLY_ROLES,
    CATALOGUE_ROLES,
    DECIDE_ROLES,
    SELF_ROLES,
    SESSION_ROLES,
    VIEW_ROLES,
    WINDOW_ROLES,
)
from linli.station.services.applications import apply, form_prepare, services_for
from linli.station.services.sessions import attendance_record, session_enrol
from linli.station.services.workflow import application_step

PURPOSE_WINDOW = "综合服务窗口代办"


@page_roles(*CATALOGUE_ROLES)
def index(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    mine = list(selectors.applications_for(user)[:50]) if user.role in SELF_ROLES else []
    return render(
        request,
        "station/index.html",
        {
            "services": selectors.catalogue(),
            "bundles": selectors.bundles(),
            "can_apply": user.role in SELF_ROLES,
            "is_window": user.role in WINDOW_ROLES,
            "is_decider": user.role in DECIDE_ROLES,
            "mine": mine,
        },
    )


@page_roles(*CATALOGUE_ROLES)
def guide(request: HttpRequest, code: str) -> HttpResponse:
    try:
        service = selectors.service_get(code)
    except ApplicationError as exc:
        return error_page(request, exc)
    fields = fields_of([service])
    return render(
        request,
        "station/guide.html",
        {
            "service": service,
            "fields": fields,
            "lines": [line for line in service.guide.splitlines() if line.strip()],
            "can_apply": actor(request).role in SELF_ROLES,
        },
    )


def _resident_param(request: HttpRequest) -> int | None:
    raw = request.POST.get("resident") or request.GET.get("resident") or ""
    return int(raw) if raw.isdigit() else None


@page_roles(*APPLY_ROLES)
def apply_page(request: HttpRequest, code: str = "", bundle: str = "") -> HttpResponse:
    user = actor(request)
    try:
        services, the_bundle = services_for(codes=[code] if code else None, bundle_code=bundle)
    except ApplicationError as exc:
        return error_page(request, exc)
    resident_id = _resident_param(request)
    window = user.role in WINDOW_ROLES
    stage = request.POST.get("stage", "") if request.method == "POST" else ""
    consent = request.POST.getlist("consent")
    present = request.POST.get("present") == "1"
    error = field = ""
    if stage == "submit":
        out = call_service(
            apply,
            actor=user,
            resident_id=resident_id,
            service_codes=[code] if code else None,
            bundle_code=bundle,
            values={k[2:]: v for k, v in request.POST.items() if k.startswith("v_")},
            corrections={k[2:]: v for k, v in request.POST.items() if k.startswith("c_")},
            consent_tiers=consent,
            present=present,
        )
        if out.ok and out.value is not None:
            messages.success(request, _("已提交。请保存好回执编号。"))
            return redirect("station:receipt", receipt_id=out.value.pk)
        if out.fatal and out.error is not None:
            return error_page(request, out.error)
        error, field = out.message, out.field
    name = ""
    if window:
        if resident_id is None:
            return redirect("station:window")
        briefs = residents_brief(actor=user, ids=[resident_id], purpose=PURPOSE_WINDOW)
        if resident_id not in briefs:
            return error_page(request, ApplicationError(_("没有找到这位居民的档案。")))
        name = briefs[resident_id].full_name
        if stage == "" or (stage == "consent" and not present):
            if stage == "consent":
                error = _("代办须居民本人在场并当面同意,请确认后再继续。")
            return render(
                request,
                "station/consent.html",
                {
                    "services": services,
                    "bundle": the_bundle,
                    "tiers": [(t, tier_label(t)) for t in tiers_needed(services)],
                    "resident_id": resident_id,
                    "name": name,
                    "error": error,
                },
            )
    prepared = call_service(
        form_prepare,
        actor=user,
        resident_id=resident_id,
        services=services,
        bundle=the_bundle,
        consent_tiers=consent,
        present=present,
    )
    if not prepared.ok or prepared.value is None:
        assert prepared.error is not None
        return error_page(request, prepared.error)
    form = prepared.value
    typed = {k[2:]: v for k, v in request.POST.items() if k.startswith("v_")}
    corrected = {k[2:]: v for k, v in request.POST.items() if k.startswith("c_")}
    rows = [
        {
            "f": f,
            "pre": form.prefill.get(f.key),
            "typed": typed.get(f.key, ""),
            "corrected": corrected.get(f.key, ""),
        }
        for f in form.fields
    ]
    return render(
        request,
        "station/apply.html",
        {
            "form": form,
            "rows": rows,
            "window": window,
            "name": name,
            "consent": consent,
            "present": present,
            "error": error,
            "error_field": field,
            "resident_id": resident_id,
        },
    )


@page_roles(*WINDOW_ROLES)
def window(request: HttpRequest) -> HttpResponse:
    """The window clerk finds the resident in front of them (by exact name)."""
    user = actor(request)
    q = (request.GET.get("q") or "").strip()[:50]
    found = (
        list(residents_brief(actor=user, full_name=q, purpose=PURPOSE_WINDOW).values()) if q else []
    )
    return render(
        request,
        "station/window.html",
        {
            "q": q,
            "found": found,
            "services": selectors.catalogue(),
            "bundles": selectors.bundles(),
            "recent": list(selectors.applications_for(user).filter(entered_by=user)[:20]),
        },
    )


@page_roles(*VIEW_ROLES)
def application_page(request: HttpRequest, application_id: int) -> HttpResponse:
    user = actor(request)
    try:
        view = selectors.application_view(actor=user, application_id=application_id)
    except ApplicationError as exc:
        return error_page(request, exc)
    return render(
        request,
        "station/application.html",
        {
            "view": view,
            "a": view.application,
            "actions": [Action(a) for a in view.actions],
            "document_fields": [f for f in fields_of([view.application.service]) if f.document],
        },
    )


@require_POST
@page_roles(*VIEW_ROLES)
def act(request: HttpRequest, application_id: int, action: str) -> HttpResponse:
    out = call_service(
        application_step,
        actor=actor(request),
        application_id=application_id,
        action=action,
        note=request.POST.get("note", ""),
        number=request.POST.get("number", ""),
        documents={k[2:]: v for k, v in request.POST.items() if k.startswith("d_")},
    )
    if out.fatal and out.error is not None:
        return error_page(request, out.error)
    if out.ok:
        messages.success(request, _("已办理。"))
    else:
        messages.error(request, out.message)
    return redirect("station:application", application_id=application_id)


@page_roles(*VIEW_ROLES)
def receipt(request: HttpRequest, receipt_id: int) -> HttpResponse:
    user = actor(request)
    try:
        the_receipt, apps = selectors.receipt_get(actor=user, receipt_id=receipt_id)
    except ApplicationError as exc:
        return error_page(request, exc)
    return render(request, "station/receipt.html", {"receipt": the_receipt, "apps": apps})


@page_roles(*DECIDE_ROLES)
def queue(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    rows: list[Any] = list(selectors.applications_for(user).filter(status__in=OPEN_STATUSES)[:200])
    done = list(selectors.applications_for(user).exclude(status__in=OPEN_STATUSES)[:50])
    return render(request, "station/queue.html", {"rows": rows, "done": done})


@page_roles(*CATALOGUE_ROLES)
def classes(request: HttpRequest) -> HttpResponse:
    """数字助老课堂: residents enrol; the organiser records who came."""
    user = actor(request)
    sessions = list(selectors.sessions_for(user).prefetch_related("seats", "volunteers")[:50])
    own = resident_of_user(user) if user.role in SELF_ROLES else None
    for s in sessions:
        seats = list(s.seats.all())
        s.taken = len(seats)  # type: ignore[attr-defined]
        s.mine = own is not None and any(x.resident_id == own.id for x in seats)  # type: ignore[attr-defined]
        s.organiser = s.created_by_id == user.pk  # type: ignore[attr-defined]
    organised = [s for s in sessions if s.created_by_id == user.pk]
    ids = sorted({x.resident_id for s in organised for x in s.seats.all()})
    names = residents_brief(actor=user, ids=ids, purpose=_("数字助老课堂出勤")) if ids else {}
    roll = {
        s.pk: [(x, names[x.resident_id]) for x in s.seats.all() if x.resident_id in names]
        for s in organised
    }
    return render(
        request,
        "station/classes.html",
        {"sessions": sessions, "roll": roll, "can_enrol": own is not None},
    )


@require_POST
@page_roles(*SELF_ROLES)
def class_enrol(request: HttpRequest, session_id: int) -> HttpResponse:
    out = call_service(session_enrol, actor=actor(request), session_id=session_id)
    if out.fatal and out.error is not None:
        return error_page(request, out.error)
    if out.ok:
        messages.success(request, _("报名成功,请按时到场。"))
    else:
        messages.error(request, out.message)
    return redirect("station:classes")


@require_POST
@page_roles(*SESSION_ROLES)
def class_attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    ids = [int(x) for x in request.POST.getlist("came") if x.isdigit()]
    out = call_service(
        attendance_record, actor=actor(request), session_id=session_id, resident_ids=ids
    )
    if out.fatal and out.error is not None:
        return error_page(request, out.error)
    if out.ok:
        messages.success(request, _("出勤已登记,积分已发放。"))
    else:
        messages.error(request, out.message)
    return redirect("station:classes")
