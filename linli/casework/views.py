"""Pages: the resident reports and follows a case; staff work their queue."""

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.accounts.models import User
from linli.casework import selectors
from linli.casework.choices import OPEN_STATUSES, Channel, Status
from linli.casework.forms import RateForm, ReportForm, StaffReportForm
from linli.casework.models import Case, WhistleCall
from linli.casework.permissions import (
    CASE_STAFF_ROLES,
    INTAKE_ROLES,
    OVERSIGHT_ROLES,
    can_handle,
    can_manage,
    can_verify,
    user_units,
)
from linli.casework.services import workflow
from linli.casework.services.intake import MAX_PHOTOS, CaseInput, case_submit
from linli.casework.services.whistle import can_blow
from linli.core.access import page_roles, public_page
from linli.core.errors import ApplicationError
from linli.core.photos import PHOTO_MAX_BYTES, photo_read
from linli.core.roles import Role
from linli.geo.models import Department, Grid
from linli.geo.selectors import grid_set_version
from linli.geo.svg import map_frame, project_grids
from linli.people.services import resident_find_or_create

REPORTER_ROLES = (Role.RESIDENT, Role.FAMILY, Role.VOLUNTEER)
STAFF_VIEW_ROLES = (*CASE_STAFF_ROLES, Role.SUPERVISOR, Role.EVALUATOR)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


