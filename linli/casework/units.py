"""Units (GEO-3 departments) and the people who work for them.

A person is attached to a unit through a Membership: dept_officer → that department;
street_admin → the street office of their street; community_worker / secretary → the 居委会
of their community. Both directions are answered here, on `linli.geo.scope.Scope`.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership, User
from linli.geo.choices import DepartmentKind
from linli.geo.models import Department
from linli.geo.scope import COMMUNITY_KINDS, Scope


def units_q(scope: Scope) -> Q:
    """The units a scope works for: its departments, its communities' 居委会, the street
    offices of its streets."""
    return (
        Q(pk__in=sorted(scope.department_ids))
        | Q(kind=DepartmentKind.COMMUNITY, community_id__in=sorted(scope.community_ids))
        | Q(kind=DepartmentKind.STREET_OFFICE, street_id__in=sorted(scope.street_ids))
    )


def user_units(user: Any, scope: Scope | None = None) -> QuerySet[Department]:
    """The units a user works for (pass the user's scope when you already have it)."""
    return Department.objects.filter(units_q(scope or Scope.for_actor(user)))


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
