"""The grid worker's phone view (CARE-5): open alerts and visits, 接单, 上门结果."""

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.models import User
from linli.care.forms import CloseForm
from linli.care.models import Alert, AlertStatus, AwayPeriod, Rule
from linli.care.selectors import alert_get, alerts_open_for, alerts_visible_to
from linli.care.services.calls import location_of
from linli.care.services.handling import alert_acknowledge, alert_close, may_handle
from linli.care.services.homecare import short_of_services
from linli.core.access import page_roles
from linli.core.errors import ApplicationError
from linli.core.roles import Role
from linli.geo.models import Grid

WORKER_ROLES = (Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.SECRETARY)
ALERT_VIEW_ROLES = (*WORKER_ROLES, Role.STREET_ADMIN)
RECENT = dt.timedelta(days=7)
# A phone list; a community with more open alerts than this has the board.
LIST_CAP = 200


def user_of(request: HttpRequest) -> User:
    return cast(User, request.user)


def error_page(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return render(request, "core/error.html", {"message": exc.message}, status=exc.status)


def _card(alert: Alert, actor: Any) -> dict[str, Any]:
    return {
        "alert": alert,
        "address": alert.household.building.name + alert.household.unit + alert.household.room,
        "call": alert.rule == Rule.CALL,
        "can_act": may_handle(actor, alert),
    }


@page_roles(*WORKER_ROLES)
def worker(request: HttpRequest) -> HttpResponse:
    actor = user_of(request)
    alerts = list(alerts_open_for(actor)[:LIST_CAP])
    cards = [_card(a, actor) for a in alerts]
    recent = list(
        alerts_visible_to(actor)
        .filter(status=AlertStatus.CLOSED, closed_at__gte=timezone.now() - RECENT)
        .select_related("household__building", "resident")
        .order_by("-closed_at")[:10]
    )
    short: list[Any] = []
    if actor.role == Role.GRID_WORKER:
        month = timezone.localdate()
        for grid in Grid.objects.filter(memberships__user=actor, memberships__kind="grid_worker"):
            short += short_of_services(community=grid.community_id, month=month, grid=grid)
    context = {
        "open_cards": [c for c in cards if c["alert"].status == AlertStatus.OPEN],
        "visit_cards": [c for c in cards if c["alert"].status == AlertStatus.ACKNOWLEDGED],
        "recent": recent,
        "short": short,
    }
    return render(request, "care/worker.html", context)


def _detail_context(actor: Any, alert: Alert, form: CloseForm | None = None) -> dict[str, Any]:
    away = AwayPeriod.objects.filter(household_id=alert.household_id, ends__gt=timezone.now())
    return {
        "alert": alert,
        "where": location_of(alert.household),
        "call": alert.rule == Rule.CALL,
        "can_act": actor.role in WORKER_ROLES and may_handle(actor, alert),
        "active": alert.status in (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED),
        "form": form or CloseForm(),
        "away": list(away.order_by("starts")),
        "presses": list(alert.presses.order_by("at")) if alert.rule == Rule.CALL else [],
    }


@page_roles(*ALERT_VIEW_ROLES)
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    actor = user_of(request)
    try:
        alert = alert_get(actor=actor, alert_id=alert_id)
    except ApplicationError as exc:
        return error_page(request, exc)
    return render(request, "care/alert.html", _detail_context(actor, alert))


@page_roles(*WORKER_ROLES)
@require_POST
def alert_ack(request: HttpRequest, alert_id: int) -> HttpResponse:
    try:
        alert = alert_acknowledge(actor=user_of(request), alert_id=alert_id)
    except ApplicationError as exc:
        return error_page(request, exc)
    due = f"{timezone.localtime(alert.due_at):%H:%M}"
    messages.success(request, _("已接单,请在 %(time)s 前上门查看。") % {"time": due})
    return redirect("care:alert", alert_id=alert.pk)


@page_roles(*WORKER_ROLES)
@require_POST
def alert_finish(request: HttpRequest, alert_id: int) -> HttpResponse:
    actor = user_of(request)
    form = CloseForm(request.POST)
    try:
        alert = alert_get(actor=actor, alert_id=alert_id)
    except ApplicationError as exc:
        return error_page(request, exc)
    error = ""
    if form.is_valid():
        try:
            alert_close(
                actor=actor,
                alert_id=alert.pk,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            if exc.status in (403, 404):
                return error_page(request, exc)
            error = exc.message
        else:
            messages.success(request, _("已办结,谢谢您的上门查看。"))
            return redirect("care:worker")
    else:
        error = _("请选择上门查看的结果。") if "outcome" in form.errors else _("请检查填写的内容。")
    alert.refresh_from_db()
    context = {**_detail_context(actor, alert, form), "error": error}
    return render(request, "care/alert.html", context, status=400)
