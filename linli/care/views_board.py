"""The community's care board (households, device health, open alerts, maintenance tasks,
services this month, who is short of services, precision per rule) and device registration
(CARE-1, CARE-4, CARE-5, CARE-7)."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.care.forms import DeviceForm
from linli.care.models import (
    Alert,
    AlertStatus,
    Device,
    DeviceKind,
    Gateway,
    MaintenanceTask,
    ServiceKind,
    TaskStatus,
)
from linli.care.selectors import OPEN_SHOWN, communities_of, community_get, device_health
from linli.care.services.alerts import precision_report
from linli.care.services.homecare import services_month_counts, short_of_services
from linli.care.services.rules import defaults_get, offline_after
from linli.care.views import error_page, user_of
from linli.core.access import page_roles
from linli.core.errors import ApplicationError
from linli.core.roles import Role
from linli.geo.models import Building, Household
from linli.people.models import Resident

BOARD_ROLES = (Role.COMMUNITY_WORKER, Role.SECRETARY, Role.STREET_ADMIN)
REGISTER_ROLES = (Role.COMMUNITY_WORKER, Role.SECRETARY)
PRECISION_DAYS = 90
LIST_CAP = 100
HOMES_PER_PAGE = 30


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _offline_q(now: dt.datetime, d: Any) -> Q:
    q = Q(last_seen_at__isnull=True)
    for kind in DeviceKind:
        q |= Q(kind=kind, last_seen_at__lt=now - offline_after(kind, d))
    return q


@page_roles(*BOARD_ROLES)
def board(request: HttpRequest) -> HttpResponse:
    actor = user_of(request)
    try:
        community = community_get(actor=actor, community_id=_int(request.GET.get("community")))
    except ApplicationError as exc:
        return error_page(request, exc)
    now = timezone.now()
    month = timezone.localdate()
    d = defaults_get()
    in_community = Q(household__building__grid__community=community)
    devices = Device.objects.filter(in_community, active=True)
    counts = devices.aggregate(
        total=Count("pk"),
        offline=Count("pk", filter=_offline_q(now, d)),
        households=Count("household_id", distinct=True),
    )
    alerts = list(
        Alert.objects.filter(in_community, status__in=OPEN_SHOWN)
        .select_related("household__building", "resident", "assigned_to")
        .order_by("due_at")[:LIST_CAP]
    )
    tasks = list(
        MaintenanceTask.objects.filter(in_community, status=TaskStatus.OPEN)
        .select_related("device", "household__building")
        .order_by("opened_at")[:LIST_CAP]
    )
    homes = (
        Household.objects.filter(pk__in=devices.values("household_id"))
        .select_related("building__grid")
        .prefetch_related(
            Prefetch("care_devices", queryset=Device.objects.filter(active=True).order_by("kind")),
            Prefetch("residents", queryset=Resident.objects.order_by("pk")),
        )
        .order_by("building__grid__code", "building__name", "unit", "room", "pk")
    )
    page = Paginator(homes, HOMES_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "home": h,
            "names": "、".join(r.full_name for r in h.residents.all()),
            "devices": device_health(h.care_devices.all(), now, d),  # type: ignore[attr-defined]
        }
        for h in page.object_list
    ]
    by_kind = services_month_counts(community=community, month=month)
    since = now - dt.timedelta(days=PRECISION_DAYS)
    precision = precision_report(since=since, until=now, community=community)
    context = {
        "community": community,
        "communities": list(communities_of(actor)),
        "counts": counts,
        "open_count": Alert.objects.filter(in_community, status__in=OPEN_SHOWN).count(),
        "deferred_count": Alert.objects.filter(in_community, status=AlertStatus.DEFERRED).count(),
        "alerts": alerts,
        "tasks": tasks,
        "task_count": MaintenanceTask.objects.filter(in_community, status=TaskStatus.OPEN).count(),
        "page": page,
        "rows": rows,
        "services": [(k.label, by_kind.get(k.value, 0)) for k in ServiceKind],
        "services_total": sum(by_kind.values()),
        "short": short_of_services(community=community, month=month),
        "precision": precision,
        "precision_any": any(r.counted for r in precision),
        "precision_days": PRECISION_DAYS,
        "month": month,
        "can_register": actor.role in REGISTER_ROLES,
    }
    return render(request, "care/board.html", context)


def _choices(actor: Any) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    mine = communities_of(actor)
    buildings = (
        Building.objects.filter(grid__community__in=mine)
        .select_related("grid__community")
        .order_by("grid__community__code", "grid__code", "name")
    )
    gateways = Gateway.objects.filter(
        Q(community__in=mine) | Q(community__isnull=True), active=True
    )
    return (
        [(b.pk, f"{b.grid.name} {b.name}") for b in buildings],
        [(g.pk, g.name) for g in gateways.order_by("name")],
    )


def _register(actor: Any, form: DeviceForm) -> Device:
    from linli.care.services.devices import device_register
    from linli.core.errors import ValidationFailed

    d = form.cleaned_data
    household = Household.objects.filter(
        building_id=int(d["building"]), unit=d["unit"].strip(), room=d["room"].strip()
    ).first()
    if household is None:
        raise ValidationFailed(_("这个楼栋里没有找到这一户,请核对单元和门牌号。"), field="room")
    resident = None
    if d["resident_name"].strip():
        resident = Resident.objects.filter(
            household=household, full_name=d["resident_name"].strip()
        ).first()
        if resident is None:
            raise ValidationFailed(_("这一户没有叫这个名字的居民。"), field="resident_name")
    gateway = Gateway.objects.filter(pk=int(d["gateway"])).first() if d["gateway"] else None
    return device_register(
        actor=actor,
        serial=d["serial"],
        kind=d["kind"],
        household=household,
        resident=resident,
        gateway=gateway,
        installed_on=d["installed_on"],
        register_max=d["register_max"],
        place=d["place"].strip(),
    )


@page_roles(*REGISTER_ROLES)
def device_new(request: HttpRequest) -> HttpResponse:
    actor = user_of(request)
    buildings, gateways = _choices(actor)
    form = DeviceForm(
        request.POST or None,
        buildings=buildings,
        gateways=gateways,
        initial={"installed_on": timezone.localdate()},
    )
    error = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                device = _register(actor, form)
            except ApplicationError as exc:
                if exc.status in (403, 404):
                    return error_page(request, exc)
                error = exc.message
            else:
                registered = _("已登记 %(kind)s %(serial)s,等待设备上报。") % {
                    "kind": device.get_kind_display(),
                    "serial": device.serial,
                }
                messages.success(request, registered)
                return redirect("care:device_new")
        else:
            error = _("请检查下面的内容。")
    status = 400 if error else 200
    return render(request, "care/device_form.html", {"form": form, "error": error}, status=status)
