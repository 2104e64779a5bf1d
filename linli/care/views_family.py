"""Family's view of their relative, and away periods (CARE-4, CARE-5, PEOPLE-6)."""

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.care.forms import AwayForm
from linli.care.models import AlertStatus, AwayPeriod, Device
from linli.care.selectors import (
    OPEN_SHOWN,
    alerts_visible_to,
    device_health,
    family_alert_residents,
    household_get,
    relatives_of,
)
from linli.care.services.handling import AWAY_ROLES, away_end, away_set
from linli.care.services.homecare import month_bounds
from linli.care.views import error_page, user_of
from linli.core.access import page_roles
from linli.core.errors import ApplicationError
from linli.core.roles import Role

RECENT_ALERTS = 5


@page_roles(Role.FAMILY)
def family(request: HttpRequest) -> HttpResponse:
    actor = user_of(request)
    now = timezone.now()
    start, end = month_bounds(timezone.localdate())
    relatives = list(
        relatives_of(actor)
        .select_related("household__building__grid")
        .annotate(
            services=Count(
                "home_services",
                filter=Q(home_services__provided_at__gte=start, home_services__provided_at__lt=end),
            )
        )
        .order_by("pk")
    )
    allowed = set(family_alert_residents(actor))
    homes = {r.household_id for r in relatives if r.household_id is not None}
    devices: dict[int, list[Device]] = {}
    for dev in Device.objects.filter(household_id__in=homes, active=True).order_by("kind"):
        devices.setdefault(dev.household_id, []).append(dev)
    away: dict[int, list[AwayPeriod]] = {}
    for a in AwayPeriod.objects.filter(household_id__in=homes, ends__gt=now).order_by("starts"):
        away.setdefault(a.household_id, []).append(a)
    visible = alerts_visible_to(actor).order_by("-opened_at")
    people = []
    for r in relatives:
        shown = r.pk in allowed
        mine = visible.filter(Q(resident=r) | Q(resident__isnull=True, household=r.household_id))
        people.append(
            {
                "resident": r,
                "devices": device_health(devices.get(r.household_id or 0, []), now),
                "away": away.get(r.household_id or 0, []),
                "alerts_shown": shown,
                "open_alerts": list(mine.filter(status__in=OPEN_SHOWN)) if shown else [],
                "past_alerts": list(
                    mine.filter(status__in=(AlertStatus.CLOSED, AlertStatus.RESOLVED_AUTO))[
                        :RECENT_ALERTS
                    ]
                )
                if shown
                else [],
            }
        )
    return render(request, "care/family.html", {"people": people})


def _back(actor: Any, household_id: int) -> str:
    return reverse("care:family") if actor.role == Role.FAMILY else reverse("care:worker")


@page_roles(*AWAY_ROLES)
def away(request: HttpRequest, household_id: int) -> HttpResponse:
    actor = user_of(request)
    try:
        household = household_get(actor=actor, household_id=household_id)
    except ApplicationError as exc:
        return error_page(request, exc)
    today = timezone.localdate()
    form = AwayForm(request.POST or None, initial={"starts": today, "ends": today})
    error = ""
    if request.method == "POST":
        if form.is_valid():
            starts, ends = form.period()
            try:
                away_set(
                    actor=actor,
                    household_id=household.pk,
                    starts=starts,
                    ends=ends,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except ApplicationError as exc:
                if exc.status in (403, 404):
                    return error_page(request, exc)
                error = exc.message
            else:
                messages.success(request, _("已登记外出,这段时间不会发出看护提醒。"))
                return redirect(_back(actor, household.pk))
        else:
            error = _("请选择外出原因并填写日期。")
    periods = AwayPeriod.objects.filter(household=household, ends__gt=timezone.now())
    context = {
        "household": household,
        "form": form,
        "error": error,
        "periods": list(periods.order_by("starts")),
        "back": _back(actor, household.pk),
    }
    return render(request, "care/away.html", context, status=400 if error else 200)


@page_roles(*AWAY_ROLES)
@require_POST
def away_stop(request: HttpRequest, away_id: int) -> HttpResponse:
    actor = user_of(request)
    try:
        period = away_end(actor=actor, away_id=away_id)
    except ApplicationError as exc:
        return error_page(request, exc)
    messages.success(request, _("已结束外出登记,看护提醒恢复。"))
    return redirect(_back(actor, period.household_id))