class CappedPaginator(Paginator):
    """Counting a million rows exactly costs more than the page itself; past the cap the
    page says "10000+" (count is capped, the pages up to it work as usual)."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        # No ORDER BY inside the count: the planner may then count from any index.
        return self.object_list.order_by()[: self.CAP + 1].count()  # type: ignore[no-any-return,union-attr,index,attr-defined]

    @property
    def capped(self) -> bool:
        return self.count > self.CAP


_MAP_CACHE: dict[tuple[Any, ...], dict[str, Any]] = {}


def _map_context() -> dict[str, Any]:
    """The grid map (shapes and projection), rebuilt only when the grids change."""
    version = grid_set_version()
    if version not in _MAP_CACHE:
        grids = list(Grid.objects.order_by("unit_code"))
        shapes, width, height = project_grids(grids)
        _MAP_CACHE.clear()
        _MAP_CACHE[version] = {
            "shapes": shapes,
            "width": width,
            "height": height,
            "frame": map_frame(grids) if grids else None,
        }
    return dict(_MAP_CACHE[version])


@page_roles(*REPORTER_ROLES)
def report(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        uploads = request.FILES.getlist("photos")
        try:
            if len(uploads) > MAX_PHOTOS:
                raise ApplicationError(
                    _("最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS}, field="photos"
                )
            photos = [photo_read(file=f, max_bytes=PHOTO_MAX_BYTES) for f in uploads]
            data = CaseInput(
                category_code=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
                lat=form.cleaned_data["lat"],
                lon=form.cleaned_data["lon"],
                address=form.cleaned_data["address"],
                anonymous=form.cleaned_data["anonymous"],
            )
            case = case_submit(actor=request.user, data=data, photos=photos)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(
                request, _("已收到您的诉求,受理编号 %(no)s。") % {"no": case.tracking_no}
            )
            return redirect("casework:detail", tracking_no=case.tracking_no)
    elif request.method == "POST":
        error = _("请检查下面标红的内容。")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "error": error, "max_photos": MAX_PHOTOS, **_map_context()}
    return render(request, "casework/report.html", context, status=status)


@page_roles(*INTAKE_ROLES, Role.SYSADMIN)
def staff_report(request: HttpRequest) -> HttpResponse:
    """代办: staff enter a matter for a resident at the window, from a call or a slip."""
    form = StaffReportForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            photos = [photo_read(file=f) for f in request.FILES.getlist("photos")]
            with transaction.atomic():  # a refused case leaves no new resident behind
                resident = None
                if d["full_name"]:
                    resident, _created = resident_find_or_create(
                        actor=request.user,
                        full_name=d["full_name"],
                        birth_year=d["birth_year"] or 0,
                        sex=d["sex"],
                    )
                data = CaseInput(d["category"], d["description"], d["lat"], d["lon"], d["address"])
                case = case_submit(
                    actor=request.user,
                    data=data,
                    channel=Channel(d["channel"]),
                    photos=photos,
                    resident=resident,
                )
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(
                request, _("已代为登记,受理编号 %(no)s,请告知居民。") % {"no": case.tracking_no}
            )
            return redirect("casework:detail", tracking_no=case.tracking_no)
    elif request.method == "POST":
        error = _("请检查下面标红的内容。")
    context = {
        "form": form,
        "error": error,
        "max_photos": MAX_PHOTOS,
        "staff_entry": True,
        **_map_context(),
    }
    return render(
        request, "casework/report.html", context, status=400 if request.method == "POST" else 200
    )


@page_roles()
def mine(request: HttpRequest) -> HttpResponse:
    cases = (
        selectors.visible_to(request.user)
        .filter(reporter=_user(request))
        .select_related("category")
        .order_by("-created_at", "-id")[:100]
    )
    return render(request, "casework/mine.html", {"cases": cases})


def _actions(user: Any, case: Case) -> dict[str, bool]:
    manage, handle = can_manage(user, case), can_handle(user, case)
    s = case.status
    return {
        "register": manage and s == Status.RECEIVED,
        "reject": manage and s == Status.RECEIVED,
        "dispatch": manage and s == Status.REGISTERED,
        "accept": handle and s == Status.DISPATCHED,
        "return": handle and s in (Status.DISPATCHED, Status.HANDLING),
        "feedback": handle and s == Status.HANDLING,
        "verify": can_verify(user, case) and s == Status.HANDLED,
        "close": manage and s == Status.VERIFIED,
        "rate": s == Status.CLOSED and case.reporter_id == user.pk,
        "photos": manage,
        "reroute": manage and s in (Status.DISPATCHED, Status.HANDLING),
        "defer": handle and s in (Status.DISPATCHED, Status.HANDLING) and not case.deferral_until,
        "deferral": manage and case.deferral_until is not None,
        "merge": manage and case.is_open,
    }


@page_roles()
def detail(request: HttpRequest, tracking_no: str) -> HttpResponse:
    case = selectors.case_get(actor=request.user, tracking_no=tracking_no)
    staff = _user(request).role in STAFF_VIEW_ROLES
    events = selectors.case_timeline(case=case, internal=staff)
    actions = _actions(request.user, case)
    context = {
        "case": case,
        "events": events,
        "staff": staff,
        "photos": case.photos.all(),
        "actions": actions,
        "any_action": any(v for k, v in actions.items() if k != "rate"),
        "units": Department.objects.order_by("kind", "name") if staff else [],
        "rate_form": RateForm(),
        "can_blow": staff and case.is_open and can_blow(request.user, case),
        "whistle_calls": WhistleCall.objects.filter(whistle__case=case).select_related(
            "department"
        ),
    }
    return render(request, "casework/detail.html", context)


ACTIONS = {
    "register": lambda u, c, p, f: workflow.case_register(actor=u, case=c),
    "reject": lambda u, c, p, f: workflow.case_reject(actor=u, case=c, reason=p.get("reason", "")),
    "dispatch": lambda u, c, p, f: workflow.case_dispatch(
        actor=u, case=c, unit=_unit(p.get("unit_id")), note=p.get("note", "")
    ),
    "accept": lambda u, c, p, f: workflow.case_accept(actor=u, case=c),
    "return": lambda u, c, p, f: workflow.case_return(actor=u, case=c, reason=p.get("reason", "")),
    "feedback": lambda u, c, p, f: workflow.case_feedback(
        actor=u,
        case=c,
        note=p.get("note", ""),
        photos=[photo_read(file=x) for x in f.getlist("photos")],
    ),
    "verify": lambda u, c, p, f: workflow.case_verify(
        actor=u, case=c, passed=p.get("passed") == "1", note=p.get("note", "")
    ),
    "close": lambda u, c, p, f: workflow.case_close(actor=u, case=c),
    "reroute": lambda u, c, p, f: workflow.case_reroute(
        actor=u, case=c, unit=_unit(p.get("unit_id")), reason=p.get("reason", "")
    ),
    "defer": lambda u, c, p, f: workflow.case_request_deferral(
        actor=u, case=c, until=_date_end(p.get("until", "")), reason=p.get("reason", "")
    ),
    "deferral": lambda u, c, p, f: workflow.case_decide_deferral(
        actor=u, case=c, approve=p.get("approve") == "1", note=p.get("note", "")
    ),
    "merge": lambda u, c, p, f: workflow.case_merge(
        actor=u, case=c, into=selectors.case_get(actor=u, tracking_no=p.get("into", "").strip())
    ),
    "photos": lambda u, c, p, f: workflow.case_review_photos(
        actor=u, case=c, publish=p.get("publish") == "1"
    ),
}


def _unit(raw: str | None) -> Department:
    unit = Department.objects.filter(pk=int(raw)).first() if raw and raw.isdigit() else None
    if unit is None:
        raise ApplicationError(_("请选择处置单位。"), field="unit_id")
    return unit


@require_POST
@page_roles()
def act(request: HttpRequest, tracking_no: str, action: str) -> HttpResponse:
    case = selectors.case_get(actor=request.user, tracking_no=tracking_no)
    try:
        if action == "rate":
            form = RateForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("请选择满意度。"), field="rating")
            workflow.case_rate(
                actor=request.user,
                case=case,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        elif action in ACTIONS:
            ACTIONS[action](request.user, case, request.POST, request.FILES)
        else:
            raise ApplicationError(_("未知操作。"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, str(DONE[action]))
    return redirect("casework:detail", tracking_no=tracking_no)


# Lazy: looked up per request, so each reads in the language of that request.
DONE = {
    "register": gettext_lazy("已立案。"),
    "reject": gettext_lazy("已不予立案。"),
    "dispatch": gettext_lazy("已派遣。"),
    "accept": gettext_lazy("已开始处置。"),
    "return": gettext_lazy("已退单。"),
    "feedback": gettext_lazy("已反馈处置结果。"),
    "verify": gettext_lazy("已核查。"),
    "close": gettext_lazy("已结案。"),
    "rate": gettext_lazy("感谢您的评价。"),
    "photos": gettext_lazy("已更新照片公开设置。"),
    "reroute": gettext_lazy("已改派。"),
    "defer": gettext_lazy("已提交缓办申请,等待审批。"),
    "deferral": gettext_lazy("已处理缓办申请。"),
    "merge": gettext_lazy("已合并。"),
}


def _date_end(raw: str) -> dt.datetime:
    """A date picked on the page means "until the end of that day" (Asia/Shanghai)."""
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ApplicationError(_("请选择缓办截止日期。"), field="until") from exc
    start = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    return timezone.make_aware(start)


@page_roles(*STAFF_VIEW_ROLES)
def queue(request: HttpRequest) -> HttpResponse:
    """The staff console: cases for the user's units and places, with filters."""
    qs = selectors.visible_to(request.user, own=False).select_related(
        "category", "grid", "handler_unit", "owner_unit"
    )
    f = request.GET
    if f.get("scope") == "unit" and _user(request).role not in OVERSIGHT_ROLES:
        units = user_units(request.user)
        qs = qs.filter(handler_unit__in=units) | qs.filter(owner_unit__in=units)
    status = f.get("status", "open")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status in Status.values:
        qs = qs.filter(status=status)
    if f.get("category"):
        qs = qs.filter(category__code__startswith=f["category"])
    if f.get("grid", "").isdigit():
        qs = qs.filter(grid_id=int(f["grid"]))
    if f.get("overdue") == "1":
        qs = qs.filter(overdue=True)
    page = CappedPaginator(qs.order_by("close_due", "id"), 50).get_page(f.get("page"))
    context = {
        "page": page,
        "statuses": Status.choices,
        "filters": f,
        "grids": Grid.objects.order_by("unit_code").only("id", "name"),
        "units": Department.objects.order_by("kind", "name").only("id", "name"),
    }
    return render(request, "casework/queue.html", context)


