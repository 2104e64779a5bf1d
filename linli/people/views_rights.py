"""Pages for residents' rights (PEOPLE-7) and privacy choices (PEOPLE-6): my data, its export,
correction requests and their handling by community workers, consent, privacy, family view.
Elderly people use these: one thing per page, big buttons, plain words."""

import json
from typing import Any

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from linli.core.access import page_roles
from linli.core.errors import ApplicationError
from linli.core.roles import Role
from linli.core.web import actor, error_page
from linli.people.choices import FIELDS, Ability, Audience, CorrectionStatus, Sex
from linli.people.policy import HANDLER_ROLES
from linli.people.services import rights
from linli.people.services.rights_data import export_dict, my_data, my_export, own_record
from linli.people.services.rights_history import ACTION_LABELS, OTHER_ACTION

# Words the rights services hand to the pages untranslated (services/rights_history.py: what
# was done, by whom, why), translated there with {% translate value %}. The field labels are
# marked in views.py.
PAGE_WORDS = (
    *ACTION_LABELS.values(),
    OTHER_ACTION,
    gettext_noop("系统"),
    gettext_noop("已注销的账号"),
    gettext_noop("查看居民名单"),
    gettext_noop("家属查看"),
)


@page_roles(Role.RESIDENT)
def me(request: HttpRequest) -> HttpResponse:
    try:
        data = my_data(actor=actor(request))
    except ApplicationError as exc:
        return render(request, "people/me_none.html", {"message": exc.message}, status=404)
    return render(request, "people/me.html", {"d": data, "optional": rights.OPTIONAL_FIELDS})


@page_roles(Role.RESIDENT)
def me_export(request: HttpRequest) -> HttpResponse:
    try:
        data = my_export(actor=actor(request), fmt="page")
    except ApplicationError as exc:
        return error_page(request, exc)
    return render(request, "people/me_export.html", {"d": data, "now": timezone.now()})


@page_roles(Role.RESIDENT)
def me_export_json(request: HttpRequest) -> HttpResponse:
    try:
        data = my_export(actor=actor(request), fmt="json")
    except ApplicationError as exc:
        return error_page(request, exc)
    body = {"exported_at": timezone.now().isoformat(), **export_dict(data)}
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder),
        content_type="application/json; charset=utf-8",
    )
    # A fixed name: no personal data in the file name or the URL.
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="linli-my-data-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@page_roles(Role.RESIDENT)
def me_correction(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    try:
        own_record(actor=user)
    except ApplicationError as exc:
        return error_page(request, exc)
    error, error_field = "", ""
    if request.method == "POST":
        try:
            rights.correction_request(
                actor=user,
                field=request.POST.get("field", ""),
                message=request.POST.get("message", ""),
            )
        except ApplicationError as exc:
            error, error_field = exc.message, exc.field or ""
        else:
            messages.success(request, _("更正申请已提交,社区工作人员处理后会通知您。"))
            return redirect("people:me")
    chosen = request.POST.get("field") or request.GET.get("field", "")
    context = {
        "choices": [(f, _(FIELDS[f][1])) for f in rights.CORRECTABLE],
        "chosen": chosen if chosen in rights.CORRECTABLE else "",
        "message": request.POST.get("message", ""),
        "error": error,
        "error_field": error_field,
    }
    return render(request, "people/me_correction.html", context, status=400 if error else 200)


@page_roles(Role.RESIDENT)
def me_withdraw(request: HttpRequest) -> HttpResponse:
    """One warning step, then the optional data is erased."""
    user = actor(request)
    try:
        resident = own_record(actor=user)
    except ApplicationError as exc:
        return error_page(request, exc)
    error = ""
    if request.method == "POST":
        try:
            rights.consent_withdraw(actor=user)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("已撤回同意,您自愿提供的信息已删除。"))
            return redirect("people:me")
    context = {
        "resident": resident,
        "optional": [(_(FIELDS[n][1]), getattr(resident, n)) for n in rights.OPTIONAL_FIELDS],
        "contacts": resident.contacts.filter(optional=True),
        "error": error,
    }
    return render(request, "people/me_withdraw.html", context, status=400 if error else 200)


