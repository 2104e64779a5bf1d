"""Enumerate every page and API route with the roles it declares (for the access tests)."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from linli.api import api
from linli.core.access import PUBLIC, declared_roles
from linli.core.roles import ALL_ROLES

SKIP_PREFIXES = ("admin/", "api/", "static/", "media/")


@dataclass(frozen=True)
class Route:
    kind: str  # "page" | "api"
    url: str
    method: str
    access: frozenset[str] | str | None  # roles, PUBLIC, or None when undeclared

    @property
    def wrong_roles(self) -> list[str]:
        if not isinstance(self.access, frozenset):
            return []
        return sorted(ALL_ROLES - self.access)

    @property
    def right_role(self) -> str | None:
        return sorted(self.access)[0] if isinstance(self.access, frozenset) else None


def _fill(pattern: str) -> str:
    pattern = re.sub(r"<int:\w+>", "1", pattern)
    pattern = re.sub(r"<(?:str|slug):\w+>", "x", pattern)
    pattern = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000001", pattern)
    return "/" + pattern.replace("^", "").replace("$", "")


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def page_routes() -> list[Route]:
    routes = []
    for pattern, callback in _walk(get_resolver().url_patterns):
        if pattern.startswith(SKIP_PREFIXES):
            continue
        access = getattr(callback, "linli_access", None)
        routes.append(Route("page", _fill(pattern), "GET", access))
    return routes


def api_routes() -> list[Route]:
    routes = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                url = "/api/" + (prefix + path).strip("/").replace("//", "/")
                url = re.sub(r"\{\w+(?::\w+)?\}", "1", url)
                if op.auth_callbacks:
                    access: frozenset[str] | str | None = declared_roles(op.auth_callbacks)
                    # Machine callers that are not users (care gateways) name themselves.
                    access = access or getattr(op.auth_callbacks[0], "linli_access", None)
                elif getattr(op.view_func, "linli_access", None) == PUBLIC:
                    access = PUBLIC
                else:
                    access = None
                for method in op.methods:
                    routes.append(Route("api", url, method, access))
    return routes
