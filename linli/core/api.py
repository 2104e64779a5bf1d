import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from linli.core.access import api_roles
from linli.core.audit.services import audit_verify
from linli.core.notifications.services import notification_mark_read
from linli.core.roles import Role
from linli.core.schemas import ErrorOut, Int

router = Router(tags=["core"])


class NotificationOut(Schema):
    id: int
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read: bool


class AuditStatusOut(Schema):
    ok: bool
    checked: int
    bad_entry: int | None
    reason: str


@router.get(
    "/notifications",
    response={200: list[NotificationOut], 401: ErrorOut, 403: ErrorOut},
    auth=api_roles(),
)
def list_notifications(request: HttpRequest, unread: bool = False) -> list[NotificationOut]:
    qs = request.auth.notifications.all()  # type: ignore[attr-defined]
    if unread:
        qs = qs.filter(read_at=None)
    return [
        NotificationOut(
            id=n.pk,
            title=n.title,
            body=n.body,
            url=n.url,
            created_at=n.created_at,
            read=n.read_at is not None,
        )
        for n in qs[:100]
    ]


@router.post(
    "/notifications/{notification_id}/read",
    response={204: None, 401: ErrorOut, 403: ErrorOut},
    auth=api_roles(),
)
def read_notification(request: HttpRequest, notification_id: Int) -> Status[None]:
    notification_mark_read(user=request.auth, notification_id=notification_id)  # type: ignore[attr-defined]
    return Status(204, None)


@router.get(
    "/audit/verify",
    response={200: AuditStatusOut, 401: ErrorOut, 403: ErrorOut},
    auth=api_roles(Role.STREET_ADMIN, Role.SUPERVISOR, Role.SYSADMIN),
)
def verify_audit(request: HttpRequest) -> AuditStatusOut:
    result = audit_verify()
    return AuditStatusOut(
        ok=result.ok, checked=result.checked, bad_entry=result.bad_seq, reason=result.reason
    )
