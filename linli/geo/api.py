from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema
from pydantic import Field

from linli.core.access import api_roles
from linli.core.errors import NotFound
from linli.core.roles import STAFF_ROLES, Role
from linli.core.schemas import ErrorOut, Num
from linli.geo.models import Community, Grid
from linli.geo.selectors import grid_locate, responsibility_unit

router = Router(tags=["geo"])


class PointIn(Schema):
    lat: Num = Field(ge=-90, le=90)
    lon: Num = Field(ge=-180, le=180)


class LocateOut(Schema):
    grid_id: int
    grid_name: str
    unit_code: str
    community_id: int
    community_name: str


class ResponsibilityIn(PointIn):
    category: str = Field(
        min_length=2, max_length=10, pattern=r"^[0-9A-Za-z]{2}(-[0-9A-Za-z]{2,4})?$"
    )


class UnitOut(Schema):
    id: int
    name: str
    kind: str


class CommunityOut(Schema):
    id: int
    name: str
    street: str
    grids: int


OUTSIDE = gettext_lazy("该位置不在本平台的任何网格内,请确认地点。")


@router.get(
    "/locate",
    response={200: LocateOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=api_roles(),
)
def locate(request: HttpRequest, point: Query[PointIn]) -> LocateOut:
    found = grid_locate(lat=point.lat, lon=point.lon)
    if found is None:
        raise NotFound(str(OUTSIDE), code="outside_grids")
    grid = Grid.objects.select_related("community").get(pk=found.grid_id)
    return LocateOut(
        grid_id=grid.pk,
        grid_name=grid.name,
        unit_code=grid.unit_code,
        community_id=grid.community_id,
        community_name=grid.community.name,
    )


@router.get(
    "/responsibility",
    response={200: UnitOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=api_roles(*STAFF_ROLES),
)
def responsibility(request: HttpRequest, q: Query[ResponsibilityIn]) -> UnitOut:
    found = grid_locate(lat=q.lat, lon=q.lon)
    if found is None:
        raise NotFound(str(OUTSIDE), code="outside_grids")
    grid = Grid.objects.select_related("community").get(pk=found.grid_id)
    unit = responsibility_unit(category_code=q.category, grid=grid)
    if unit is None:
        raise NotFound(_("责任清单中没有该类事项的责任单位。"), code="no_responsible_unit")
    return UnitOut(id=unit.pk, name=unit.name, kind=unit.kind)


@router.get(
    "/communities",
    response={200: list[CommunityOut], 401: ErrorOut, 403: ErrorOut},
    auth=api_roles(*STAFF_ROLES, Role.SUPERVISOR, Role.EVALUATOR),
)
def communities(request: HttpRequest) -> list[CommunityOut]:
    from django.db.models import Count

    qs = Community.objects.select_related("street").annotate(n=Count("grids")).order_by("code")
    return [CommunityOut(id=c.pk, name=c.name, street=c.street.name, grids=c.n) for c in qs]
