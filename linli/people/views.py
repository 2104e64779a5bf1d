"""Staff pages: the resident list of one's place, a record (fields by tier), access grants."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from linli.core.access import page_roles
from linli.core.errors import ApplicationError, NotFound
from linli.core.web import actor, error_page
from linli.geo.models import Grid
from linli.people.choices import FIELDS, GRANT_TIERS, GrantStatus, Tier
from linli.people.models import Tag
from linli.people.policy import (
    DETAIL_ROLES,
    GRANT_ROLES,
    LIST_ROLES,
    can_import,
    can_request_grant,
)
from linli.people.record_sections import sections_for
from linli.people.selectors import case_visible, resident_by_id_number, resident_get
from linli.people.services import grants as grant_services
from linli.people.services.records import resident_read, residents_list


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# Why a record is opened; the list carries the choice into each link (PEOPLE-4: the audit
# report flags reads without a reason).
# The Chinese value is what the audit log records; the page shows it translated.
PURPOSES = (
    gettext_noop("走访慰问"),
    gettext_noop("办理业务"),
    gettext_noop("核实信息"),
    gettext_noop("处置诉求"),
    gettext_noop("应急联络"),
)

# The record's field labels (choices.FIELDS keeps them as plain Chinese): marked here so they
# are in the catalogue, and translated where the pages show them.
FIELD_LABELS = (
    gettext_noop("姓名"),
    gettext_noop("性别"),
    gettext_noop("出生年份"),
    gettext_noop("住址"),
    gettext_noop("与户主关系"),
    gettext_noop("电话(部分隐藏)"),
    gettext_noop("标签"),
    gettext_noop("老人能力等级"),
    gettext_noop("电话"),
    gettext_noop("紧急联系人"),
    gettext_noop("身份证号"),
    gettext_noop("健康状况"),
    gettext_noop("残疾情况"),
    gettext_noop("救助类别"),
    gettext_noop("经济情况"),
    gettext_noop("特长与兴趣"),
    gettext_noop("健康备注(自填)"),
)


def _case_for(user: Any, raw: Any) -> int | None:
    """A case the actor may see, named by the link from the case page; else none."""
    case_id = _int(raw)
    return case_id if case_visible(actor=user, case_id=case_id) else None


@page_roles(*LIST_ROLES)
def resident_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    error = ""
    id_number = request.POST.get("id_number", "") if request.method == "POST" else ""
    if id_number:
        # Looked up by POST so the number never sits in a URL or an access log.
        try:
            found = resident_by_id_number(actor=user, id_number=id_number)
        except ApplicationError as exc:
            error = exc.message
        else:
            if found is not None:
                return redirect("people:detail", resident_id=found.pk)
            error = _("在您负责的范围内没有找到这个身份证号的居民。")
    page = residents_list(
        actor=user,
        q=request.GET.get("q", ""),
        grid_id=_int(request.GET.get("grid")) or None,
        tag=request.GET.get("tag", ""),
        page=_int(request.GET.get("page"), 1),
    )
    grids = Grid.objects.filter(
        pk__in={r.household.building.grid_id for r in page.rows if r.household}
    )
    context = {
        "page": page,
        "error": error,
        "filters": request.GET,
        "tags": Tag.objects.filter(tier=Tier.BASIC),
        "purposes": PURPOSES,
        "can_import": can_import(user),
        "grids": grids
        if not request.GET.get("grid")
        else Grid.objects.filter(pk=_int(request.GET.get("grid"))),
    }
    return render(request, "people/list.html", context, status=400 if error else 200)


@page_roles(*DETAIL_ROLES)
def resident_detail(request: HttpRequest, resident_id: int) -> HttpResponse:
    user = actor(request)
    case_id = _case_for(user, request.GET.get("case"))
    view = resident_read(
        actor=user,
        resident_id=resident_id,
        purpose=request.GET.get("purpose", "")[:100],
        case_id=case_id,
    )
    shown = [(name, _(FIELDS[name][1]), view.data[name]) for name in FIELDS if name in view.data]
    hidden_tiers = [
        (t.value, t.label)
        for t in GRANT_TIERS
        if not any(FIELDS[f][0] == t for f in view.access.fields)
    ]
    context = {
        "resident": view.resident,
        "shown": shown,
        "hidden_tiers": hidden_tiers,
        "can_request": can_request_grant(user),
        "grants": grant_services.grants_of(actor=user).filter(resident=view.resident)[:5],
        "sections": sections_for(actor=user, resident=view.resident),
    }
    return render(request, "people/detail.html", context)


@page_roles(*GRANT_ROLES)
def grant_new(request: HttpRequest, resident_id: int) -> HttpResponse:
    user = actor(request)
    error = ""
    if request.method == "POST":
        try:
            grant_services.grant_request(
                actor=user,
                resident_id=resident_id,
                tiers=request.POST.getlist("tiers"),
                purpose=request.POST.get("purpose", ""),
                days=_int(request.POST.get("days"), grant_services.DEFAULT_DAYS),
                case_id=_int(request.POST.get("case_id")) or None,
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("申请已提交,社区书记审批后即可查看。"))
            return redirect("people:detail", resident_id=resident_id)
    else:
        try:
            resident_get(actor=user, resident_id=resident_id)
        except ApplicationError as exc:  # only NotFound: the record is out of reach
            return error_page(request, exc)
    context = {
        "resident_id": resident_id,
        "error": error,
        "tiers": [(t.value, t.label) for t in GRANT_TIERS],
        "days": grant_services.DEFAULT_DAYS,
        "posted": request.POST,
    }
    return render(request, "people/grant_new.html", context, status=400 if error else 200)


@page_roles(*GRANT_ROLES)
def grants(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    context = {
        "mine": grant_services.grants_of(actor=user)[:50],
        "to_decide": grant_services.grants_to_decide(actor=user).filter(status=GrantStatus.PENDING)[
            :100
        ],
        "decided": grant_services.grants_to_decide(actor=user).filter(status=GrantStatus.APPROVED)[
            :50
        ],
        "tier_labels": dict(Tier.choices),
    }
    return render(request, "people/grants.html", context)


@require_POST
@page_roles(*GRANT_ROLES)
def grant_act(request: HttpRequest, grant_id: int, action: str) -> HttpResponse:
    user = actor(request)
    try:
        if action in ("approve", "refuse"):
            grant_services.grant_decide(
                actor=user,
                grant_id=grant_id,
                approve=action == "approve",
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("已批准。") if action == "approve" else _("已拒绝。"))
        elif action == "revoke":
            grant_services.grant_revoke(actor=user, grant_id=grant_id)
            messages.success(request, _("已撤销。"))
        else:
            return error_page(request, NotFound(_("没有这个操作。")))
    except ApplicationError as exc:
        return error_page(request, exc)
    return redirect("people:grants")
