"""Staff pages: the rewards catalogue, vouchers and hand-out points (LEDGER-2); the fund,
matching, projects, disbursements and community-economy income (LEDGER-3/4); the merchant's
核销 page. Every write is scoped to the communities the actor manages."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.models import User
from linli.core.access import page_roles
from linli.core.errors import NotFound
from linli.core.web import actor, call_service
from linli.geo.models import Community
from linli.geo.scope import Scope
from linli.ledger import programme_selectors as sel
from linli.ledger.forms import (
    AwardForm,
    CapForm,
    DisburseForm,
    DonationForm,
    IncomeForm,
    ProjectForm,
    RewardForm,
    VoucherUseForm,
    first_error,
)
from linli.ledger.models import Account, MatchingCap, Project, Reward, Voucher
from linli.ledger.policy import (
    APPROVERS,
    CAP_SETTERS,
    MANAGERS,
    MERCHANTS,
    can_set_matching_cap,
)
from linli.ledger.services.common import settings_for
from linli.ledger.services.funds import (
    can_decide,
    donation_record,
    matched_in_year,
    matching_cap_set,
    project_decide,
    project_disburse,
    project_propose,
)
from linli.ledger.services.points import (
    points_award_by_staff,
    reward_save,
    voucher_cancel,
    voucher_use,
)
from linli.ledger.services.sharing import economy_income_record
from linli.ledger.views import flash


def _community(request: HttpRequest, community_id: int | None = None) -> Community | None:
    raw = request.GET.get("community", "")
    wanted = community_id if community_id is not None else (int(raw) if raw.isdigit() else None)
    return sel.managed_community(actor(request), wanted)


def _to_funds(community: Community) -> HttpResponse:
    return redirect(f"{reverse('ledger:staff_funds')}?community={community.pk}")


def _to_points(community: Community) -> HttpResponse:
    return redirect(f"{reverse('ledger:staff_points')}?community={community.pk}")


def _key(request: HttpRequest) -> str | None:
    return request.POST.get("idempotency_key")


# ---------------------------------------------------------------- points


@page_roles(*MANAGERS)
def staff_points(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    community = _community(request)
    rewards = (
        list(Reward.objects.filter(community=community).select_related("merchant"))
        if community
        else []
    )
    vouchers = (
        list(sel.managed_vouchers(user).filter(reward__community=community)[:100])
        if community
        else []
    )
    context = {
        "community": community,
        "communities": sel.staff_communities(user),
        "rewards": rewards,
        "vouchers": vouchers,
        "reward_form": RewardForm(),
        "award_form": AwardForm(),
    }
    return render(request, "ledger/staff_points.html", context)


@require_POST
@page_roles(*MANAGERS)
def reward_new(request: HttpRequest, community_id: int) -> HttpResponse:
    return _reward_save(request, community_id, None)


@require_POST
@page_roles(*MANAGERS)
def reward_edit(request: HttpRequest, community_id: int, reward_id: int) -> HttpResponse:
    return _reward_save(request, community_id, reward_id)


def _reward_save(request: HttpRequest, community_id: int, reward_id: int | None) -> HttpResponse:
    user = actor(request)
    community = _community(request, community_id)
    assert community is not None
    reward = None
    if reward_id is not None:
        reward = Reward.objects.filter(pk=reward_id, community=community).first()
        if reward is None:
            raise NotFound(_("找不到该兑换物品。"))
    form = RewardForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return _to_points(community)
    data = form.cleaned_data
    flash(
        request,
        call_service(
            reward_save,
            actor=user,
            community=community,
            reward=reward,
            name=data["name"],
            description=data["description"],
            points_price=data["points_price"],
            stock=data["stock"],
            merchant=data["merchant"],
            active=data["active"],
        ),
        _("已保存:%(name)s。") % {"name": data["name"]},
    )
    return _to_points(community)


@require_POST
@page_roles(*MANAGERS)
def voucher_void(request: HttpRequest, voucher_id: int) -> HttpResponse:
    user = actor(request)
    found = sel.managed_vouchers(user).filter(pk=voucher_id).first()
    if found is None:
        raise NotFound(_("找不到该兑换券。"))
    flash(
        request,
        call_service(voucher_cancel, actor=user, voucher=found),
        _("已作废,%(points)s 分已退回%(name)s。")
        % {"points": found.points, "name": found.user.display_name},
    )
    return _to_points(found.reward.community)


@require_POST
@page_roles(*MANAGERS)
def award(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    form = AwardForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("ledger:staff_points")
    target = User.objects.filter(username=form.cleaned_data["username"].strip()).first()
    rule = form.cleaned_data["rule"]

    def run() -> Any:
        if target is None:
            raise NotFound(_("找不到该居民账号。"), field="username")
        return points_award_by_staff(
            actor=user,
            user=target,
            rule_code=rule.code,
            memo=form.cleaned_data["memo"],
            idempotency_key=_key(request),
        )

    flash(request, call_service(run), _("已发放「%(rule)s」积分。") % {"rule": rule.name})
    return redirect("ledger:staff_points")


# ---------------------------------------------------------------- merchant


@page_roles(*MERCHANTS)
def merchant(request: HttpRequest) -> HttpResponse:
    """核销: the partner types the code the resident shows and marks it used."""
    user = actor(request)
    form = VoucherUseForm(request.POST or None)
    used: Voucher | None = None
    error = ""
    if request.method == "POST":
        if form.is_valid():
            done = call_service(voucher_use, actor=user, code=form.cleaned_data["code"])
            used, error = done.value, done.message
            if done.ok:
                form = VoucherUseForm()
        else:
            error = first_error(form)
    context = {
        "form": form,
        "used": used,
        "error": error,
        "recent": list(sel.merchant_vouchers(user)[:30]),
    }
    return render(request, "ledger/merchant.html", context, status=400 if error else 200)


# ---------------------------------------------------------------- funds


@page_roles(*MANAGERS)
def staff_funds(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    community = _community(request)
    context: dict[str, Any] = {
        "community": community,
        "communities": sel.staff_communities(user),
    }
    if community is not None:
        projects = list(sel.projects_of(community))
        ledger_settings = settings_for(community)
        year = CapForm().initial["year"]
        cap = MatchingCap.objects.filter(community=community, year=year).first()
        context.update(
            {
                "funds": sel.published_funds(community, limit=20),
                "projects": [(p, can_decide(user, p)) for p in projects],
                "settings": ledger_settings,
                "public_pct": f"{ledger_settings.public_share_bp / 100:g}%",
                "year": year,
                "cap": cap,
                "matched": matched_in_year(community, year),
                "accounts": list(
                    Account.objects.filter(community=community).order_by("book", "key")
                ),
                "donation_form": DonationForm(),
                "cap_form": CapForm(),
                "project_form": ProjectForm(),
                "disburse_form": DisburseForm(),
                "income_form": IncomeForm(),
                "can_set_cap": can_set_matching_cap(user),
                "can_approve": user.role in APPROVERS,
            }
        )
    return render(request, "ledger/staff_funds.html", context)


def _form_post(
    request: HttpRequest, form: Any, community: Community, run: Any, success: str
) -> HttpResponse:
    if not form.is_valid():
        messages.error(request, first_error(form))
    else:
        flash(request, call_service(run, d=form.cleaned_data), success)
    return _to_funds(community)


@require_POST
@page_roles(*MANAGERS)
def donate(request: HttpRequest, community_id: int) -> HttpResponse:
    user = actor(request)
    community = _community(request, community_id)
    assert community is not None
    return _form_post(
        request,
        DonationForm(request.POST),
        community,
        lambda d: donation_record(
            actor=user,
            community=community,
            donor_name=d["donor_name"],
            donor_kind=d["donor_kind"],
            anonymous=d["anonymous"],
            amount=d["amount"],
            received_on=d["received_on"],
            idempotency_key=_key(request),
        ),
        _("已登记捐赠;如有政府配套额度,已同时配套。"),
    )


@require_POST
@page_roles(*CAP_SETTERS)
def set_cap(request: HttpRequest, community_id: int) -> HttpResponse:
    user = actor(request)
    community = _community(request, community_id)
    assert community is not None
    return _form_post(
        request,
        CapForm(request.POST),
        community,
        lambda d: matching_cap_set(actor=user, community=community, year=d["year"], cap=d["cap"]),
        _("已设置政府配套上限。"),
    )


@require_POST
@page_roles(*MANAGERS)
def project_new(request: HttpRequest, community_id: int) -> HttpResponse:
    user = actor(request)
    community = _community(request, community_id)
    assert community is not None
    return _form_post(
        request,
        ProjectForm(request.POST),
        community,
        lambda d: project_propose(
            actor=user,
            community=community,
            name=d["name"],
            description=d["description"],
            budget=d["budget"],
            idempotency_key=_key(request),
        ),
        _("项目已提交,等待审批。"),
    )


@require_POST
@page_roles(*MANAGERS)
def income(request: HttpRequest, community_id: int) -> HttpResponse:
    user = actor(request)
    community = _community(request, community_id)
    assert community is not None
    return _form_post(
        request,
        IncomeForm(request.POST),
        community,
        lambda d: economy_income_record(
            actor=user,
            community=community,
            source=d["source"],
            amount=d["amount"],
            idempotency_key=_key(request),
        ),
        _("已登记社区经济收入,公共基金份额已入账。"),
    )


def _project(request: HttpRequest, project_id: int) -> Project:
    found = (
        Project.objects.filter(
            pk=project_id, community__in=Scope.for_actor(actor(request)).managed_communities()
        )
        .select_related("community")
        .first()
    )
    if found is None:
        raise NotFound(_("找不到该项目。"))
    return found


@require_POST
@page_roles(*APPROVERS)
def decide(request: HttpRequest, project_id: int) -> HttpResponse:
    user = actor(request)
    project = _project(request, project_id)
    approve = request.POST.get("decision") == "approve"
    flash(
        request,
        call_service(project_decide, actor=user, project=project, approve=approve),
        _("已批准。") if approve else _("已驳回。"),
    )
    return _to_funds(project.community)


@require_POST
@page_roles(*MANAGERS)
def disburse(request: HttpRequest, project_id: int) -> HttpResponse:
    user = actor(request)
    project = _project(request, project_id)
    form = DisburseForm(request.POST)
    return _form_post(
        request,
        form,
        project.community,
        lambda d: project_disburse(
            actor=user,
            project=project,
            amount=d["amount"],
            memo=d["memo"],
            idempotency_key=_key(request),
        ),
        _("已拨付给「%(name)s」。") % {"name": project.name},
    )
