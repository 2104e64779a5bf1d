"""The public fund page (no login, LEDGER-3) and the sharing platform (LEDGER-4)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.access import page_roles, public_page
from linli.core.errors import NotFound
from linli.core.replica import lag_tolerant
from linli.core.web import actor, call_service
from linli.geo.models import Community
from linli.ledger import programme_selectors as sel
from linli.ledger.choices import Book, format_amount
from linli.ledger.forms import RentForm, ShareItemForm, first_error
from linli.ledger.models import Rental, ShareItem
from linli.ledger.policy import MEMBERS
from linli.ledger.services.common import community_of_user, settings_for
from linli.ledger.services.sharing import (
    items_visible_to,
    rental_record,
    share_item_create,
    share_item_set_active,
)
from linli.ledger.views import flash


@public_page
@lag_tolerant
def public_funds(request: HttpRequest) -> HttpResponse:
    return render(request, "ledger/public_funds.html", {"rows": sel.public_communities()})


@public_page
@lag_tolerant
def public_fund(request: HttpRequest, community_id: int) -> HttpResponse:
    community = get_object_or_404(Community.objects.select_related("street"), pk=community_id)
    funds = sel.published_funds(community)
    return render(request, "ledger/public_fund.html", {"community": community, "funds": funds})


# ---------------------------------------------------------------- sharing


@page_roles(*MEMBERS)
def share(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    community = community_of_user(user)
    items = list(
        items_visible_to(user).filter(active=True).exclude(owner_id=user.pk).select_related("owner")
    )
    mine = list(ShareItem.objects.filter(owner_id=user.pk).order_by("-pk"))
    rentals = list(
        Rental.objects.filter(renter_id=user.pk).select_related("item").order_by("-pk")[:20]
    )
    account = sel.own_account(user, Book.MONEY)
    rate = settings_for(community).commission_bp if community else 500
    context = {
        "community": community,
        "items": items,
        "mine": mine,
        "rentals": rentals,
        "income": format_amount(Book.MONEY, account.balance if account else 0),
        "account": account,
        "rate": f"{rate / 100:g}%",
        "item_form": ShareItemForm(),
        "rent_form": RentForm(),
    }
    return render(request, "ledger/share.html", context)


@require_POST
@page_roles(*MEMBERS)
def share_new(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    form = ShareItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
    else:
        d = form.cleaned_data
        flash(
            request,
            call_service(
                share_item_create,
                actor=user,
                kind=d["kind"],
                title=d["title"],
                description=d["description"],
                price=d["price"],
            ),
            _("已发布:%(title)s。") % {"title": d["title"]},
        )
    return redirect("ledger:share")


@require_POST
@page_roles(*MEMBERS)
def share_toggle(request: HttpRequest, item_id: int) -> HttpResponse:
    user = actor(request)
    item = ShareItem.objects.filter(pk=item_id, owner_id=user.pk).first()
    if item is None:
        raise NotFound(_("找不到该物品。"))
    active = request.POST.get("active") == "1"
    flash(
        request,
        call_service(share_item_set_active, actor=user, item=item, active=active),
        _("已重新上架。") if active else _("已暂停出租。"),
    )
    return redirect("ledger:share")


@require_POST
@page_roles(*MEMBERS)
def rent(request: HttpRequest, item_id: int) -> HttpResponse:
    user = actor(request)
    item = items_visible_to(user).filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("找不到该物品。"))
    form = RentForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("ledger:share")
    days = form.cleaned_data["days"]
    flash(
        request,
        call_service(
            rental_record,
            actor=user,
            item=item,
            days=days,
            idempotency_key=request.POST.get("idempotency_key"),
        ),
        _("已登记租用「%(title)s」%(days)s 天,请线下把租金付给物主。")
        % {"title": item.title, "days": days},
    )
    return redirect("ledger:share")
