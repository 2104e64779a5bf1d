from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from linli.core import registry
from linli.core.access import page_roles, public_page
from linli.core.notifications.services import notification_mark_read


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
    notes = request.user.notifications.all()[:100]  # type: ignore[union-attr]
    return render(request, "core/inbox.html", {"notifications": notes})


@require_POST
@page_roles()
def inbox_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification_mark_read(user=request.user, notification_id=notification_id)
    return redirect("core:inbox")


@public_page
def set_language(request: HttpRequest) -> HttpResponse:
    return django_set_language(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)


def inbox_tile(user: Any) -> list[registry.Tile]:
    return [registry.Tile(_("我的消息"), _("办理进度与提醒"), reverse("core:inbox"), order=900)]
