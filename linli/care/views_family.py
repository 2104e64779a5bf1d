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
from linli.care.models import Alert, AlertStatus, AwayPeriod, Device, HomeService
from linli.care.policy import AWAY_ROLES, FAMILY_ROLES, is_family
from linli.care.selectors import (
    OPEN_SHOWN,
    device_health,
    family_alert_residents,
    household_get,
    relatives_of,
)
from linli.care.services.handling import away_end, away_set
from linli.care.services.homecare import month_bounds
from linli.core.access import page_roles
from linli.core.errors import ApplicationError
from linli.core.web import actor, call_service, error_page
from linli.people.selectors import residents_brief

RECENT_ALERTS = 5
FAMILY_PURPOSE = "家人看护"


@page_roles(*FAMILY_ROLES)
def family(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    now = timezone.now()
    start, end = month_bounds(timezone.localdate())
    mine = relatives_of(user)
    briefs = residents_brief(actor=user, ids=mine, purpose=FAMILY_PURPOSE) if mine else {}
    relatives = [briefs[pk] for pk in sorted(briefs)]
    services = dict(
        HomeService.objects.filter(
            resident_id__in=list(briefs), provided_at__gte=start, provided_at__lt=end
        )
        .values("resident_id")
        .annotate(n=Count("pk"))
        .values_list("resident_id", "n")
    )
    allowed = set(family_alert_residents(user, mine))
    homes = {r.household_id for r in relatives if r.household_id is not None}
    devices: dict[int, list[Device]] = {}
    for dev in Device.objects.filter(household_id__in=homes, active=True).order_by("kind"):
        devices.setdefault(dev.household_id, []).append(dev)
    away: dict[int, list[AwayPeriod]] = {}
    for a in AwayPeriod.objects.filter(household_id__in=homes, ends__gt=now).order_by("starts"):
        away.setdefault(a.household_id, []).append(a)
    visible = Alert.objects.visible_to(user).order_by("-opened_at")
    people = []
    for r in relatives:
        shown = r.pk in allowed
        about = visible.filter(
            Q(resident_id=r.pk) | Q(resident__isnull=True, household_id=r.household_id)
        )
        people.append(
            {
                "resident": r,
                "services": services.get(r.pk, 0),
                "devices": device_health(devices.get(r.household_id or 0, []), now),
                "away": away.get(r.household_id or 0, []),
                "alerts_shown": shown,
                "open_alerts": list(about.filter(status__in=OPEN_SHOWN)) if shown else [],
                "past_alerts": list(
                    about.filter(status__in=(AlertStatus.CLOSED, AlertStatus.RESOLVED_AUTO))[
                        :RECENT_ALERTS
                    ]
                )
                if shown
                else [],
            }
        )
    return render(request, "care/family.html", {"people": people})


def _back(user: Any) -> str:
    return reverse("care:family") if is_family(user) else reverse("care:worker")


@page_roles(*AWAY_ROLES)
def away(request: HttpRequest, household_id: int) -> HttpResponse:
    user = actor(request)
    try:
        household = household_get(actor=user, household_id=household_id)
    except ApplicationError as exc:
        return error_page(request, exc)
    today = timezone.localdate()
    form = AwayForm(request.POST or None, initial={"starts": today, "ends": today})
    error = ""
    if request.method == "POST":
        if form.is_valid():
            starts, ends = form.period()
            done = call_service(
                away_set,
                actor=user,
                household_id=household.pk,
                starts=starts,
                ends=ends,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
            if done.ok:
                messages.success(request, _("已登记外出,这段时间不会发出看护提醒。"))
                return redirect(_back(user))
            if done.fatal and done.error is not None:
                return error_page(request, done.error)
            error = done.message
        else:
            error = _("请选择外出原因并填写日期。")
    periods = AwayPeriod.objects.filter(household=household, ends__gt=timezone.now())
    context = {
        "household": household,
        "form": form,
        "error": error,
        "periods": list(periods.order_by("starts")),
        "back": _back(user),
    }
    return render(request, "care/away.html", context, status=400 if error else 200)


@page_roles(*AWAY_ROLES)
@require_POST
def away_stop(request: HttpRequest, away_id: int) -> HttpResponse:
    try:
        away_end(actor=actor(request), away_id=away_id)
    except ApplicationError as exc:
        return error_page(request, exc)
    messages.success(request, _("已结束外出登记,看护提醒恢复。"))
    return redirect(_back(actor(request)))
