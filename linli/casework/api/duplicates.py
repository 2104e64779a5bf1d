"""CASE-10 duplicate detection and "me too", mounted at /api/cases by `casework.api.router`."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from linli.casework.models import Category
from linli.casework.policy import REPORTER_ROLES
from linli.casework.services.duplicates import (
    case_me_too,
    distance_m,
    me_too_target,
    nearby_open_cases,
)
from linli.core.access import api_roles
from linli.core.errors import ValidationFailed
from linli.core.schemas import Num
from linli.core.web import API_ERRORS, actor

router = Router(tags=["cases"])


class NearbyQuery(Schema):
    category: str = Field(min_length=2, max_length=10)
    lat: Num = Field(ge=-90, le=90)
    lon: Num = Field(ge=-180, le=180)


class NearbyOut(Schema):
    """No description, address, photos or reporter: only what identifies the matter."""

    tracking_no: str
    category_name: str
    status_label: str
    distance_m: float
    me_too_count: int
    created_at: dt.datetime


class MeTooOut(Schema):
    tracking_no: str
    me_too_count: int
    joined: bool


@router.get("/nearby", response={200: list[NearbyOut], **API_ERRORS}, auth=api_roles())
def nearby(request: HttpRequest, q: Query[NearbyQuery]) -> list[dict[str, Any]]:
    category = Category.objects.filter(code=q.category, parent__isnull=False).first()
    if category is None:
        raise ValidationFailed(_("请选择一个有效的事项分类。"), field="category")
    return [
        {
            "tracking_no": c.tracking_no,
            "category_name": c.category.name,
            "status_label": c.get_status_display(),
            "distance_m": round(distance_m(q.lat, q.lon, c.lat, c.lon), 1),
            "me_too_count": c.me_too_count,
            "created_at": c.created_at,
        }
        for c in nearby_open_cases(category=category, lat=q.lat, lon=q.lon)
    ]


@router.post(
    "/{tracking_no}/me-too", response={200: MeTooOut, **API_ERRORS}, auth=api_roles(*REPORTER_ROLES)
)
def me_too(request: HttpRequest, tracking_no: str) -> dict[str, Any]:
    case = case_me_too(actor=actor(request), case=me_too_target(tracking_no=tracking_no))
    return {"tracking_no": case.tracking_no, "me_too_count": case.me_too_count, "joined": True}
