from django.http import HttpRequest
from ninja import Router, Schema

from linli.accounts.models import User
from linli.core.access import api_roles
from linli.core.schemas import ErrorOut

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    kind: str
    place: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    role: str
    role_label: str
    elder_mode: bool
    memberships: list[MembershipOut]


@router.get("/me", response={200: MeOut, 401: ErrorOut, 403: ErrorOut}, auth=api_roles())
def me(request: HttpRequest) -> MeOut:
    user: User = request.auth  # type: ignore[attr-defined]
    memberships = [
        MembershipOut(
            kind=m.kind, place=str(m.grid or m.community or m.street or m.department or "")
        )
        for m in user.memberships.select_related("grid", "community", "street", "department")
    ]
    return MeOut(
        id=user.pk,
        username=user.username,
        name=user.display_name,
        role=user.role,
        role_label=user.get_role_display(),
        elder_mode=user.elder_mode,
        memberships=memberships,
    )
