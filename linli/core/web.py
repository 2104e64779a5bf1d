"""Web glue written once: the request's actor, the API's error responses, service calls
from pages. Every app's views and API operations use these instead of their own copies."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from linli.core.errors import ApplicationError
from linli.core.schemas import ErrorOut

T = TypeVar("T")

# The error responses an operation may document: `response={200: X, **API_ERRORS}`.
API_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
}


def api_errors(*statuses: int) -> dict[int, Any]:
    """A subset of the error responses, for operations that cannot return all of them."""
    return {s: ErrorOut for s in statuses}


def actor(request: HttpRequest) -> Any:
    """Who is acting: the API's authenticated user (bearer or session), else the session's."""
    auth = getattr(request, "auth", None)
    return auth if auth is not None else request.user


def error_page(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    """The service's message on the site's error page, with its status (403, 404 ...)."""
    return render(request, "core/error.html", {"message": exc.message}, status=exc.status)


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a page got from a service: its value, or the error it raised (nothing written)."""

    value: T | None = None
    error: ApplicationError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def message(self) -> str:
        return str(self.error.message) if self.error is not None else ""

    @property
    def field(self) -> str:
        return (self.error.field or "") if self.error is not None else ""

    @property
    def fatal(self) -> bool:
        """Not found or not allowed: show the error page rather than the form again."""
        return self.error is not None and self.error.status in (401, 403, 404)


def call_service(service: Callable[..., T], /, **kwargs: Any) -> Outcome[T]:
    """Call a service for a page; an ApplicationError becomes the page's message."""
    try:
        return Outcome(value=service(**kwargs))
    except ApplicationError as exc:
        return Outcome(error=exc)
