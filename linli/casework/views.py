"""Pages: the resident reports and follows a case; staff work their queue."""

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.casework import policy, selectors
from linli.casework.choices import Action, Channel, Status, Urgency
from linli.casework.filters import DRILL_FILTERS, OPEN
from linli.casework.forms import RateForm, ReportForm, StaffReportForm
from linli.casework.models import Case, CasePhoto, WhistleCall
from linli.casework.notify import ESTIMATED_MARK
from linli.casework.places import home_building, picker_buildings, place_resolve
from linli.casework.policy import (
    CASE_STAFF_ROLES,
    REPORTER_ROLES,
    STAFF_ENTRY_ROLES,
    STAFF_VIEW_ROLES,
)
from linli.casework.selectors import categories_active
from linli.casework.services import workflow
from linli.casework.services.intake import MAX_PHOTOS, CaseInput, case_submit
from linli.core.access import page_roles, public_page
from linli.core.errors import ValidationFailed
from linli.core.photos import PHOTO_MAX_BYTES, photo_read
from linli.core.replica import lag_tolerant
from linli.core.web import actor, call_service
from linli.geo.models import Building, Department, Grid
from linli.geo.scope import Scope
from linli.geo.selectors import grid_set_version
from linli.geo.svg import map_frame, project_grids
from linli.people.selectors import residents_brief
from linli.people.services import resident_find_or_create

# The buttons of the staff card (rating is the reporter's card; calling departments and
# "me too" have their own places).
CARD_ACTIONS = frozenset(Action) - {Action.RATE, Action.WHISTLE, Action.ME_TOO}


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
ESTATE = re.compile(r"\s*\d+\s*(幢|栋|号楼|座)$")


def _map_context() -> dict[str, Any]:
    """The grid map (shapes and projection, community and estate names to orient by),
    rebuilt only when the grids or buildings change."""
    buildings = Building.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    version = (grid_set_version(), buildings["n"], buildings["last"])
    if version not in _MAP_CACHE:
        grids = list(Grid.objects.select_related("community").order_by("unit_code"))
        shapes, width, height = project_grids(grids)
        frame = map_frame(grids) if grids else None
        _MAP_CACHE.clear()
        _MAP_CACHE[version] = {
            "shapes": shapes,
            "width": width,
            "height": height,
            "frame": frame,
            **(_labels(grids, frame) if frame else {}),
        }
    return dict(_MAP_CACHE[version])


def _xy(frame: dict[str, float], lat: float, lon: float) -> dict[str, float]:
    return {
        "x": round((lon - frame["min_lon"]) * frame["kx"] * frame["scale"], 1),
        "y": round((frame["max_lat"] - lat) * frame["scale"], 1),
    }


def _labels(grids: list[Grid], frame: dict[str, float]) -> dict[str, Any]:
    """Community names at the middle of their grids; each estate (小区: buildings named
    "嘉绿苑3幢") once, at the middle of its buildings."""
    places: dict[str, list[tuple[float, float]]] = {}
    for g in grids:
        mid = ((g.min_lat + g.max_lat) / 2, (g.min_lon + g.max_lon) / 2)
        places.setdefault(g.community.name, []).append(mid)
    estates: dict[str, list[tuple[float, float]]] = {}
    for name, lat, lon in Building.objects.values_list("name", "lat", "lon")[:5000]:
        estates.setdefault(ESTATE.sub("", name) or name, []).append((lat, lon))

    def centre(name: str, pts: list[tuple[float, float]]) -> dict[str, Any]:
        lat = sum(p[0] for p in pts) / len(pts)
        lon = sum(p[1] for p in pts) / len(pts)
        return {"name": name, **_xy(frame, lat, lon)}

    return {
        "communities": [centre(n, pts) for n, pts in places.items()],
        "estates": [centre(n, pts) for n, pts in estates.items()][:300],
    }


def _place(user: Any, d: dict[str, Any]) -> tuple[float, float, str]:
    place = place_resolve(user=user, d=d)
    address = f"{ESTIMATED_MARK}{place.address}" if place.estimated else place.address
    return place.lat, place.lon, address[:200]


