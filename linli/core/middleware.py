import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _

from linli.core import registry
from linli.core.errors import ApplicationError
from linli.core.text import (
    body_may_hold_bad_chars,
    first_bad_text,
    has_bad_chars,
)

ELDER_COOKIE = "linli_elder"


class ElderModeMiddleware:
    """Elder mode (PLAT-2) follows the account, or a cookie before login."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            request.elder_mode = bool(getattr(user, "elder_mode", False))  # type: ignore[attr-defined]
        else:
            request.elder_mode = request.COOKIES.get(ELDER_COOKIE) == "1"  # type: ignore[attr-defined]
        return self.get_response(request)


class ChineseFirstLocaleMiddleware:
    """zh-hans unless the user chose another language (cookie); the browser's
    Accept-Language is ignored so a phone set to English still opens in Chinese (PLAT-1)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        # Only for this request: the thread's language is restored after it, so nothing that
        # runs next in the thread (a test, a task) inherits the visitor's choice.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class ApplicationErrorPageMiddleware:
    """Pages show an ApplicationError's message (in Chinese) with its status, like the API
    does in JSON; a NotFound from a selector becomes a plain 404 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError):
            return None
        return render(
            request, "core/error.html", {"message": exception.message}, status=exception.status
        )


API_PREFIX = "/api/"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    """A refusal in the caller's language: `{"error": ...}` on the API, the error page on
    pages, or the format of an app that registered its own (Open311)."""
    for renderer in registry.error_renderers:
        response = renderer(request, status, body)
        if response is not None:
            return response
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse(
            {"error": body}, status=status, json_dumps_params={"ensure_ascii": False}
        )
    return render(request, "core/error.html", {"message": body["message"]}, status=status)


class InputGuardMiddleware:
    """Input nothing in the platform can store is refused once, here, before any view: NUL
    and lone surrogates in the path, the query, a JSON or a form body (PLAT-4). A body over
    the size limit, or a malformed form, gets the same structured answer instead of Django's
    HTML 400."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            field = _bad_field(request)
        except RequestDataTooBig:
            return refuse(request, 413, {"code": "too_large", "message": _("提交的内容太大。")})
        except (SuspiciousOperation, MultiPartParserError):
            return refuse(request, 400, {"code": "invalid", "message": _("提交的内容格式有误。")})
        if field is not None:
            message = _("提交的内容含有无法识别的字符,请删除后重试。")
            return refuse(
                request, 400, {"code": "bad_characters", "message": message, "field": field}
            )
        return self.get_response(request)


def _bad_field(request: HttpRequest) -> str | None:
    if has_bad_chars(request.path_info):
        return "path"
    for key, values in request.GET.lists():
        if has_bad_chars(key) or any(has_bad_chars(v) for v in values):
            return key
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None
    content_type = request.content_type or ""
    if content_type in FORM_TYPES:
        for key, values in request.POST.lists():
            if has_bad_chars(key) or any(has_bad_chars(v) for v in values):
                return key
        return None
    body = request.body  # raises RequestDataTooBig over DATA_UPLOAD_MAX_MEMORY_SIZE
    if not body_may_hold_bad_chars(body):
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return "body" if b"\x00" in body else None  # malformed JSON is the parser's to report
    return first_bad_text(data)


class PrivateByDefaultMiddleware:
    """A response made for someone signed in (session or bearer token) is theirs alone:
    `Cache-Control: private, no-store` unless the view said otherwise, so a resident's record
    never waits in a shared or back-button cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if (signed_in or "Authorization" in request.headers) and (
            "Cache-Control" not in response.headers
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response
