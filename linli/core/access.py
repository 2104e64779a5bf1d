"""Who may call what, declared where the route is (pages and API alike).

Pages: `@page_roles(Role.X, ...)` or `@public_page`. API operations: `auth=api_roles(...)`
or `auth=None` together with `@public_api`. Tests walk every route and check the declaration.
"""

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from ninja.security import APIKeyCookie
from ninja.security.base import AuthBase

from linli.core.errors import PermissionDenied
from linli.core.registry import authenticate_token
from linli.core.roles import ALL_ROLES, Role

F = TypeVar("F", bound=Callable[..., Any])
PUBLIC = "public"
WRONG_ROLE_MESSAGE = gettext_lazy("您的账号没有使用此功能的权限。")


def has_role(user: Any, roles: Iterable[str]) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in set(roles))


def page_roles(*roles: Role) -> Callable[[F], F]:
    allowed = frozenset(roles) or ALL_ROLES

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, allowed):
                return render(
                    request, "core/error.html", {"message": WRONG_ROLE_MESSAGE}, status=403
                )
            response: HttpResponse = view(request, *args, **kwargs)
            return response

        wrapper.linli_access = allowed  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def public_page(view: F) -> F:
    view.linli_access = PUBLIC  # type: ignore[attr-defined]
    return view


def public_api(view: F) -> F:
    view.linli_access = PUBLIC  # type: ignore[attr-defined]
    return view


class _RoleCheck:
    roles: frozenset[str]

    def check(self, user: Any) -> Any:
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if user.role not in self.roles:
            raise PermissionDenied(str(WRONG_ROLE_MESSAGE))
        return user


class SessionRoleAuth(_RoleCheck, APIKeyCookie):
    """The browser's Django session (with CSRF on unsafe methods)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self, roles: frozenset[str]) -> None:
        self.roles = roles
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return self.check(request.user)


class BearerRoleAuth(_RoleCheck, AuthBase):
    """`Authorization: Bearer <token>` for machine clients. Never logs the header."""

    openapi_type = "http"
    openapi_scheme = "bearer"

    def __init__(self, roles: frozenset[str]) -> None:
        self.roles = roles
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return None
        user = authenticate_token(key.strip())
        if user is not None:
            request.user = user
        return self.check(user)


def api_roles(*roles: Role) -> list[AuthBase]:
    allowed = frozenset(roles) or ALL_ROLES
    return [BearerRoleAuth(allowed), SessionRoleAuth(allowed)]


def declared_roles(auth_callbacks: Iterable[Any]) -> frozenset[str] | None:
    for cb in auth_callbacks:
        roles = getattr(cb, "roles", None)
        if roles is not None:
            return frozenset(roles)
    return None
