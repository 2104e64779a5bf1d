"""Who may act on a case. Visibility (what one may see) lives in selectors.visible_to."""

from typing import Any

from django.db.models import Q, QuerySet

from linli.accounts.choices import MembershipKind
from linli.casework.models import Case
from linli.core.roles import Role
from linli.geo.choices import DepartmentKind
from linli.geo.models import Department

# Staff who may enter a case for a resident (window, hotline, suggestion box).
INTAKE_ROLES = (Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.SECRETARY, Role.STREET_ADMIN)
CASE_STAFF_ROLES = (
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.SECRETARY,
    Role.DEPT_OFFICER,
    Role.STREET_ADMIN,
    Role.SYSADMIN,
)
OVERSIGHT_ROLES = (Role.SUPERVISOR, Role.SYSADMIN)


def user_units(user: Any) -> QuerySet[Department]:
    """The units a user works for: their departments, their community's 居委会, the street
    office of their street."""
    q = Q(pk__in=[])
    for m in user.memberships.all():
        if m.kind == MembershipKind.DEPT_OFFICER:
            q |= Q(pk=m.department_id)
        elif m.kind in (MembershipKind.COMMUNITY_WORKER, MembershipKind.SECRETARY):
            q |= Q(kind=DepartmentKind.COMMUNITY, community_id=m.community_id)
        elif m.kind == MembershipKind.STREET_ADMIN:
            q |= Q(kind=DepartmentKind.STREET_OFFICE, street_id=m.street_id)
    return Department.objects.filter(q)


def _street_ids(user: Any) -> set[int]:
    return {m.street_id for m in user.memberships.all() if m.kind == MembershipKind.STREET_ADMIN}


def can_manage(user: Any, case: Case) -> bool:
    """Owner-side actions: register, dispatch, close, merge, whistle, approve deferral."""
    if user.role == Role.SYSADMIN:
        return True
    if case.community.street_id in _street_ids(user):
        return True
    return user_units(user).filter(pk=case.owner_unit_id).exists()


def can_handle(user: Any, case: Case) -> bool:
    """Handler-side actions: accept, return, feedback, ask for deferral."""
    if user.role == Role.SYSADMIN:
        return True
    if case.handler_unit_id is None:
        return False
    return user_units(user).filter(pk=case.handler_unit_id).exists()


def can_verify(user: Any, case: Case) -> bool:
    if case.reporter_id is not None and case.reporter_id == user.pk:
        return True
    if user.role == Role.GRID_WORKER:
        return user.memberships.filter(
            kind=MembershipKind.GRID_WORKER, grid_id=case.grid_id
        ).exists()
    # The owner may verify work done by another unit, never its own (separation of duties).
    return can_manage(user, case) and not can_handle(user, case)
