"""Who works for a unit, and telling them (CASE-5, CASE-6).

A person is attached to a unit through a Membership (GEO-3):
dept_officer → that department; street_admin → the street office of their street;
community_worker / secretary → the 居委会 of their community.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership, User
from linli.core.notifications.services import notification_send
from linli.geo.choices import DepartmentKind
from linli.geo.models import Department

COMMUNITY_KINDS = (MembershipKind.COMMUNITY_WORKER, MembershipKind.SECRETARY)


def _membership_q(unit: Department, prefix: str = "") -> Q:
    """Memberships that attach a person to `unit` (prefix: "memberships__" from User)."""
    q = Q(**{f"{prefix}kind": MembershipKind.DEPT_OFFICER, f"{prefix}department_id": unit.pk})
    if unit.kind == DepartmentKind.STREET_OFFICE and unit.street_id:
        q |= Q(
            **{f"{prefix}kind": MembershipKind.STREET_ADMIN, f"{prefix}street_id": unit.street_id}
        )
    if unit.kind == DepartmentKind.COMMUNITY and unit.community_id:
        q |= Q(**{f"{prefix}kind__in": COMMUNITY_KINDS, f"{prefix}community_id": unit.community_id})
    return q


def unit_staff(unit: Department) -> QuerySet[User]:
    """The active people who work for `unit`."""
    return (
        User.objects.filter(is_active=True)
        .filter(_membership_q(unit, "memberships__"))
        .distinct()
        .order_by("pk")
    )


def staff_by_unit(units: Iterable[Department]) -> dict[int, list[User]]:
    """unit id → its active staff, for many units in one query (the sweep's batches)."""
    units = list({u.pk: u for u in units}.values())
    if not units:
        return {}
    q = Q(pk__in=[])
    for unit in units:
        q |= _membership_q(unit)
    rows = Membership.objects.filter(q, user__is_active=True).select_related("user")
    by_dept = {u.pk: u.pk for u in units}
    by_street = {u.street_id: u.pk for u in units if u.kind == DepartmentKind.STREET_OFFICE}
    by_community = {u.community_id: u.pk for u in units if u.kind == DepartmentKind.COMMUNITY}
    found: dict[int, dict[int, User]] = defaultdict(dict)
    for m in rows:
        unit_id: int | None = None
        if m.kind == MembershipKind.DEPT_OFFICER:
            unit_id = by_dept.get(m.department_id) if m.department_id else None
        elif m.kind == MembershipKind.STREET_ADMIN:
            unit_id = by_street.get(m.street_id)
        elif m.kind in COMMUNITY_KINDS:
            unit_id = by_community.get(m.community_id)
        if unit_id is not None:
            found[unit_id][m.user_id] = m.user
    return {u.pk: sorted(found[u.pk].values(), key=lambda x: x.pk) for u in units}


def street_office_of(street_id: int) -> Department | None:
    return (
        Department.objects.filter(kind=DepartmentKind.STREET_OFFICE, street_id=street_id)
        .order_by("pk")
        .first()
    )


def notify_users(
    users: Iterable[Any],
    *,
    title: str,
    body: str = "",
    url: str = "",
    channels: tuple[str, ...] = (),
) -> int:
    """One inbox message per distinct user (SMS / e-mail go out after commit)."""
    sent = 0
    seen: set[int] = set()
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        notification_send(recipient=user, title=title, body=body, url=url, channels=channels)
        sent += 1
    return sent
