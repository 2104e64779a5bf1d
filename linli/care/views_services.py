"""Recording a home service (CARE-7): the person's tier service is offered first."""

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.care.forms import ServiceForm
from linli.care.models import HomeService
from linli.care.selectors import residents_visible_to
from linli.care.services.homecare import (
    ALONE_TAG,
    RECORDER_ROLES,
    home_service_record,
    month_bounds,
    services_for_ability,
)
from linli.care.views import error_page, user_of
from linli.core.access import page_roles
from linli.core.errors import ApplicationError, NotFound
from linli.core.roles import Role

PICK_CAP = 300


def _candidates(actor: Any) -> list[Any]:
    """Whom services usually go to: the elderly of the actor's place."""
    qs = (
        residents_visible_to(actor)
        .filter(Q(tag_links__tag__code=ALONE_TAG) | ~Q(ability=""))
        .select_related("household__building")
    )
    return list(qs.distinct().order_by("household__building__name", "full_name")[:PICK_CAP])


@page_roles(*RECORDER_ROLES)
def service_new(request: HttpRequest) -> HttpResponse:
    actor = user_of(request)
    raw = request.POST.get("resident") or request.GET.get("resident") or ""
    resident = None
    if raw.isdigit():
        resident = residents_visible_to(actor).filter(pk=int(raw)).first()
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
            try:
                home_service_record(
                    actor=actor,
                    resident_id=resident.pk,
                    kind=d["kind"],
                    provided_at=d["provided_at"],
                    provider=d["provider"],
                    note=d["note"],
                )
            except ApplicationError as exc:
                if exc.status in (403, 404):
                    return error_page(request, exc)
                error = exc.message
            else:
                messages.success(
                    request, _("已登记 %(name)s 的上门服务。") % {"name": resident.full_name}
                )
                return redirect("care:worker" if actor.role == Role.GRID_WORKER else "care:board")
        else:
            error = _("请选择服务项目,并填写服务时间和服务人员。")
    done: list[HomeService] = []
    if resident is not None:
        start, end = month_bounds(timezone.localdate())
        done = list(
            HomeService.objects.filter(
                resident=resident, provided_at__gte=start, provided_at__lt=end
            ).order_by("provided_at")
        )
    context = {
        "form": form,
        "error": error,
        "resident": resident,
        "suggested": kinds[0] if kinds and resident and resident.ability else None,
        "done": done,
        "candidates": [] if resident else _candidates(actor),
    }
    return render(request, "care/service_form.html", context, status=400 if error else 200)
