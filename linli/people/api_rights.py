"""Residents' rights API (PEOPLE-6/7), mounted at /api/people: my data with its access
history, correction requests, withdrawing consent, giving optional data, privacy choices.
Only for a resident's own record; the record is found from the caller, never from the URL."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as HttpStatus
from pydantic import Field

from linli.core.access import api_roles
from linli.core.errors import ValidationFailed
from linli.core.roles import Role
from linli.core.web import API_ERRORS, actor
from linli.people.choices import FIELDS
from linli.people.services import rights
from linli.people.services.rights_data import export_dict, my_data

router = Router(tags=["people-rights"])
RESIDENT = api_roles(Role.RESIDENT)


class MyFieldOut(Schema):
    name: str
    label: str
    tier: str
    tier_label: str
    value: str | int | None
    display: str


class MyTagOut(Schema):
    code: str
    name: str
    tier: str
    tier_label: str
    valid_until: dt.date | None


class MyContactOut(Schema):
    name: str
    relation: str
    phone: str
    optional: bool
    family_account: bool


class MyHouseholdOut(Schema):
    address: str
    community: str
    grid: str
    is_head: bool


class MyPrivacyOut(Schema):
    alerts_audience: str
    alerts_audience_label: str
    optional_audience: str
    optional_audience_label: str
    optional_consent_at: dt.datetime | None


class MyGrantOut(Schema):
    who: str
    role: str
    tiers: list[str]
    purpose: str
    status: str
    status_label: str
    until: dt.datetime | None


class MyCorrectionOut(Schema):
    id: int
    field: str
    field_label: str
    message: str
    status: str
    status_label: str
    reply: str
    created_at: dt.datetime | None
    handled_at: dt.datetime | None


class MyAccessOut(Schema):
    at: dt.datetime
    action: str
    action_label: str
    who: str
    role: str
    unit: str
    fields: list[str]
    purpose: str
    with_grant: bool
    case: int | None


class MyCredentialOut(Schema):
    name: str
    number: str
    issued_on: str | None
    valid_until: str | None
    source: str


class MyDataOut(Schema):
    id: int
    fields: list[MyFieldOut]
    tags: list[MyTagOut]
    contacts: list[MyContactOut]
    credentials: list[MyCredentialOut] = Field(
        description="Certificates and grants decided for the resident (e.g. 老年证)."
    )
    household: MyHouseholdOut
    privacy: MyPrivacyOut
    grants: list[MyGrantOut]
    corrections: list[MyCorrectionOut]
    access: list[MyAccessOut] = Field(description="Who accessed the record (not the resident).")
    access_days: int
    access_truncated: bool


class MyCorrectionIn(Schema):
    field: str = Field(max_length=30, description="A field name of the record, e.g. phone.")
    message: str = Field(max_length=500, description="What is wrong and the right value.")


class ConsentWithdrawIn(Schema):
    confirm: bool = Field(description="Must be true: the optional data is erased for good.")


class ConsentWithdrawOut(Schema):
    erased: list[str]
    erased_labels: list[str]


class MyOptionalIn(Schema):
    skills: str = Field(default="", max_length=500)
    health_notes: str = Field(default="", max_length=500)


class MyPrivacyIn(Schema):
    alerts_audience: str = Field(max_length=10, description="grid or family")
    optional_audience: str = Field(max_length=10, description="grid or family")


def _privacy(resident: Any) -> dict[str, Any]:
    return {
        "alerts_audience": resident.alerts_audience,
        "alerts_audience_label": str(resident.get_alerts_audience_display()),
        "optional_audience": resident.optional_audience,
        "optional_audience_label": str(resident.get_optional_audience_display()),
        "optional_consent_at": resident.optional_consent_at,
    }


@router.get("/me", response={200: MyDataOut, **API_ERRORS}, auth=RESIDENT)
def me(request: HttpRequest) -> dict[str, Any]:
    """Everything held about the caller and who accessed it (this read is audited too)."""
    return export_dict(my_data(actor=actor(request)))


@router.post("/me/corrections", response={201: MyCorrectionOut, **API_ERRORS}, auth=RESIDENT)
def correction_new(request: HttpRequest, payload: MyCorrectionIn) -> HttpStatus[dict[str, Any]]:
    c = rights.correction_request(
        actor=actor(request), field=payload.field, message=payload.message
    )
    return HttpStatus(
        201,
        {
            "id": c.pk,
            "field": c.field,
            "field_label": FIELDS[c.field][1],
            "message": c.message,
            "status": c.status,
            "status_label": str(c.get_status_display()),
            "reply": c.reply,
            "created_at": c.created_at,
            "handled_at": c.handled_at,
        },
    )


@router.post(
    "/me/consent/withdraw", response={200: ConsentWithdrawOut, **API_ERRORS}, auth=RESIDENT
)
def consent_withdraw(request: HttpRequest, payload: ConsentWithdrawIn) -> dict[str, Any]:
    if not payload.confirm:
        raise ValidationFailed(_("请确认删除自愿提供的信息(confirm 为 true)。"), field="confirm")
    erased = rights.consent_withdraw(actor=actor(request))
    labels = ["自愿提供的联系人" if n == "contacts" else FIELDS[n][1] for n in erased]
    return {"erased": erased, "erased_labels": labels}


@router.put("/me/optional", response={200: MyPrivacyOut, **API_ERRORS}, auth=RESIDENT)
def optional_give(request: HttpRequest, payload: MyOptionalIn) -> dict[str, Any]:
    resident = rights.optional_data_give(
        actor=actor(request), skills=payload.skills, health_notes=payload.health_notes
    )
    return _privacy(resident)


@router.put("/me/privacy", response={200: MyPrivacyOut, **API_ERRORS}, auth=RESIDENT)
def privacy(request: HttpRequest, payload: MyPrivacyIn) -> dict[str, Any]:
    resident = rights.privacy_set(
        actor=actor(request),
        alerts_audience=payload.alerts_audience,
        optional_audience=payload.optional_audience,
    )
    return _privacy(resident)
