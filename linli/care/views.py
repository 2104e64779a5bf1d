"""The grid worker's phone view (CARE-5): open alerts and visits, 接单, 上门结果."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.care.forms import CloseForm
from linli.care.models import Alert, AlertStatus, AwayPeriod, Outcome, Rule
from linli.care.policy import ALERT_VIEW_ROLES, GRID_ROLES, WORKER_ROLES, can_handle
from linli.care.selectors import alert_get, alerts_open_for, names_shown
from linli.care.services.calls import location_of
from linli.care.services.handling import alert_acknowledge, alert_close
from linli.care.services.homecare import short_of_services
from linli.core.access import page_roles
from linli.core.errors import ApplicationError
from linli.core.web import actor, call_service, error_page
from linli.geo.models import Grid
from linli.geo.scope import Scope
from linli.people.selectors import emergency_numbers

RECENT = dt.timedelta(days=7)
# A phone list; a community with more open alerts than this has the board.
LIST_CAP = 200
WORKER_PURPOSE = "看护提醒与上门服务"


CALL_PURPOSE = "一键呼叫:电话联系老人和家属"


def _numbers(alert: Alert, user: Any, can_act: bool) -> list[Any]:
    """One-key call still open: the elder's and their family's numbers, one tap to ring
    (an audited contact-tier read, for those who handle the call only)."""
    if alert.rule != Rule.CALL or not can_act or alert.resident_id is None:
        return []
    if alert.status not in (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED):
        return []
    return emergency_numbers(actor=user, resident_id=alert.resident_id, purpose=CALL_PURPOSE)


def _card(alert: Alert, user: Any) -> dict[str, Any]:
    can_act = can_handle(user, alert)
    return {
        "numbers": _numbers(alert, user, can_act),
        "alert": alert,
        "address": alert.household.building.name + alert.household.unit + alert.household.room,
        "call": alert.rule == Rule.CALL,
        "not_out": alert.rule == Rule.NOT_OUT,
        "needed_help": alert.outcome == Outcome.NEEDED_HELP,
        "can_act": can_act,
    }


@page_roles(*WORKER_ROLES)
def worker(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    alerts = list(alerts_open_for(user)[:LIST_CAP])
    cards = [_card(a, user) for a in alerts]
    recent = list(
        Alert.objects.visible_to(user)
        .filter(status=AlertStatus.CLOSED, closed_at__gte=timezone.now() - RECENT)
        .select_related("household__building", "resident")
        .order_by("-closed_at")[:10]
    )
    short: list[Any] = []
    if user.role in GRID_ROLES:
        month = timezone.localdate()
        grids = Grid.objects.filter(pk__in=sorted(Scope.for_actor(user).grid_ids)).select_related(
            "community"
        )
        for grid in grids.order_by("pk"):
            short += short_of_services(community=grid.community, month=month, grid=grid)
    names_shown(
        user,
        {a.resident_id for a in alerts + recent} | {s.resident_id for s in short},
        WORKER_PURPOSE,
    )
    context = {
        "open_cards": [c for c in cards if c["alert"].status == AlertStatus.OPEN],
        "visit_cards": [c for c in cards if c["alert"].status == AlertStatus.ACKNOWLEDGED],
        "recent": recent,
        "short": short,
    }
    return render(request, "care/worker.html", context)


def _detail_context(user: Any, alert: Alert, form: CloseForm | None = None) -> dict[str, Any]:
    away = AwayPeriod.objects.filter(household_id=alert.household_id, ends__gt=timezone.now())
    return {
        "numbers": _numbers(alert, user, can_handle(user, alert)),
        "alert": alert,
        "where": location_of(alert.household),
        "call": alert.rule == Rule.CALL,
        "not_out": alert.rule == Rule.NOT_OUT,
        "needed_help": alert.outcome == Outcome.NEEDED_HELP,
        "can_act": can_handle(user, alert),
        "active": alert.status in (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED),
        "form": form or CloseForm(),
        "away": list(away.order_by("starts")),
        "presses": list(alert.presses.order_by("at")) if alert.rule == Rule.CALL else [],
    }


@page_roles(*ALERT_VIEW_ROLES)
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = actor(request)
    try:
        alert = alert_get(actor=user, alert_id=alert_id)
    except ApplicationError as exc:
        return error_page(request, exc)
    return render(request, "care/alert.html", _detail_context(user, alert))


@page_roles(*WORKER_ROLES)
@require_POST
def alert_ack(request: HttpRequest, alert_id: int) -> HttpResponse:
    try:
        alert = alert_acknowledge(actor=actor(request), alert_id=alert_id)
    except ApplicationError as exc:
        return error_page(request, exc)
    due = f"{timezone.localtime(alert.due_at):%H:%M}"
    messages.success(request, _("已接单,请在 %(time)s 前上门查看。") % {"time": due})
    return redirect("care:alert", alert_id=alert.pk)


@page_roles(*WORKER_ROLES)
@require_POST
def alert_finish(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = actor(request)
    form = CloseForm(request.POST)
    try:
        alert = alert_get(actor=user, alert_id=alert_id)
    except ApplicationError as exc:
        return error_page(request, exc)
    error = ""
    if form.is_valid():
        done = call_service(
            alert_close,
            actor=user,
            alert_id=alert.pk,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )
        if done.ok:
            messages.success(request, _("已办结,谢谢您的上门查看。"))
            return redirect("care:worker")
        if done.fatal and done.error is not None:
            return error_page(request, done.error)
        error = done.message
    else:
        error = _("请选择上门查看的结果。") if "outcome" in form.errors else _("请检查填写的内容。")
    alert.refresh_from_db()
    context = {**_detail_context(user, alert, form), "error": error}
    return render(request, "care/alert.html", context, status=400)