@require_POST
@page_roles(*CASE_STAFF_ROLES)
def bulk_dispatch(request: HttpRequest) -> HttpResponse:
    numbers = request.POST.getlist("case")
    cases = list(selectors.visible_to(request.user).filter(tracking_no__in=numbers))
    try:
        if not cases:
            raise ApplicationError(_("请先勾选要派遣的诉求。"), field="case")
        done = workflow.cases_bulk_dispatch(
            actor=request.user, cases=cases, unit=_unit(request.POST.get("unit_id"))
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已派遣 %(n)s 件诉求。") % {"n": done})
    return redirect(f"{reverse('casework:queue')}?{request.POST.get('query', '')}")


@public_page
def public_list(request: HttpRequest) -> HttpResponse:
    """CASE-11: no personal data; photos only after staff review."""
    cases = (
        Case.objects.filter(public=True)
        .exclude(status__in=(Status.REJECTED, Status.MERGED))
        .select_related("category", "community")
        .order_by("-created_at", "-id")
    )
    page = CappedPaginator(cases, 30).get_page(request.GET.get("page"))
    context = _map_context()
    frame = context["frame"]
    if frame:
        # Pins at ~100 m precision: the map shows where things are, not whose door.
        context["pins"] = [
            {
                "x": round((round(c.lon, 3) - frame["min_lon"]) * frame["kx"] * frame["scale"], 1),
                "y": round((frame["max_lat"] - round(c.lat, 3)) * frame["scale"], 1),
                "kind": "open" if c.is_open else "done",
                "title": f"{c.category.name} · {c.get_status_display()}",
            }
            for c in page.object_list
        ]
    return render(request, "casework/public.html", {"page": page, **context})


@public_page
def photo(request: HttpRequest, tracking_no: str, photo_id: int, size: str) -> HttpResponseBase:
    """Photos are served through the case's visibility, never from a public media URL;
    the public sees them only after staff review (CASE-11)."""
    from django.http import FileResponse, Http404

    case = Case.objects.filter(tracking_no=tracking_no).first()
    visible = case is not None and (
        (case.public and case.photos_reviewed)
        or (
            request.user.is_authenticated
            and selectors.visible_to(request.user).filter(pk=case.pk).exists()
        )
    )
    item = case.photos.filter(pk=photo_id).first() if visible and case else None
    if item is None:
        raise Http404
    field = item.thumbnail if size == "thumb" else item.image
    return FileResponse(field.open("rb"), content_type="image/jpeg")