@page_roles(Role.RESIDENT)
def me_optional(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    try:
        resident = own_record(actor=user)
    except ApplicationError as exc:
        return error_page(request, exc)
    error, error_field = "", ""
    values = {n: getattr(resident, n) for n in rights.OPTIONAL_FIELDS}
    if request.method == "POST":
        values = {n: request.POST.get(n, "") for n in rights.OPTIONAL_FIELDS}
        try:
            rights.optional_data_give(actor=user, **values)
        except ApplicationError as exc:
            error, error_field = exc.message, exc.field or ""
        else:
            messages.success(request, _("已保存。您可以随时撤回同意并删除这些信息。"))
            return redirect("people:me")
    context = {"values": values, "error": error, "error_field": error_field}
    return render(request, "people/me_optional.html", context, status=400 if error else 200)


@page_roles(Role.RESIDENT)
def me_privacy(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    try:
        resident = own_record(actor=user)
    except ApplicationError as exc:
        return error_page(request, exc)
    error = ""
    chosen = {"alerts": resident.alerts_audience, "optional": resident.optional_audience}
    if request.method == "POST":
        chosen = {
            "alerts": request.POST.get("alerts_audience", ""),
            "optional": request.POST.get("optional_audience", ""),
        }
        try:
            rights.privacy_set(
                actor=user, alerts_audience=chosen["alerts"], optional_audience=chosen["optional"]
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("隐私设置已保存。"))
            return redirect("people:me")
    context = {"chosen": chosen, "audiences": Audience.choices, "error": error}
    return render(request, "people/me_privacy.html", context, status=400 if error else 200)


# ---- Community workers: the correction task list ----------------------------------------


def _value_kind(name: str) -> dict[str, Any]:
    """How the worker enters a corrected value: a choice, a year or text."""
    if name == "sex":
        return {"kind": "select", "options": Sex.choices}
    if name == "ability":
        return {"kind": "select", "options": Ability.choices}
    if name == "birth_year":
        return {"kind": "year"}
    return {"kind": "text"}


@page_roles(*HANDLER_ROLES)
def corrections(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    qs = rights.corrections_to_handle(actor=user)
    open_ = list(qs.filter(status=CorrectionStatus.OPEN).order_by("created_at", "pk")[:100])
    rights.corrections_listed(actor=user, rows=open_)
    items = [
        {
            "c": c,
            "label": FIELDS.get(c.field, ("", c.field))[1],
            "applicable": c.field in rights.APPLICABLE,
            "clearable": c.field not in rights.NOT_CLEARABLE,
            **_value_kind(c.field),
        }
        for c in open_
    ]
    handled = [
        (c, FIELDS.get(c.field, ("", c.field))[1])
        for c in qs.exclude(status=CorrectionStatus.OPEN).order_by("-handled_at")[:20]
    ]
    context = {"items": items, "handled": handled}
    return render(request, "people/corrections.html", context)


@require_POST
@page_roles(*HANDLER_ROLES)
def correction_act(request: HttpRequest, correction_id: int, action: str) -> HttpResponse:
    user = actor(request)
    try:
        if action == "apply":
            rights.correction_apply(
                actor=user,
                correction_id=correction_id,
                value=request.POST.get("value", ""),
                clear=request.POST.get("clear") == "1",
                reply=request.POST.get("reply", ""),
            )
            messages.success(request, _("已更正,并已通知居民。"))
        elif action == "refuse":
            rights.correction_refuse(
                actor=user, correction_id=correction_id, reply=request.POST.get("reply", "")
            )
            messages.success(request, _("已答复居民。"))
        else:
            return render(request, "core/error.html", {"message": _("没有这个操作。")}, status=404)
    except ApplicationError as exc:
        if exc.status == 404:
            return error_page(request, exc)
        messages.error(request, exc.message)
    return redirect("people:corrections")


# ---- Family ---------------------------------------------------------------------------


@page_roles(Role.FAMILY)
def family(request: HttpRequest) -> HttpResponse:
    relatives = rights.family_relatives(actor=actor(request))
    return render(
        request,
        "people/family.html",
        {"relatives": relatives},
    )
