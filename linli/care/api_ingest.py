"""The gateway's HTTP batch endpoint (CARE-2): POST /api/care/readings.

Gateways are machines, not users: they authenticate with `Authorization: Bearer gw_…`, the
token `gateway_create` showed once. A browser session, a user's API token or no token at all
gets 401. The route declares its callers as "gateway" (GATEWAY_ACCESS), which the route
walker (linli/testing/routes.py) reads from the auth object.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security.base import AuthBase
from pydantic import Field

from linli.care.models.devices import Gateway
from linli.care.services.devices import gateway_authenticate
from linli.care.services.ingest import ingest_summary
from linli.care.services.ingest_input import readings_ingest_raw
from linli.core.web import api_errors

router = Router(tags=["care-ingest"])
GATEWAY_ACCESS = "gateway"
MAX_BATCH = 5000


class GatewayAuth(AuthBase):
    """`Authorization: Bearer <gateway token>`. Never logs the header."""

    openapi_type = "http"
    openapi_scheme = "bearer"
    linli_access = GATEWAY_ACCESS

    def __call__(self, request: HttpRequest) -> Gateway | None:
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return None
        return gateway_authenticate(token=key.strip())


class ReadingsIn(Schema):
    # Items are checked one by one (a malformed one is refused on its own), so Any here.
    readings: list[Any] = Field(max_length=MAX_BATCH)


class RejectedOut(Schema):
    index: int
    serial: str
    code: str
    message: str


class IngestOut(Schema):
    accepted: int
    duplicates: int
    rejected: list[RejectedOut]


@router.post(
    "/readings",
    auth=GatewayAuth(),
    response={200: IngestOut, **api_errors(400, 401)},
    summary="网关批量上报读数",
    description=(
        '{"readings": [{"serial", "at", "value", "battery"?}, …]},每次最多 5000 条。'
        "逐条校验:合格的入库,重复的计入 duplicates,不合格的在 rejected 中说明原因。"
    ),
)
def readings_post(request: HttpRequest, payload: ReadingsIn) -> dict[str, Any]:
    gateway: Gateway = request.auth  # type: ignore[attr-defined]
    result = readings_ingest_raw(items=payload.readings, gateway=gateway, source="http")
    return ingest_summary(result)
