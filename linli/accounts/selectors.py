from typing import Any

from django.db.models import Q

from linli.accounts.choices import MembershipKind


def place_q(
    user: Any,
    *,
    grid: str | None = None,
    community: str | None = None,
    street: str | None = None,
    department: str | None = None,
) -> Q:
    """A filter matching the places the user works for, given each level's field path on the
    queried model (e.g. grid="household__building__grid"). A level given as None grants
    nothing. Matches nothing for a user without memberships."""
    q = Q(pk__in=[])
    for m in user.memberships.all():
        if m.kind == MembershipKind.GRID_WORKER and grid:
            q |= Q(**{f"{grid}_id": m.grid_id})
        elif m.kind in (MembershipKind.COMMUNITY_WORKER, MembershipKind.SECRETARY) and community:
            q |= Q(**{f"{community}_id": m.community_id})
        elif m.kind == MembershipKind.STREET_ADMIN and street:
            q |= Q(**{f"{street}_id": m.street_id})
        elif m.kind == MembershipKind.DEPT_OFFICER and department:
            q |= Q(**{f"{department}_id": m.department_id})
    return q
