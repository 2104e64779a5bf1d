"""Recording a home service (CARE-7): the person's tier service is offered first."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.care.forms import ServiceForm
from linli.care.models import HomeService
from linli.care.policy import GRID_ROLES, WORKER_ROLES
from linli.care.services.homecare import home_service_record, month_bounds, services_for_ability
from linli.core.access import page_roles
from linli.core.errors import NotFound
from linli.core.web import actor, call_service, error_page
from linli.people.selectors import ResidentBrief, residents_brief

PICK_CAP = 300
PICK_PURPOSE = "登记上门服务"


def _candidates(user: Any) -> list[ResidentBrief]:
    """Whom services usually go to: the elderly of the actor's place (an audited list)."""
    found = residents_brief(actor=user, elderly=True, limit=PICK_CAP, purpose=PICK_PURPOSE)
    return list(found.values())


@page_roles(*WORKER_ROLES)
def service_new(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    raw = request.POST.get("resident") or request.GET.get("resident") or ""
    resident = None
    if raw.isdigit():
        found = residents_brief(actor=user, ids=[int(raw)], purpose=PICK_PURPOSE)
        resident = found.get(int(raw))
        if resident is None:
            return error_page(request, NotFound(_("没有找到这位居民。")))
    kinds = services_for_ability(resident.ability) if resident else []
    initial = {"provided_at": timezone.localtime().replace(second=0, microsecond=0)}
    form = ServiceForm(request.POST or None, kinds=kinds, initial=initial)
    error = ""
    if request.method == "POST":
        if resident is None:
            error = _("请先选择服务对象。")
        elif form.is_valid():
            d = form.cleaned_data
            done = call_service(
                home_service_record,
                actor=user,
                resident_id=resident.pk,
                kind=d["kind"],
                provided_at=d["provided_at"],
                provider=d["provider"],
                note=d["note"],
            )
            if done.ok:
                messages.success(
                    request, _("已登记 %(name)s 的上门服务。") % {"name": resident.full_name}
                )
                return redirect("care:worker" if user.role in GRID_ROLES else "care:board")
            if done.fatal and done.error is not None:
                return error_page(request, done.error)
            error = done.message
        else:
            error = _("请选择服务项目,并填写服务时间和服务人员。")
    done_list: list[HomeService] = []
    if resident is not None:
        start, end = month_bounds(timezone.localdate())
        done_list = list(
            HomeService.objects.filter(
                resident_id=resident.pk, provided_at__gte=start, provided_at__lt=end
            ).order_by("provided_at")
        )
    context = {
        "form": form,
        "error": error,
        "resident": resident,
        "suggested": kinds[0] if kinds and resident and resident.ability else None,
        "done": done_list,
        "candidates": [] if resident else _candidates(user),
    }
    return render(request, "care/service_form.html", context, status=400 if error else 200)