def _own_report(*, user: Any, d: dict[str, Any], uploads: list[Any]) -> Case:
    if len(uploads) > MAX_PHOTOS:
        raise ValidationFailed(_("最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS}, field="photos")
    photos = [photo_read(file=f, max_bytes=PHOTO_MAX_BYTES) for f in uploads]
    lat, lon, address = _place(user, d)
    data = CaseInput(d["category"], d["description"], lat, lon, address, d["anonymous"])
    return case_submit(actor=user, data=data, photos=photos)


def _report_context(request: HttpRequest, form: Any, error: str, **extra: Any) -> dict[str, Any]:
    """What both report pages show: big category buttons, the emergency numbers, the place
    pickers (own building, search, keyboard map)."""
    user = actor(request)
    home = home_building(user)
    cats = list(categories_active().filter(parent__isnull=False))
    maps = _map_context()
    chosen = str(form["category"].value() or "")
    return {
        "form": form,
        "error": error,
        "max_photos": MAX_PHOTOS,
        "shortcuts": sorted((c for c in cats if c.shortcut), key=lambda c: c.shortcut),
        "groups": _groups(cats),
        "chosen": chosen,
        "chosen_more": chosen and not any(c.code == chosen and c.shortcut for c in cats),
        "emergency_calls": settings.LINLI_EMERGENCY_CALLS,
        "emergency_codes": [c.code for c in cats if _emergency(c)],
        "home": home,
        "buildings": picker_buildings(user, home),
        "home_xy": _xy(maps["frame"], home.lat, home.lon) if home and maps["frame"] else None,
        "my_communities": sorted(Scope.for_actor(user).communities().values_list("pk", flat=True)),
        "tilemap": _tilemap(home) if settings.LINLI_MAP_TILES else None,
        **maps,
        **extra,
    }


def _tilemap(home: Any) -> dict[str, Any]:
    """What the street map (static/linli/tilemap.js) draws over the configured tiles."""
    grids = Grid.objects.order_by("unit_code").only("name", "geometry")
    return {
        "tiles": settings.LINLI_MAP_TILES,
        "subdomains": settings.LINLI_MAP_SUBDOMAINS,
        "attribution": settings.LINLI_MAP_ATTRIBUTION,
        "crs": settings.LINLI_MAP_CRS,
        "grids": [{"name": g.name, "geometry": g.geometry} for g in grids],
        "home": {"lat": home.lat, "lon": home.lon, "label": str(_("我家"))} if home else None,
    }


def _emergency(c: Any) -> bool:
    """Gas, a burst main, a collapse: call first (dispatch within the hour), then report."""
    return bool(
        c.public
        and c.urgency == Urgency.URGENT
        and c.respond_unit == "hours"
        and c.respond_amount <= 1
    )


def _groups(cats: list[Any]) -> list[tuple[str, list[Any]]]:
    groups: dict[str, list[Any]] = {}
    for c in cats:
        groups.setdefault(c.parent.name, []).append(c)
    return list(groups.items())


@page_roles(*REPORTER_ROLES)
def report(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        outcome = call_service(
            _own_report,
            user=actor(request),
            d=form.cleaned_data,
            uploads=request.FILES.getlist("photos"),
        )
        if outcome.value is not None:
            no = outcome.value.tracking_no
            messages.success(request, _("已收到您的诉求,受理编号 %(no)s。") % {"no": no})
            return redirect("casework:detail", tracking_no=no)
        error = outcome.message
        _field_error(form, outcome)
    elif request.method == "POST":
        error = _("请检查下面标红的内容。")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "casework/report.html", _report_context(request, form, error), status=status
    )


def _field_error(form: Any, outcome: Any) -> None:
    """A service's refusal about one field is shown next to that field too."""
    field = getattr(outcome, "field", "") or ""
    field = {"location": "lat", "full_name": "full_name"}.get(field, field)
    if field in form.fields and not form.errors.get(field):
        form.add_error(field, outcome.message)


@transaction.atomic  # a refused case leaves no new resident behind
def _entry_for_resident(*, user: Any, d: dict[str, Any], uploads: list[Any]) -> Case:
    photos = [photo_read(file=f) for f in uploads]
    resident = None
    if d["full_name"]:
        resident, _created = resident_find_or_create(
            actor=user,
            full_name=d["full_name"],
            birth_year=d["birth_year"] or 0,
            sex=d["sex"],
            phone=d.get("phone") or "",
        )
    lat, lon, address = _place(user, d)
    data = CaseInput(d["category"], d["description"], lat, lon, address)
    return case_submit(
        actor=user,
        data=data,
        channel=Channel(d["channel"]),
        photos=photos,
        resident=resident,
        phone=d.get("phone") or "",
    )


def _match(user: Any, d: dict[str, Any]) -> list[Any]:
    """The records the window would file the case under (same name in the worker's area)."""
    name = (d.get("full_name") or "").strip()
    if not name:
        return []
    found = residents_brief(actor=user, purpose="代办", full_name=name).values()
    year = d.get("birth_year")
    return [r for r in found if not year or r.birth_year == year][:5]


@page_roles(*STAFF_ENTRY_ROLES)
def staff_report(request: HttpRequest) -> HttpResponse:
    """代办: staff enter a matter for a resident at the window, from a call or a slip."""
    form = StaffReportForm(request.POST or None)
    error = ""
    looked_up = request.method == "POST" and "lookup" in request.POST
    matches: list[Any] = []
    if looked_up:
        form.is_valid()  # the lookup needs only name and year; other errors wait
        matches = _match(actor(request), getattr(form, "cleaned_data", {}))
        return render(
            request,
            "casework/report.html",
            _report_context(
                request,
                form,
                "",
                staff_entry=True,
                looked_up=True,
                matches=matches,
                lookup_only=True,
            ),
        )
    if request.method == "POST" and form.is_valid():
        outcome = call_service(
            _entry_for_resident,
            user=actor(request),
            d=form.cleaned_data,
            uploads=request.FILES.getlist("photos"),
        )
        if outcome.value is not None:
            no = outcome.value.tracking_no
            messages.success(request, _("已代为登记,受理编号 %(no)s,请告知居民。") % {"no": no})
            return redirect("casework:receipt", tracking_no=no)
        error = outcome.message
        _field_error(form, outcome)
    elif request.method == "POST":
        error = _("请检查下面标红的内容。")
    context = _report_context(request, form, error, staff_entry=True)
    return render(
        request, "casework/report.html", context, status=400 if request.method == "POST" else 200
    )


@page_roles(*STAFF_ENTRY_ROLES)
def receipt(request: HttpRequest, tracking_no: str) -> HttpResponse:
    """The slip the resident takes home from the window: number, unit, deadline, phone."""
    user = actor(request)
    case = selectors.case_get(actor=user, tracking_no=tracking_no)
    resident = None
    if case.resident_id:
        found = residents_brief(actor=user, ids=[case.resident_id], purpose="代办回执")
        resident = found.get(case.resident_id)
    context = {"case": case, "hotline": _hotline(), "resident": resident}
    return render(request, "casework/receipt.html", context)


def _hotline() -> str:
    for number, label in settings.LINLI_EMERGENCY_CALLS:
        if number == "12345" or "热线" in label:
            return str(number)
    return ""


@page_roles()
@lag_tolerant
def mine(request: HttpRequest) -> HttpResponse:
    cases = list(
        Case.objects.visible_to(actor(request))
        .filter(reporter=actor(request))
        .select_related("category", "community")
        .order_by("-created_at", "-id")[:100]
    )
    # The ones waiting for the reporter's "解决了吗" answer come first.
    cases.sort(key=lambda c: c.status != Status.HANDLED)
    waiting = sum(c.status == Status.HANDLED for c in cases)
    return render(request, "casework/mine.html", {"cases": cases, "waiting": waiting})


@page_roles()
def detail(request: HttpRequest, tracking_no: str) -> HttpResponse:
    user = actor(request)
    case = selectors.case_get(actor=user, tracking_no=tracking_no)
    staff = user.role in STAFF_VIEW_ROLES
    events = selectors.case_timeline(case=case, internal=staff)
    actions = policy.offered(user, case)
    context = {
        "case": case,
        "events": events,
        "staff": staff,
        "photos": case.photos.all(),
        "actions": actions,
        "any_action": any(actions[a] for a in CARD_ACTIONS),
        "units": Department.objects.order_by("kind", "name") if staff else [],
        "categories": categories_active().filter(parent__isnull=False)
        if actions[Action.REGISTER]
        else [],
        "rate_form": RateForm(),
        "can_receipt": case.entered_by_id is not None and user.role in STAFF_ENTRY_ROLES,
        "can_blow": staff and actions[Action.WHISTLE],
        "whistle_calls": WhistleCall.objects.filter(whistle__case=case).select_related(
            "department"
        ),
    }
    return render(request, "casework/detail.html", context)


def _rate(u: Any, c: Case, p: Any, f: Any) -> Case:
    form = RateForm(p)
    if not form.is_valid():
        raise ValidationFailed(_("请选择满意度。"), field="rating")
    return workflow.case_rate(
        actor=u, case=c, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
    )


# What each button posts to: (u=actor, c=case, p=POST, f=FILES) → the service.
ACTIONS: dict[str, Callable[[Any, Case, Any, Any], Case]] = {
    "rate": _rate,
    "register": lambda u, c, p, f: workflow.case_register(
        actor=u, case=c, category_code=p.get("category", "")
    ),
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
    "verify": lambda u, c, p, f: _verify(u, c, p),
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


def _verify(u: Any, c: Case, p: Any) -> Case:
    passed = p.get("passed") == "1"
    note = p.get("note", "")
    if not passed and not note.strip() and c.reporter_id == u.pk:
        # The reporter's "还没解决" needs no reason: the one tap is the answer (返工).
        note = _("居民反映:问题还没解决。")
    return workflow.case_verify(actor=u, case=c, passed=passed, note=note)


def _unit(raw: str | None) -> Department:
    unit = Department.objects.filter(pk=int(raw)).first() if raw and raw.isdigit() else None
    if unit is None:
        raise ValidationFailed(_("请选择处置单位。"), field="unit_id")
    return unit


@require_POST
@page_roles()
def act(request: HttpRequest, tracking_no: str, action: str) -> HttpResponse:
    user = actor(request)
    case = selectors.case_get(actor=user, tracking_no=tracking_no)
    if action not in ACTIONS:
        messages.error(request, _("未知操作。"))
    else:
        outcome = call_service(ACTIONS[action], u=user, c=case, p=request.POST, f=request.FILES)
        if outcome.ok:
            reporter_no = action == "verify" and request.POST.get("passed") != "1"
            done = "not_fixed" if reporter_no and case.reporter_id == user.pk else action
            messages.success(request, str(DONE[done]))
        else:
            messages.error(request, outcome.message)
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
    "not_fixed": gettext_lazy("已告诉办理单位问题还没解决,会重新处理。"),
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
        start = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    except (ValueError, OverflowError) as exc:  # 9999-12-31 has no next day
        raise ValidationFailed(_("请选择缓办截止日期。"), field="until") from exc
    return timezone.make_aware(start)


@page_roles(*STAFF_VIEW_ROLES)
@lag_tolerant
def queue(request: HttpRequest) -> HttpResponse:
    """The staff console: cases for the user's units and places, with filters."""
    params = request.GET.copy()
    params.setdefault("status", OPEN)
    qs = selectors.case_list(
        actor=actor(request), params=params, own=False, order=selectors.QUEUE_ORDER
    )
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "statuses": Status.choices,
        "filters": request.GET,
        # The evaluation dashboard's drill-down filters, kept when the form is used again.
        "drill": [(k, request.GET[k]) for k in DRILL_FILTERS if request.GET.get(k)],
        "grids": Grid.objects.order_by("unit_code").only("id", "name"),
        "units": Department.objects.order_by("kind", "name").only("id", "name"),
    }
    return render(request, "casework/queue.html", context)


def _bulk_dispatch(*, user: Any, numbers: list[str], unit_id: str | None) -> int:
    cases = list(Case.objects.visible_to(user).filter(tracking_no__in=numbers))
    if not cases:
        raise ValidationFailed(_("请先勾选要派遣的诉求。"), field="case")
    return workflow.cases_bulk_dispatch(actor=user, cases=cases, unit=_unit(unit_id))


@require_POST
@page_roles(*CASE_STAFF_ROLES)
def bulk_dispatch(request: HttpRequest) -> HttpResponse:
    outcome = call_service(
        _bulk_dispatch,
        user=actor(request),
        numbers=request.POST.getlist("case"),
        unit_id=request.POST.get("unit_id"),
    )
    if outcome.ok:
        messages.success(request, _("已派遣 %(n)s 件诉求。") % {"n": outcome.value})
    else:
        messages.error(request, outcome.message)
    return redirect(f"{reverse('casework:queue')}?{request.POST.get('query', '')}")


@public_page
@lag_tolerant
def public_list(request: HttpRequest) -> HttpResponse:
    """CASE-11: no personal data; photos only after staff review."""
    cases = (
        Case.objects.public()
        .exclude(status__in=(Status.REJECTED, Status.MERGED))  # not handled as such
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
    shown = Case.objects.public().filter(photos_reviewed=True)
    if request.user.is_authenticated:
        shown = shown | Case.objects.visible_to(actor(request))
    case_ids = shown.filter(tracking_no=tracking_no).values("pk")
    item = CasePhoto.objects.filter(pk=photo_id, case__in=case_ids).first()
    if item is None:
        raise Http404
    field = item.thumbnail if size == "thumb" else item.image
    return FileResponse(field.open("rb"), content_type="image/jpeg")
