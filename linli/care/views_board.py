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
from linli.care.policy import BOARD_ROLES, DEVICE_PAGE_ROLES, can_use_device_page
from linli.care.selectors import OPEN_SHOWN, community_get, device_health, names_shown
from linli.care.services.alerts import precision_report
from linli.care.services.devices import device_register
from linli.care.services.homecare import services_month_counts, short_of_services
from linli.care.services.rules import defaults_get, offline_after
from linli.core.access import page_roles
from linli.core.errors import ApplicationError, ValidationFailed
from linli.core.replica import lag_tolerant
from linli.core.web import actor, call_service, error_page
from linli.geo.models import Building, Household
from linli.geo.scope import Scope
from linli.people.selectors import ResidentBrief, residents_brief

BOARD_PURPOSE = "智慧养老看板"
DEVICE_PURPOSE = "登记看护设备"
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
@lag_tolerant
def board(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    try:
        community = community_get(actor=user, community_id=_int(request.GET.get("community")))
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
        with_door=Count("household_id", filter=Q(kind=DeviceKind.DOOR), distinct=True),
    )
    # Without a door sensor nobody can tell whether the person goes out (rule not_out).
    counts["no_door"] = counts["households"] - counts["with_door"]
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
        )
        .order_by("building__grid__code", "building__name", "unit", "room", "pk")
    )
    page = Paginator(homes, HOMES_PER_PAGE).get_page(request.GET.get("page"))
    # The names of the people in these homes: an audited list (people's selector).
    living: dict[int, list[ResidentBrief]] = {}
    briefs = residents_brief(
        actor=user,
        household_ids=[h.pk for h in page.object_list],
        purpose=BOARD_PURPOSE,
        limit=HOMES_PER_PAGE * 20,
    )
    for brief in sorted(briefs.values(), key=lambda b: b.id):
        living.setdefault(brief.household_id or 0, []).append(brief)
    rows = [
        {
            "home": h,
            "names": "、".join(b.full_name for b in living.get(h.pk, [])),
            "devices": device_health(h.care_devices.all(), now, d),  # type: ignore[attr-defined]
            "no_door": all(
                dev.kind != DeviceKind.DOOR
                for dev in h.care_devices.all()  # type: ignore[attr-defined]
            ),
        }
        for h in page.object_list
    ]
    by_kind = services_month_counts(community=community, month=month)
    since = now - dt.timedelta(days=PRECISION_DAYS)
    precision = precision_report(since=since, until=now, community=community)
    short = short_of_services(community=community, month=month)
    named = {a.resident_id for a in alerts} | {s.resident_id for s in short}
    names_shown(user, named - set(briefs), BOARD_PURPOSE)
    context = {
        "community": community,
        "communities": list(Scope.for_actor(user).communities()),
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
        "short": short,
        "precision": precision,
        "precision_any": any(r.counted for r in precision),
        "precision_days": PRECISION_DAYS,
        "month": month,
        "can_register": can_use_device_page(user),
    }
    return render(request, "care/board.html", context)


def _choices(user: Any) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    mine = Scope.for_actor(user).communities()
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


def _register(user: Any, form: DeviceForm) -> Device:
    d = form.cleaned_data
    household = Household.objects.filter(
        building_id=int(d["building"]), unit=d["unit"].strip(), room=d["room"].strip()
    ).first()
    if household is None:
        raise ValidationFailed(_("这个楼栋里没有找到这一户,请核对单元和门牌号。"), field="room")
    resident = None
    if d["resident_name"].strip():
        found = residents_brief(
            actor=user,
            household_ids=[household.pk],
            full_name=d["resident_name"].strip(),
            purpose=DEVICE_PURPOSE,
            limit=1,
        )
        resident = next(iter(found.values()), None)
        if resident is None:
            raise ValidationFailed(_("这一户没有叫这个名字的居民。"), field="resident_name")
    gateway = Gateway.objects.filter(pk=int(d["gateway"])).first() if d["gateway"] else None
    return device_register(
        actor=user,
        serial=d["serial"],
        kind=d["kind"],
        household=household,
        resident=resident,
        gateway=gateway,
        installed_on=d["installed_on"],
        register_max=d["register_max"],
        place=d["place"].strip(),
    )


@page_roles(*DEVICE_PAGE_ROLES)
def device_new(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    buildings, gateways = _choices(user)
    form = DeviceForm(
        request.POST or None,
        buildings=buildings,
        gateways=gateways,
        initial={"installed_on": timezone.localdate()},
    )
    error = ""
    if request.method == "POST":
        if form.is_valid():
            done = call_service(_register, user=user, form=form)
            if done.fatal and done.error is not None:
                return error_page(request, done.error)
            if done.value is not None:
                registered = _("已登记 %(kind)s %(serial)s,等待设备上报。") % {
                    "kind": done.value.get_kind_display(),
                    "serial": done.value.serial,
                }
                messages.success(request, registered)
                return redirect("care:device_new")
            error = done.message
        else:
            error = _("请检查下面的内容。")
    status = 400 if error else 200
    return render(request, "care/device_form.html", {"form": form, "error": error}, status=status)
