from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from linli.core import registry
from linli.core.access import page_roles, public_page
from linli.core.notifications.services import (
    notification_mark_read,
    notification_open,
    notifications_mark_all_read,
)


@public_page
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    return role_home(request)


@page_roles()
def role_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {"tiles": registry.tiles_for(user), **registry.home_context_for(user)}
    return render(request, "core/home.html", context)


@page_roles()
def inbox(request: HttpRequest) -> HttpResponse:
    """Messages grouped by what they are about (one case, one alert): the newest of each
    group leads, the earlier ones fold under it."""
    notes = list(request.user.notifications.all()[:200])  # type: ignore[union-attr]
    groups: dict[str, list[Any]] = {}
    for n in notes:
        groups.setdefault(n.url or f"#{n.pk}", []).append(n)
    threads = [
        {"latest": items[0], "earlier": items[1:], "unread": sum(not i.read_at for i in items)}
        for items in groups.values()
    ]
    unread = sum(t["unread"] for t in threads)
    return render(request, "core/inbox.html", {"threads": threads, "unread": unread})


@page_roles()
def inbox_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Opening a message reads it (and the earlier ones about the same thing) and goes to
    what it is about. Only paths on this site: a stored URL never sends anyone elsewhere."""
    note = notification_open(user=request.user, notification_id=notification_id)
    if note is None:
        raise Http404
    url = note.url if url_has_allowed_host_and_scheme(note.url, allowed_hosts=None) else ""
    return redirect(url or "core:inbox")


@require_POST
@page_roles()
def inbox_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification_mark_read(user=request.user, notification_id=notification_id)
    return redirect("core:inbox")


@require_POST
@page_roles()
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_all_read(user=request.user)
    return redirect("core:inbox")


@public_page
def set_language(request: HttpRequest) -> HttpResponse:
    return django_set_language(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)


def inbox_tile(user: Any) -> list[registry.Tile]:
    return [registry.Tile(_("我的消息"), _("办理进度与提醒"), reverse("core:inbox"), order=900)]
