from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from linli.accounts.choices import GRID_MAP_ROLES, Role
from linli.accounts.models import User
from linli.accounts.services import user_set_elder_mode
from linli.care.views import home_tiles as care_tiles
from linli.casework.api_whistle import BOARD as WHISTLE_BOARD_ROLES
from linli.casework.permissions import INTAKE_ROLES
from linli.casework.views import STAFF_VIEW_ROLES as CASE_QUEUE_ROLES
from linli.core.access import page_roles, public_page
from linli.core.middleware import ELDER_COOKIE
from linli.core.notifications.services import notification_mark_read
from linli.geo.selectors import user_places
from linli.people.selectors import GRANT_ROLES
from linli.people.views import LIST_ROLES as PEOPLE_LIST_ROLES
from linli.people.views_audit import home_tiles as audit_tiles
from linli.people.views_rights import home_tiles as people_rights_tiles


def _tiles(user: Any) -> list[dict[str, Any]]:
    tiles = []
    if user.role in (Role.RESIDENT, Role.FAMILY, Role.VOLUNTEER):
        tiles.append(
            {
                "title": _("我要反映"),
                "hint": _("拍照、选位置、说一句话"),
                "url": reverse("casework:report"),
            }
        )
        tiles.append(
            {
                "title": _("我的诉求"),
                "hint": _("查看办理进度、评价"),
                "url": reverse("casework:mine"),
            }
        )
    if user.role in (*INTAKE_ROLES, Role.SYSADMIN):
        tiles.append(
            {
                "title": _("代办登记"),
                "hint": _("窗口、热线、意见箱"),
                "url": reverse("casework:staff_report"),
            }
        )
    if user.role in CASE_QUEUE_ROLES:
        tiles.append(
            {
                "title": _("诉求工作台"),
                "hint": _("待办、派遣、处置、超期"),
                "url": reverse("casework:queue"),
            }
        )
    if user.role in WHISTLE_BOARD_ROLES:
        tiles.append(
            {
                "title": _("吹哨报到"),
                "hint": _("被叫部门报到与逾期"),
                "url": reverse("casework:whistles"),
            }
        )
    if user.role in PEOPLE_LIST_ROLES:
        tiles.append(
            {
                "title": _("居民档案"),
                "hint": _("一人一档,查看需留痕"),
                "url": reverse("people:list"),
            }
        )
    if user.role in GRANT_ROLES:
        deciding = user.role in (Role.SECRETARY, Role.STREET_ADMIN)
        tiles.append(
            {
                "title": _("数据访问审批") if deciding else _("我的查看申请"),
                "hint": _("敏感信息须说明用途、经批准"),
                "url": reverse("people:grants"),
            }
        )
    tiles.extend(people_rights_tiles(user))
    tiles.extend(care_tiles(user))
    tiles.extend(audit_tiles(user))
    tiles.append(
        {"title": _("我的消息"), "hint": _("办理进度与提醒"), "url": reverse("core:inbox")}
    )
    if user.role in GRID_MAP_ROLES:
        tiles.append(
            {"title": _("网格地图"), "hint": _("社区、网格与网格员"), "url": reverse("geo:map")}
        )
    if user.role == Role.SYSADMIN:
        tiles.append(
            {
                "title": _("系统管理"),
                "hint": _("分类、责任清单、账号"),
                "url": reverse("admin:index"),
            }
        )
    if user.role in (Role.SYSADMIN, Role.STREET_ADMIN, Role.SUPERVISOR):
        tiles.append(
            {"title": _("接口文档"), "hint": "OpenAPI", "url": reverse("api:openapi-view")}
        )
    return tiles


def _safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or fallback
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@public_page
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    return role_home(request)


@page_roles()
def role_home(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    memberships = [
        {"place": str(m.grid or m.community or m.street or m.department or "")}
        for m in user.memberships.select_related("grid", "community", "street", "department")
    ]
    context = {"tiles": _tiles(user), "memberships": memberships, **user_places(user=user)}
    return render(request, "core/home.html", context)


@page_roles()
def inbox(request: HttpRequest) -> HttpResponse:
    notes = cast(User, request.user).notifications.all()[:100]
    return render(request, "core/inbox.html", {"notifications": notes})


@require_POST
@page_roles()
def inbox_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification_mark_read(user=request.user, notification_id=notification_id)
    return redirect("core:inbox")


@require_POST
@public_page
def elder_mode(request: HttpRequest) -> HttpResponse:
    enabled = request.POST.get("enabled") == "1"
    response = HttpResponseRedirect(_safe_next(request))
    if request.user.is_authenticated:
        user_set_elder_mode(user=request.user, enabled=enabled)  # type: ignore[arg-type]
    response.set_cookie(
        ELDER_COOKIE, "1" if enabled else "0", max_age=365 * 24 * 3600, samesite="Lax"
    )
    return response


@public_page
def set_language(request: HttpRequest) -> HttpResponse:
    return django_set_language(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
