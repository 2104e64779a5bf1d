"""The one NinjaAPI. Every operation declares its callers with `api_roles(...)`."""

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from linli.core.errors import ApplicationError
from linli.core.middleware import FORM_TYPES

logger = logging.getLogger("linli.api")

api = NinjaAPI(
    title="Linli 邻里 API",
    version="1",
    description="邻里社区治理平台接口。浏览器用会话登录;机器客户端用 Bearer 令牌。",
    urls_namespace="api",
)


def _error(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    return api.create_response(request, {"error": body}, status=status)


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return _error(request, exc.status, exc.as_dict())


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        details.append({"field": ".".join(loc), "message": str(err.get("msg", ""))})
    first = details[0]["field"] if details else None
    body: dict[str, Any] = {"code": "invalid", "message": _("提交的数据有误,请检查后重试。")}
    if first:
        body["field"] = first
    body["details"] = details
    return _error(request, 400, body)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, {"code": "not_authenticated", "message": _("请先登录。")})


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and exc.__cause__ is not None:  # the body did not parse
        if request.content_type in FORM_TYPES:
            return _not_json(request)
        message = _("提交的内容不是有效的 JSON。")
        return _error(request, 400, {"code": "invalid_json", "message": message})
    code = "forbidden" if exc.status_code == 403 else "error"
    message = _("安全校验失败,请刷新页面后重试。") if exc.status_code == 403 else str(exc.message)
    return _error(request, exc.status_code, {"code": code, "message": message})


def _not_json(request: HttpRequest) -> HttpResponse:
    message = _("请以 JSON 格式提交(Content-Type: application/json)。")
    return _error(request, 415, {"code": "unsupported_media_type", "message": message})


@api.exception_handler(RawPostDataException)
def on_form_body(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
    # A multipart body sent to an operation that reads JSON (the form was parsed first).
    return _not_json(request)


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A defect: logged with its traceback (never the body), answered in the API's shape."""
    logger.exception("API error on %s %s", request.method, request.path)
    message = _("服务器出错了,请稍后再试;问题已记录。")
    return _error(request, 500, {"code": "server_error", "message": message})


api.add_router("/accounts", "linli.accounts.api.router")
api.add_router("/geo", "linli.geo.api.router")
api.add_router("/core", "linli.core.api.router")
api.add_router("/people", "linli.people.api.router")
api.add_router("/care", "linli.care.api.router")
api.add_router("/cases", "linli.casework.api.router")
api.add_router("/ledger", "linli.ledger.api.router")
api.add_router("/mediation", "linli.mediation.api.router")
api.add_router("/deliberation", "linli.deliberation.api.router")
api.add_router("/matching", "linli.matching.api.router")
api.add_router("/evaluation", "linli.evaluation.api.router")
api.add_router("/station", "linli.station.api.router")
api.add_router("/fieldwork", "linli.fieldwork.api.router")
