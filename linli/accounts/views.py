from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.services import user_login_attempt, user_set_elder_mode
from linli.accounts.sms_login import login_code_send, login_code_verify
from linli.core.access import public_page
from linli.core.errors import ApplicationError
from linli.core.middleware import ELDER_COOKIE


@public_page
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    context = {"next": next_url, "username": "", "error": ""}
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        password = request.POST.get("password", "")
        context["username"] = username
        if not username or not password:
            context["error"] = _("请输入用户名和密码。")
            return render(request, "accounts/login.html", context, status=400)
        try:
            user = user_login_attempt(request=request, username=username, password=password)
        except ApplicationError as exc:
            context["error"] = exc.message
            return render(request, "accounts/login.html", context, status=exc.status)
        login(request, user)
        return redirect(next_url)
    return render(request, "accounts/login.html", context)


@public_page
def login_sms(request: HttpRequest) -> HttpResponse:
    """Phone number, then the code from the SMS: two fields, no password (PLAT-2)."""
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    phone = request.POST.get("phone", "").strip()
    context = {"next": next_url, "phone": phone, "error": "", "sent": False}
    if request.method != "POST":
        return render(request, "accounts/login_sms.html", context)
    try:
        if "send" in request.POST:
            login_code_send(phone=phone)
            context["sent"] = True
            return render(request, "accounts/login_sms.html", context)
        user = login_code_verify(phone=phone, code=request.POST.get("code", ""))
    except ApplicationError as exc:
        context["error"] = exc.message
        context["sent"] = getattr(exc, "field", "") == "code"
        return render(request, "accounts/login_sms.html", context, status=exc.status)
    login(request, user)
    return redirect(next_url)


@require_POST
@public_page
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


def _safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or fallback
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


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
