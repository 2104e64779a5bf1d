"""Pages for residents, family and volunteers: balances, the time bank, points and vouchers
(LEDGER-1, LEDGER-2), and the Excel export of an account."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.access import page_roles
from linli.core.errors import NotFound
from linli.core.web import Outcome, actor, call_service
from linli.ledger import programme_selectors as sel
from linli.ledger.choices import Book, format_amount
from linli.ledger.export import account_history_xlsx
from linli.ledger.forms import (
    COMMON_SERVICES,
    DisputeForm,
    FamilyForm,
    GiftForm,
    RecordForm,
    RequestForm,
    first_error,
)
from linli.ledger.models import ServiceRecord, ServiceRequest
from linli.ledger.policy import (
    CONFIRMERS,
    GRID_CONFIRMERS,
    MANAGERS,
    MEMBERS,
    VOLUNTEERS,
    confirms_for_grid,
)
from linli.ledger.services.points import reward_redeem, rewards_visible_to
from linli.ledger.services.timebank import (
    confirmable_records,
    servable_residents,
    service_record_confirm,
    service_record_create,
    service_record_dispute,
)
from linli.ledger.services.timebank_spend import (
    family_link_accept,
    family_link_request,
    service_request_cancel,
    service_request_create,
    time_gift,
)
from linli.people.selectors import relative_users_of
from linli.people.services.family import family_requests


def flash(request: HttpRequest, outcome: Outcome[Any], success: str) -> Any:
    """Show the service's message on the next page (its error, or `success`)."""
    if outcome.ok:
        messages.success(request, success)
    else:
        messages.error(request, outcome.message)
    return outcome.value


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@page_roles()
def home(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    context = {
        "balances": sel.my_balances(user) if user.role in MEMBERS else [],
        "is_member": user.role in MEMBERS,
        "is_manager": user.role in MANAGERS,
        "to_confirm": sel.records_to_confirm(user).count() if user.role in CONFIRMERS else 0,
    }
    return render(request, "ledger/home.html", context)


# ---------------------------------------------------------------- time bank


@page_roles(*MEMBERS)
def time_home(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    account = sel.own_account(user, Book.TIME)
    relatives = relative_users_of(user)
    waiting = family_requests(user=user)
    context = {
        "balance": format_amount(Book.TIME, account.balance if account else 0),
        "account": account,
        "lines": sel.lines(account, limit=30),
        "to_confirm": list(sel.records_to_confirm(user)[:50]),
        "records": list(sel.my_records(user)[:30]),
        "requests": list(sel.my_requests(user)[:30]),
        "open_requests": list(sel.open_requests_for(user)[:30]),
        "relatives": relatives,
        "invitations": [r for r in waiting if r.incoming],
        "pending_links": [r for r in waiting if not r.incoming],
        "gift_form": GiftForm(relatives=relatives),
        "family_form": FamilyForm(),
        "request_form": RequestForm(),
        "services": COMMON_SERVICES,
        "dispute_form": DisputeForm(),
    }
    return render(request, "ledger/time.html", context)


def _targets(user: Any) -> list[tuple[str, str]]:
    targets = []
    for r in servable_residents(user):  # people's audited briefs, by building and name
        targets.append(
            (f"r{r.id}", _("%(name)s(%(place)s)") % {"name": r.full_name, "place": r.building})
        )
    for q in sel.open_requests_for(user):
        targets.append(
            (
                f"q{q.pk}",
                _("%(name)s 的申请:%(service)s(最多 %(minutes)s 分钟)")
                % {"name": q.requester.display_name, "service": q.service, "minutes": q.minutes},
            )
        )
    return targets


@page_roles(*VOLUNTEERS)
def record(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    targets = _targets(user)
    form = RecordForm(request.POST or None, targets=targets)
    error = ""
    if request.method == "POST":
        if form.is_valid():
            target: str = form.cleaned_data["target"]
            kind, pk = target[0], int(target[1:])
            done = call_service(
                service_record_create,
                actor=user,
                resident=pk if kind == "r" else None,
                request=ServiceRequest.objects.filter(pk=pk).first() if kind == "q" else None,
                served_on=form.cleaned_data["served_on"],
                minutes=form.cleaned_data["minutes"],
                service=form.cleaned_data["service"],
                note=form.cleaned_data["note"],
                idempotency_key=request.POST.get("idempotency_key"),
            )
            if done.ok:
                messages.success(request, _("已登记,等待对方确认后存入时间币。"))
                return redirect("ledger:time")
            error = done.message
        else:
            error = first_error(form)
    context = {"form": form, "error": error, "services": COMMON_SERVICES, "empty": not targets}
    return render(request, "ledger/record.html", context, status=400 if error else 200)


def _record_for(user: Any, record_id: int) -> ServiceRecord:
    found = confirmable_records(user).filter(pk=record_id).first()
    if found is None:
        raise NotFound(_("找不到该服务记录。"))
    return found


@require_POST
@page_roles(*CONFIRMERS)
def confirm(request: HttpRequest, record_id: int) -> HttpResponse:
    user = actor(request)
    found = _record_for(user, record_id)
    flash(
        request,
        call_service(service_record_confirm, actor=user, record=found),
        _("已确认,%(name)s获得 %(amount)s时间币。")
        % {
            "name": found.volunteer.display_name,
            "amount": format_amount(Book.TIME, found.minutes),
        },
    )
    return _back(request, "ledger:grid_confirm" if confirms_for_grid(user) else "ledger:time")


@require_POST
@page_roles(*CONFIRMERS)
def dispute(request: HttpRequest, record_id: int) -> HttpResponse:
    user = actor(request)
    found = _record_for(user, record_id)
    flash(
        request,
        call_service(
            service_record_dispute, actor=user, record=found, reason=request.POST.get("reason", "")
        ),
        _("已提出异议,志愿者会收到通知。"),
    )
    return _back(request, "ledger:grid_confirm" if confirms_for_grid(user) else "ledger:time")


@page_roles(*GRID_CONFIRMERS)
def grid_confirm(request: HttpRequest) -> HttpResponse:
    """网格员代老人确认: pending records of the residents of my grids."""
    records = list(sel.records_to_confirm(actor(request))[:100])
    return render(
        request, "ledger/grid_confirm.html", {"records": records, "dispute_form": DisputeForm()}
    )


@require_POST
@page_roles(*MEMBERS)
def request_create(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    form = RequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
    else:
        flash(
            request,
            call_service(
                service_request_create,
                actor=user,
                service=form.cleaned_data["service"],
                minutes=form.cleaned_data["minutes"],
                note=form.cleaned_data["note"],
                idempotency_key=request.POST.get("idempotency_key"),
            ),
            _("申请已发出,时间币已冻结;服务确认后付给志愿者。"),
        )
    return redirect("ledger:time")


@require_POST
@page_roles(*MEMBERS)
def request_cancel(request: HttpRequest, request_id: int) -> HttpResponse:
    user = actor(request)
    found = ServiceRequest.objects.filter(pk=request_id, requester_id=user.pk).first()
    if found is None:
        raise NotFound(_("找不到该服务申请。"))
    flash(
        request,
        call_service(service_request_cancel, actor=user, request=found),
        _("已取消,冻结的时间币已退回。"),
    )
    return redirect("ledger:time")


@require_POST
@page_roles(*MEMBERS)
def family_request(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    form = FamilyForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
    else:
        flash(
            request,
            call_service(
                family_link_request,
                actor=user,
                username=form.cleaned_data["username"],
                relation=form.cleaned_data["relation"],
            ),
            _("已发出关联请求,对方接受后即可互赠时间币。"),
        )
    return redirect("ledger:time")


@require_POST
@page_roles(*MEMBERS)
def family_accept(request: HttpRequest, link_id: int) -> HttpResponse:
    user = actor(request)
    flash(
        request,
        call_service(family_link_accept, actor=user, link_id=link_id),
        _("已接受家人关联。"),
    )
    return redirect("ledger:time")


@require_POST
@page_roles(*MEMBERS)
def gift(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    relatives = relative_users_of(user)
    form = GiftForm(request.POST, relatives=relatives)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("ledger:time")
    to_user = next(u for u in relatives if u.pk == form.cleaned_data["to_user"])
    minutes = form.cleaned_data["minutes"]
    flash(
        request,
        call_service(
            time_gift,
            actor=user,
            to_user=to_user,
            minutes=minutes,
            idempotency_key=request.POST.get("idempotency_key"),
        ),
        _("已赠送 %(amount)s给%(name)s。")
        % {"amount": format_amount(Book.TIME, minutes), "name": to_user.display_name},
    )
    return redirect("ledger:time")


# ---------------------------------------------------------------- points and rewards


@page_roles(*MEMBERS)
def points_home(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    account = sel.own_account(user, Book.POINTS)
    context = {
        "account": account,
        "balance": account.balance if account else 0,
        "lines": sel.lines(account, limit=30),
        "vouchers": list(sel.my_vouchers(user)[:50]),
    }
    return render(request, "ledger/points.html", context)


@page_roles(*MEMBERS)
def rewards(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    account = sel.own_account(user, Book.POINTS)
    items = list(rewards_visible_to(user).filter(active=True).select_related("merchant"))
    context = {"rewards": items, "balance": account.balance if account else 0}
    return render(request, "ledger/rewards.html", context)


@require_POST
@page_roles(*MEMBERS)
def redeem(request: HttpRequest, reward_id: int) -> HttpResponse:
    user = actor(request)
    reward = rewards_visible_to(user).filter(pk=reward_id).first()
    if reward is None:
        raise NotFound(_("找不到该兑换物品。"))
    voucher = flash(
        request,
        call_service(
            reward_redeem,
            actor=user,
            reward=reward,
            idempotency_key=request.POST.get("idempotency_key"),
        ),
        _("兑换成功:%(name)s。请把兑换码出示给商家。") % {"name": reward.name},
    )
    if voucher is None:
        return redirect("ledger:rewards")
    return redirect("ledger:voucher", voucher_id=voucher.pk)


@page_roles(*MEMBERS)
def voucher(request: HttpRequest, voucher_id: int) -> HttpResponse:
    found = sel.voucher_get(actor=actor(request), voucher_id=voucher_id)
    return render(request, "ledger/voucher.html", {"voucher": found})


# ---------------------------------------------------------------- export


@page_roles()
def export(request: HttpRequest, account_id: int) -> HttpResponse:
    """Excel history of an account: one's own, or a community account one manages."""
    account = sel.account_get(actor=actor(request), account_id=account_id)
    response = HttpResponse(
        account_history_xlsx(account=account),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="ledger-account-{account.pk}.xlsx"'
    return response
