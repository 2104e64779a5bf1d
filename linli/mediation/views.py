"""Mediation pages: the list, intake (代办), the dispute page with its stage actions (the
party's view is the same page with their part only), the agreement PDF, the rates."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.core.access import page_roles
from linli.core.audit.services import audit_record
from linli.core.errors import ValidationFailed
from linli.core.web import actor, call_service, error_page
from linli.geo.models import Community
from linli.geo.scope import Scope
from linli.mediation import selectors
from linli.mediation.choices import (
    Action,
    AuditAction,
    DisputeType,
    Fulfilment,
    Side,
    Source,
    Stage,
    Status,
)
from linli.mediation.models import Dispute, Mediator
from linli.mediation.pdf import agreement_pdf
from linli.mediation.policy import (
    DISPUTE_ROLES,
    INTAKE_ROLES,
    RATES_ROLES,
    STEP_ROLES,
    Standing,
    offered,
)
from linli.mediation.present import dispute_detail
from linli.mediation.services import agreement as agreements
from linli.mediation.services import disputes as steps

PURPOSE = "调解办案"
LIST_CAP = 300


@page_roles(*DISPUTE_ROLES)
def dispute_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    disputes = list(selectors.disputes_for(user)[:LIST_CAP])
    leads = selectors.lead_names(d.pk for d in disputes)
    for d in disputes:
        d.lead_name = leads.get(d.pk, "")  # type: ignore[attr-defined]
    return render(
        request,
        "mediation/list.html",
        {
            "open": [d for d in disputes if d.concluded_at is None],
            "follow_up": [d for d in disputes if d.status == Status.AGREED],
            "done": sorted(
                (d for d in disputes if d.concluded_at and d.status != Status.AGREED),
                key=lambda d: d.concluded_at or d.created_at,
                reverse=True,
            )[:50],
            "can_register": user.role in INTAKE_ROLES,
            "can_rates": user.role in RATES_ROLES,
        },
    )


def _communities(user: Any) -> list[Community]:
    if user.role == "sysadmin":
        return list(Community.objects.order_by("code"))
    found = list(Scope.for_actor(user).communities())
    mediator = Mediator.objects.filter(user=user, active=True).first()
    if mediator is not None:
        extra = Community.objects.filter(
            Q(pk=mediator.community_id or 0) | Q(street_id=mediator.street_id or 0)
        )
        found += [c for c in extra.order_by("code") if c not in found]
    return found


def _int(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def _intake_data(post: QueryDict) -> steps.DisputeInput:
    parties = []
    for side in (Side.APPLICANT, Side.RESPONDENT):
        for i in range(2):
            name = post.get(f"{side}_{i}_name", "")
            id_number = post.get(f"{side}_{i}_id_number", "")
            phone = post.get(f"{side}_{i}_phone", "")
            if name.strip() or id_number.strip() or phone.strip():
                parties.append(
                    steps.PartyInput(side=side, name=name, phone=phone, id_number=id_number)
                )
    return steps.DisputeInput(
        type=post.get("type", ""),
        source=post.get("source", ""),
        description=post.get("description", ""),
        parties=parties,
        community_id=_int(post.get("community_id")),
        case_no=post.get("case_no", "").strip(),
    )


def _party_slots(post: QueryDict) -> list[dict[str, Any]]:
    """Two boxes per side, refilled with what was typed when the form comes back."""
    slots = []
    for side in (Side.APPLICANT, Side.RESPONDENT):
        for i in range(2):
            prefix = f"{side}_{i}"
            slots.append(
                {
                    "side": side,
                    "label": side.label,
                    "optional": i > 0,
                    "number": i + 1,
                    "prefix": prefix,
                    **{k: post.get(f"{prefix}_{k}", "") for k in ("name", "phone", "id_number")},
                }
            )
    return slots


@page_roles(*INTAKE_ROLES)
def dispute_new(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    communities = _communities(user)
    error, field = "", ""
    if request.method == "POST":
        outcome = call_service(steps.dispute_register, actor=user, data=_intake_data(request.POST))
        if outcome.ok and outcome.value is not None:
            messages.success(request, _("已登记,纠纷编号 %(no)s。") % {"no": outcome.value.number})
            return redirect("mediation:dispute", dispute_id=outcome.value.pk)
        error, field = outcome.message, outcome.field
    return render(
        request,
        "mediation/new.html",
        {
            "communities": communities,
            "types": DisputeType.choices,
            "sources": Source.choices,
            "party_slots": _party_slots(request.POST),
            "post": request.POST,
            "error": error,
            "field": field,
        },
        status=400 if error else 200,
    )


@page_roles(*DISPUTE_ROLES)
def dispute_page(request: HttpRequest, dispute_id: int) -> HttpResponse:
    user = actor(request)
    outcome = call_service(
        selectors.dispute_get, actor=user, dispute_id=dispute_id, purpose=PURPOSE
    )
    if not outcome.ok or outcome.value is None:
        assert outcome.error is not None
        return error_page(request, outcome.error)
    dispute = outcome.value
    standing = Standing(user, dispute)
    actions = offered(user, dispute)
    detail = dispute_detail(user, dispute)
    stamps = {s["stage"]: s for s in detail["stamps"]}
    return render(
        request,
        "mediation/dispute.html",
        {
            "d": dispute,
            "detail": detail,
            "staff": standing.staff,
            "actions": actions,
            "stages": [(stage, stamps.get(stage.value)) for stage in Stage],
            "candidates": steps.qualified(dispute) if "assign" in actions else [],
            "fulfilments": Fulfilment.choices,
            "today": timezone.localdate(),
            "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "pdf": "agreement" in detail and detail["agreement"] is not None,
        },
    )


def _moment(raw: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationFailed(_("请填写调解会的日期和时间。"), field="held_at") from exc
    if not 2000 <= value.year <= 2099:
        raise ValidationFailed(_("请填写调解会的日期和时间。"), field="held_at")
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _day(raw: str, field: str) -> dt.date | None:
    if not raw.strip():
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise ValidationFailed(_("日期格式不正确。"), field=field) from exc


def _obligations(post: QueryDict) -> list[agreements.ObligationInput]:
    out = []
    for i in range(4):
        duty = post.get(f"duty_{i}", "")
        if not duty.strip():
            continue
        party = _int(post.get(f"party_{i}"))
        if party is None:
            raise ValidationFailed(_("请选择承担义务的当事人。"), field=f"party_{i}")
        out.append(
            agreements.ObligationInput(
                party_id=party,
                duty=duty,
                how=post.get(f"how_{i}", ""),
                by=_day(post.get(f"by_{i}", ""), f"by_{i}"),
            )
        )
    return out


Handler = Callable[[Any, Dispute, QueryDict, Any], Any]
ACTIONS: dict[str, Handler] = {
    "accept": lambda u, d, p, f: steps.dispute_accept(actor=u, dispute=d),
    "decline": lambda u, d, p, f: steps.dispute_decline(
        actor=u, dispute=d, reason=p.get("reason", "")
    ),
    "assign": lambda u, d, p, f: steps.dispute_assign(
        actor=u, dispute=d, mediator_id=_int(p.get("mediator_id")), lead=p.get("lead") != "0"
    ),
    "investigate": lambda u, d, p, f: steps.dispute_investigate(
        actor=u, dispute=d, note=p.get("note", "")
    ),
    "session": lambda u, d, p, f: steps.dispute_session(
        actor=u,
        dispute=d,
        held_at=_moment(p.get("held_at", "")),
        attendees=p.get("attendees", ""),
        notes=p.get("notes", ""),
        place=p.get("place", ""),
    ),
    "assess": lambda u, d, p, f: steps.dispute_assess(actor=u, dispute=d, note=p.get("note", "")),
    "agree": lambda u, d, p, f: agreements.dispute_agree(
        actor=u,
        dispute=d,
        facts=p.get("facts", ""),
        responsibilities=p.get("responsibilities", ""),
        obligations=_obligations(p),
        court_confirmation=p.get("court_confirmation") == "1",
    ),
    "sign": lambda u, d, p, f: agreements.agreement_sign(
        actor=u,
        dispute=d,
        scan=f["scan"].read(agreements.SCAN_MAX_BYTES + 1) if "scan" in f else b"",
    ),
    "fail": lambda u, d, p, f: steps.dispute_fail(actor=u, dispute=d, reason=p.get("reason", "")),
    "withdraw": lambda u, d, p, f: steps.dispute_withdraw(
        actor=u, dispute=d, reason=p.get("reason", "")
    ),
    "extend": lambda u, d, p, f: steps.dispute_extend(
        actor=u, dispute=d, days=_int(p.get("days")) or 0, reason=p.get("reason", "")
    ),
    "follow_up": lambda u, d, p, f: steps.dispute_follow_up(
        actor=u, dispute=d, fulfilment=p.get("fulfilment", ""), note=p.get("note", "")
    ),
    "archive": lambda u, d, p, f: steps.dispute_archive(actor=u, dispute=d),
}
# Lazy: looked up per request, so each reads in that request's language.
DONE = {
    Action.ACCEPT: gettext_lazy("已受理。"),
    Action.DECLINE: gettext_lazy("已决定不予受理。"),
    Action.ASSIGN: gettext_lazy("已指派调解员。"),
    Action.INVESTIGATE: gettext_lazy("已开始调查。"),
    Action.SESSION: gettext_lazy("已记录调解会。"),
    Action.ASSESS: gettext_lazy("已记录第三方评估。"),
    Action.AGREE: gettext_lazy("已形成调解协议,请打印协议书给当事人签字。"),
    Action.SIGN: gettext_lazy("已保存签字协议。"),
    Action.FAIL: gettext_lazy("已记录调解不成。"),
    Action.WITHDRAW: gettext_lazy("已记录当事人撤回。"),
    Action.EXTEND: gettext_lazy("已延长期限。"),
    Action.FOLLOW_UP: gettext_lazy("已记录回访。"),
    Action.ARCHIVE: gettext_lazy("已归档。"),
}


@require_POST
@page_roles(*STEP_ROLES)
def act(request: HttpRequest, dispute_id: int, action: str) -> HttpResponse:
    user = actor(request)
    found = call_service(selectors.dispute_get, actor=user, dispute_id=dispute_id, purpose=PURPOSE)
    if not found.ok or found.value is None:
        assert found.error is not None
        return error_page(request, found.error)
    if action not in ACTIONS:
        messages.error(request, _("未知操作。"))
    else:
        outcome = call_service(
            ACTIONS[action], u=user, d=found.value, p=request.POST, f=request.FILES
        )
        if outcome.ok:
            messages.success(request, str(DONE[Action(action)]))
        else:
            messages.error(request, outcome.message)
    return redirect("mediation:dispute", dispute_id=dispute_id)


@page_roles(*DISPUTE_ROLES)
def agreement_file(request: HttpRequest, dispute_id: int) -> HttpResponse:
    user = actor(request)
    found = call_service(selectors.dispute_get, actor=user, dispute_id=dispute_id, purpose=PURPOSE)
    if not found.ok or found.value is None:
        assert found.error is not None
        return error_page(request, found.error)
    agreement = getattr(found.value, "agreement", None)
    if agreement is None:
        return render(
            request, "core/error.html", {"message": _("该纠纷还没有调解协议。")}, status=404
        )
    audit_record(actor=user, action=AuditAction.AGREEMENT_PDF, obj=found.value)
    response = HttpResponse(agreement_pdf(agreement), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="agreement-{found.value.number}.pdf"'
    return response


def _rates_query(request: HttpRequest) -> tuple[dt.date, dt.date, str]:
    start = _day(request.GET.get("start", ""), "start")
    end = _day(request.GET.get("end", ""), "end")
    by = request.GET.get("by", "community")
    start, end = selectors.rates_period(start, end, by)
    return start, end, by


@page_roles(*RATES_ROLES)
def rates(request: HttpRequest) -> HttpResponse:
    outcome = call_service(_rates_query, request=request)
    if outcome.ok and outcome.value is not None:
        start, end, by = outcome.value
    else:  # a bad date or grouping: say so, and show the default year by community
        messages.error(request, outcome.message)
        by = "community"
        start, end = selectors.rates_period(None, None, by)
    rows, total = selectors.mediation_rates(actor=actor(request), start=start, end=end, by=by)
    return render(
        request,
        "mediation/rates.html",
        {
            "rows": rows,
            "total": total,
            "by": by,
            "start": start,
            "end": end,
            "target": selectors.TARGET,
            "groups": [
                ("community", _("社区")),
                ("type", _("类型")),
                ("mediator", _("调解员")),
                ("month", _("月份")),
            ],
        },
    )
