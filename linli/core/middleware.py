from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
