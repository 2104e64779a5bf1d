from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

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
        from django.shortcuts import render

        from linli.core.errors import ApplicationError

        if not isinstance(exception, ApplicationError):
            return None
        return render(
            request, "core/error.html", {"message": exception.message}, status=exception.status
        )
