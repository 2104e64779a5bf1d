"""Pages of the grid worker's day. today/, report/ and outbox/ are the installable web app:
the service worker (sw.js, scope /fieldwork/) keeps them for use without signal, and
outbox.js queues what is recorded in IndexedDB until it is uploaded."""

import datetime as dt
import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.casework.selectors import categories_active
from linli.core.access import page_roles, public_page
from linli.core.errors import ApplicationError
from linli.core.web import actor
from linli.fieldwork import calendar as season
from linli.fieldwork import selectors
from linli.fieldwork.policy import FIELD_ROLES, OVERSIGHT_ROLES
from linli.fieldwork.present import measure_out, period, tasks_out
from linli.fieldwork.services import tracks
from linli.fieldwork.services.today import day_ensure, settings_get
from linli.geo.models import Building
from linli.geo.scope import Scope

CACHE_VERSION = "fieldwork-v1"


@page_roles(*FIELD_ROLES)
def today(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    day = timezone.localdate()
    day_ensure(user, day=day)
    tasks = selectors.today_list(actor=user, day=day)
    items = tasks_out(user, tasks)
    context = {"items": items, "day": day, "tracks_on": tracks.consent_get(user).enabled}
    return render(request, "fieldwork/today.html", context)


def _buildings(user: object) -> list[Building]:
    grids = sorted(Scope.for_actor(user).grid_ids)
    return list(Building.objects.filter(grid_id__in=grids).order_by("grid_id", "name"))


@page_roles(*FIELD_ROLES)
def report(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    categories = [c for c in categories_active() if c.parent_id is not None]
    return render(
        request,
        "fieldwork/report.html",
        {"categories": categories, "buildings": _buildings(user)},
    )


@page_roles(*FIELD_ROLES)
def outbox(request: HttpRequest) -> HttpResponse:
    return render(request, "fieldwork/outbox.html", {})


@page_roles(*FIELD_ROLES)
def track_settings(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    error = ""
    if request.method == "POST":
        try:
            start = dt.time.fromisoformat(request.POST.get("work_start", "") or "08:30")
            end = dt.time.fromisoformat(request.POST.get("work_end", "") or "17:30")
        except ValueError:
            error = _("请填写正确的时间,如 08:30。")
        else:
            try:
                tracks.consent_set(
                    actor=user,
                    enabled=request.POST.get("enabled") == "1",
                    work_start=start,
                    work_end=end,
                )
                return redirect("fieldwork:tracks")
            except ApplicationError as exc:
                error = exc.message
    consent = tracks.consent_get(user)
    return render(
        request,
        "fieldwork/tracks.html",
        {"consent": consent, "error": error},
        status=400 if error else 200,
    )


@page_roles(*OVERSIGHT_ROLES)
def coverage(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    since, until = period(30)
    rows = [measure_out(m) for m in selectors.grid_measures(actor=user, since=since, until=until)]
    return render(
        request,
        "fieldwork/coverage.html",
        {
            "workers": selectors.coverage(actor=user),
            "measures": rows,
            "cfg": settings_get(),
            "since": since,
            "until": until,
        },
    )


@page_roles(*FIELD_ROLES, *OVERSIGHT_ROLES)
def calendar_page(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    communities = list(Scope.for_actor(user).communities()) if not selectors.sees_all(user) else []
    if not communities:
        from linli.geo.models import Community

        communities = list(Community.objects.order_by("code")[:20])
    year = timezone.localdate().year
    chosen = communities[0] if communities else None
    wanted = request.GET.get("community")
    for c in communities:
        if wanted and str(c.pk) == wanted:
            chosen = c
    months = season.year_calendar(chosen.pk, start=timezone.localdate()) if chosen else []
    grid_ids = [g.pk for g in chosen.grids.all()] if chosen else []
    spots = season.hotspots(grid_ids=grid_ids, day=timezone.localdate()) if chosen else []
    return render(
        request,
        "fieldwork/calendar.html",
        {
            "communities": communities,
            "chosen": chosen,
            "months": months,
            "spots": spots,
            "year": year,
        },
    )


@public_page
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served under /fieldwork/ so its scope covers the field pages.
    It holds no data: pages and static files only (records wait in IndexedDB)."""
    shell = [
        reverse("fieldwork:today"),
        reverse("fieldwork:report"),
        reverse("fieldwork:outbox"),
        static("linli/linli.css"),
        static("fieldwork/outbox.js"),
        static("fieldwork/icon.svg"),
    ]
    body = render(
        request, "fieldwork/sw.js", {"shell": json.dumps(shell), "version": CACHE_VERSION}
    ).content
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@public_page
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "name": _("邻里 · 网格员"),
        "short_name": _("网格员"),
        "start_url": reverse("fieldwork:today"),
        "scope": "/fieldwork/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b91c1c",
        "lang": "zh-CN",
        "icons": [{"src": static("fieldwork/icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )
