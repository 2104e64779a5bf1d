"""GeoReport v2 routes (https://wiki.open311.org/GeoReport_v2). Every route ends in
.xml or .json; errors come back as the spec's error list with status 403 (api_key),
404 (unknown service, request or format) or 400 (anything else)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from linli.casework.open311 import catalog, reports
from linli.casework.open311.keys import open311_key_user
from linli.casework.open311.render import FORMATS, XML, error, respond
from linli.core.access import public_page
from linli.core.errors import ApplicationError, PermissionDenied
from linli.core.replica import lag_tolerant

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-24T00:00:00+08:00"  # when this API last changed shape
CONTACT = "邻里平台管理员(街道办事处)"
KEY_SERVICE = "提交诉求需要 api_key,请向平台管理员申请。"
UNKNOWN_FORMAT = "不支持的格式,请使用 .xml 或 .json。"
MISSING_KEY = "缺少 api_key,不能提交诉求。"
BAD_KEY = "api_key 无效或已吊销,不能提交诉求。"

View = Callable[..., HttpResponse]


def endpoint(*methods: str) -> Callable[[View], View]:
    """Checks the format suffix and the method, and turns ApplicationError into the
    spec's error list."""
    allowed = {*methods, "HEAD"} if "GET" in methods else set(methods)

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if fmt not in FORMATS:
                return error(XML, 404, UNKNOWN_FORMAT)
            if request.method not in allowed:
                response = error(fmt, 405, f"此地址只接受 {', '.join(sorted(allowed))} 请求。")
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                # Machine-read data: Chinese labels whatever language cookie a browser sends.
                with translation.override(settings.LANGUAGE_CODE):
                    return view(request, *args, fmt=fmt, **kwargs)
            except ApplicationError as exc:
                status = exc.status if exc.status in (403, 404) else 400
                return error(fmt, status, str(exc.message))

        return wrapper

    return decorate


@public_page
@lag_tolerant
@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("./").rstrip("/")  # …/open311/v2
    return respond(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": getattr(settings, "OPEN311_CONTACT", CONTACT),
            "key_service": getattr(settings, "OPEN311_KEY_SERVICE", KEY_SERVICE),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": base,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@public_page
@lag_tolerant
@endpoint("GET")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    entries = [catalog.service_entry(c) for c in catalog.active_services()]
    return respond(fmt, "services", entries)


@public_page
@lag_tolerant
@endpoint("GET")
def service_definition(request: HttpRequest, service_code: str, fmt: str) -> HttpResponse:
    category = catalog.service_get(service_code)
    return respond(fmt, "service_definition", catalog.service_definition(category))


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    key = request.POST.get("api_key", "").strip()
    if not key:
        raise PermissionDenied(MISSING_KEY)
    actor = open311_key_user(key=key)
    if actor is None:
        raise PermissionDenied(BAD_KEY)
    submitted = reports.open311_request_submit(actor=actor, form=request.POST)
    # realtime: the id at once, so no token; account_id is not returned.
    entry = {
        "service_request_id": submitted.case.tracking_no,
        "service_notice": submitted.service_notice,
    }
    return respond(fmt, "service_requests", [entry])


@public_page
@csrf_exempt  # POST is authenticated by api_key, not by a browser session
@lag_tolerant
@endpoint("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    cases = reports.requests_search(request.GET)
    return respond(fmt, "service_requests", [reports.request_entry(request, c) for c in cases])


@public_page
@lag_tolerant
@endpoint("GET")
def request_detail(request: HttpRequest, service_request_id: str, fmt: str) -> HttpResponse:
    case = reports.public_case(service_request_id)
    return respond(fmt, "service_requests", [reports.request_entry(request, case)])


@public_page
@lag_tolerant
@endpoint("GET")
def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    """Requests are created in real time, so a token is simply the tracking number."""
    case = reports.public_case(token)
    entry = {"service_request_id": case.tracking_no, "token": token}
    return respond(fmt, "service_requests", [entry])
