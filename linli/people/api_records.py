"""Staff API for resident records (PEOPLE-1/3/4/5), mounted at /api/people by `people.api`.
A record answers with only the fields the caller may see (absent, not null)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as HttpStatus
from pydantic import Field

from linli.core.access import api_roles
from linli.core.errors import NotFound
from linli.core.schemas import Int
from linli.core.web import API_ERRORS, actor
from linli.geo.models import Household
from linli.people.choices import GrantStatus
from linli.people.models import AccessGrant
from linli.people.policy import DECIDE_ROLES, DETAIL_ROLES, GRANT_ROLES, LIST_ROLES, WRITE_ROLES
from linli.people.selectors import case_visible, resident_by_id_number
from linli.people.services import grants as grant_services
from linli.people.services.records import (
    resident_create,
    resident_read,
    resident_update,
    residents_list,
)

router = Router(tags=["people"])


class ResidentRow(Schema):
    id: int
    full_name: str
    sex: str
    birth_year: int
    address: str
    phone_masked: str
    ability: str


class ResidentPage(Schema):
    total: int
    page: int
    pages: int
    items: list[ResidentRow]


class TagOut(Schema):
    code: str
    name: str


class ContactOut(Schema):
    name: str
    relation: str
    phone: str


class RecordOut(Schema):
    id: int
    fields: list[str]
    grants: list[int]
    full_name: str | None = None
    sex: str | None = None
    birth_year: int | None = None
    address: str | None = None
    relation_to_head: str | None = None
    phone_masked: str | None = None
    tags: list[TagOut] | None = None
    ability: str | None = None
    phone: str | None = None
    contacts: list[ContactOut] | None = None
    id_number: str | None = None
    health_conditions: str | None = None
    disability: str | None = None
    assistance: str | None = None
    finance_note: str | None = None
    skills: str | None = None
    health_notes: str | None = None


class LookupIn(Schema):
    id_number: str = Field(max_length=30)


class LookupOut(Schema):
    id: int


class ResidentIn(Schema):
    """Minimum necessary: name, sex, birth year and household; everything else optional."""

    household_id: Int
    full_name: str = Field(max_length=50)
    sex: str = Field(max_length=1)
    birth_year: Int
    relation_to_head: str = Field(default="", max_length=20)
    phone: str = Field(default="", max_length=20)
    id_number: str = Field(default="", max_length=30)
    ability: str = Field(default="", max_length=10)
    tags: list[str] = Field(default_factory=list, max_length=20)


class ResidentPatch(Schema):
    purpose: str = Field(default="", max_length=100)
    values: dict[str, str | Int] = Field(max_length=20)


class GrantIn(Schema):
    tiers: list[str] = Field(max_length=3)
    purpose: str = Field(max_length=200)
    days: Int = 7
    case_id: Int | None = None


class DecisionIn(Schema):
    approve: bool
    note: str = Field(default="", max_length=200)


class GrantOut(Schema):
    id: int
    resident_id: int
    requester: str
    tiers: list[str]
    purpose: str
    status: str
    days: int
    expires_at: dt.datetime | None


class GrantsOut(Schema):
    mine: list[GrantOut]
    to_decide: list[GrantOut]


def _grant_out(g: AccessGrant) -> dict[str, Any]:
    return {
        "id": g.pk,
        "resident_id": g.resident_id,
        "requester": g.requester.display_name,
        "tiers": g.tiers,
        "purpose": g.purpose,
        "status": g.status,
        "days": g.days,
        "expires_at": g.expires_at,
    }


@router.get("/residents", response={200: ResidentPage, **API_ERRORS}, auth=api_roles(*LIST_ROLES))
def list_residents(
    request: HttpRequest, q: str = "", grid: int | None = None, tag: str = "", page: Int = 1
) -> dict[str, Any]:
    result = residents_list(actor=actor(request), q=q, grid_id=grid, tag=tag, page=page)
    items = [
        {
            "id": r.pk,
            "full_name": r.full_name,
            "sex": r.sex,
            "birth_year": r.birth_year,
            "address": r.address,
            "phone_masked": r.phone_masked,
            "ability": r.ability,
        }
        for r in result.rows
    ]
    return {"total": result.total, "page": result.page, "pages": result.pages, "items": items}


@router.post(
    "/residents/lookup", response={200: LookupOut, **API_ERRORS}, auth=api_roles(*LIST_ROLES)
)
def lookup(request: HttpRequest, payload: LookupIn) -> dict[str, Any]:
    """By ID number, in the body: the number never appears in a URL or access log."""
    found = resident_by_id_number(actor=actor(request), id_number=payload.id_number)
    if found is None:
        raise NotFound(_("没有找到这个身份证号的居民。"))
    return {"id": found.pk}


@router.post(
    "/residents",
    response={201: RecordOut, **API_ERRORS},
    auth=api_roles(*WRITE_ROLES),
    exclude_unset=True,
)
def create(request: HttpRequest, payload: ResidentIn) -> HttpStatus:
    household = Household.objects.filter(pk=payload.household_id).first()
    if household is None:
        raise NotFound(_("没有找到这户。"), field="household_id")
    values = payload.dict(exclude={"household_id", "tags"})
    values = {k: v for k, v in values.items() if v not in ("", None)}
    resident = resident_create(
        actor=actor(request), household=household, values=values, tags=payload.tags
    )
    return HttpStatus(201, _record(request, resident.pk, purpose="登记"))


def _record(
    request: HttpRequest, resident_id: int, *, purpose: str, case: int | None = None
) -> dict[str, Any]:
    user = actor(request)
    case_id = case if case_visible(actor=user, case_id=case) else None
    view = resident_read(actor=user, resident_id=resident_id, purpose=purpose, case_id=case_id)
    return {**view.data, "fields": view.access.fields, "grants": view.access.grant_ids}


@router.get(
    "/residents/{resident_id}",
    response={200: RecordOut, **API_ERRORS},
    auth=api_roles(*DETAIL_ROLES),
    exclude_unset=True,
)
def detail(
    request: HttpRequest, resident_id: Int, purpose: str = "", case: int | None = None
) -> dict[str, Any]:
    """`case`: the case the caller handles that needs this record (noted in the audit log)."""
    return _record(request, resident_id, purpose=purpose[:100], case=case)


@router.patch(
    "/residents/{resident_id}",
    response={200: RecordOut, **API_ERRORS},
    auth=api_roles(*WRITE_ROLES),
    exclude_unset=True,
)
def update(request: HttpRequest, resident_id: Int, payload: ResidentPatch) -> dict[str, Any]:
    resident_update(
        actor=actor(request),
        resident_id=resident_id,
        values=payload.values,
        purpose=payload.purpose,
    )
    return _record(request, resident_id, purpose=payload.purpose or "更正")


@router.post(
    "/residents/{resident_id}/grants",
    response={201: GrantOut, **API_ERRORS},
    auth=api_roles(*GRANT_ROLES),
)
def request_grant(request: HttpRequest, resident_id: Int, payload: GrantIn) -> HttpStatus:
    grant = grant_services.grant_request(
        actor=actor(request),
        resident_id=resident_id,
        tiers=payload.tiers,
        purpose=payload.purpose,
        days=payload.days,
        case_id=payload.case_id,
    )
    return HttpStatus(201, _grant_out(grant))


@router.get("/grants", response={200: GrantsOut, **API_ERRORS}, auth=api_roles(*GRANT_ROLES))
def list_grants(request: HttpRequest) -> dict[str, Any]:
    user = actor(request)
    mine = grant_services.grants_of(actor=user).select_related("requester")[:100]
    pending = grant_services.grants_to_decide(actor=user).filter(status=GrantStatus.PENDING)
    return {
        "mine": [_grant_out(g) for g in mine],
        "to_decide": [_grant_out(g) for g in pending[:200]],
    }


@router.post(
    "/grants/{grant_id}/decision",
    response={200: GrantOut, **API_ERRORS},
    auth=api_roles(*DECIDE_ROLES),
)
def decide(request: HttpRequest, grant_id: Int, payload: DecisionIn) -> dict[str, Any]:
    grant = grant_services.grant_decide(
        actor=actor(request), grant_id=grant_id, approve=payload.approve, note=payload.note
    )
    return _grant_out(grant)


@router.post(
    "/grants/{grant_id}/revoke",
    response={200: GrantOut, **API_ERRORS},
    auth=api_roles(*GRANT_ROLES),
)
def revoke(request: HttpRequest, grant_id: Int) -> dict[str, Any]:
    return _grant_out(grant_services.grant_revoke(actor=actor(request), grant_id=grant_id))
