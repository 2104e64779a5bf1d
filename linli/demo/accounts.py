"""The demo logins: one per role, plus a grid worker and two volunteers for every grid and a
secretary for every community (GEO-3's "1 + 2"). Creating them is idempotent."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.urls import reverse

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership, User
from linli.core.roles import Role
from linli.demo import names as catalog
from linli.demo.plan import DemoPlan
from linli.geo.models import Community, Department, Grid, Street
from linli.geo.policy import GRID_MAP_ROLES
from linli.geo.selectors import grid_locate
from linli.people.defaults import ALONE_ELDERLY
from linli.people.models import Contact, Resident
from linli.people.validation import phone_mask

ROLES = list(Role)
CHENGGUAN = next(name for name, short in catalog.GOVERNMENT if short == "城管")


@dataclass(frozen=True)
class Login:
    role: str
    label: str
    username: str
    full_name: str
    scope: str  # the grid, community, department or street the account works for
    path: str  # the page worth opening first


@dataclass(frozen=True)
class Accounts:
    logins: tuple[Login, ...]  # one per role
    created: int
    total: int  # demo accounts, all of which now have the demo password


@dataclass
class _Spec:
    username: str
    role: str
    name_index: int
    scope: str = ""
    superuser: bool = False
    memberships: list[dict[str, Any]] = field(default_factory=list)


def _name(plan: DemoPlan, index: int) -> str:
    return plan.staff_names[index % len(plan.staff_names)]


def sysadmin_ensure(*, plan: DemoPlan, password_hash: str) -> User:
    user, _ = User.objects.get_or_create(
        username=Role.SYSADMIN.value,
        defaults={
            "role": Role.SYSADMIN,
            "full_name": _name(plan, ROLES.index(Role.SYSADMIN)),
            "password": password_hash,
            "is_staff": True,
            "is_superuser": True,
        },
    )
    return user


def _specs(
    plan: DemoPlan, street: Street, grids: list[Grid], focus: Grid, communities: list[Community]
) -> list[_Spec]:
    community = focus.community
    chengguan = Department.objects.filter(name=CHENGGUAN).first()
    by_role: dict[Role, _Spec] = {r: _Spec(r.value, r.value, ROLES.index(r)) for r in ROLES}
    grid_worker = by_role[Role.GRID_WORKER]
    grid_worker.scope = focus.name
    grid_worker.memberships.append({"kind": MembershipKind.GRID_WORKER, "grid": focus})
    volunteer = by_role[Role.VOLUNTEER]
    volunteer.scope = focus.name
    volunteer.memberships.append({"kind": MembershipKind.GRID_VOLUNTEER, "grid": focus})
    for role, kind in (
        (Role.COMMUNITY_WORKER, MembershipKind.COMMUNITY_WORKER),
        (Role.SECRETARY, MembershipKind.SECRETARY),
    ):
        by_role[role].scope = community.name
        by_role[role].memberships.append({"kind": kind, "community": community})
    if chengguan is not None:
        by_role[Role.DEPT_OFFICER].scope = chengguan.name
        by_role[Role.DEPT_OFFICER].memberships.append(
            {"kind": MembershipKind.DEPT_OFFICER, "department": chengguan}
        )
    by_role[Role.STREET_ADMIN].scope = street.name
    by_role[Role.STREET_ADMIN].memberships.append(
        {"kind": MembershipKind.STREET_ADMIN, "street": street}
    )
    by_role[Role.RESIDENT].scope = focus.name
    by_role[Role.SYSADMIN].superuser = True
    specs = list(by_role.values())
    offset = len(ROLES)
    for i, grid in enumerate(grids):
        if grid.pk != focus.pk:
            specs.append(
                _Spec(
                    f"gw_{grid.unit_code}",
                    Role.GRID_WORKER,
                    offset + i,
                    grid.name,
                    memberships=[{"kind": MembershipKind.GRID_WORKER, "grid": grid}],
                )
            )
    offset += len(grids)
    for i, grid in enumerate(grids):
        for k in (1, 2):
            if grid.pk == focus.pk and k == 1:
                continue  # the "volunteer" login is this grid's first volunteer
            specs.append(
                _Spec(
                    f"vol_{grid.unit_code}_{k}",
                    Role.VOLUNTEER,
                    offset + 2 * i + k - 1,
                    grid.name,
                    memberships=[{"kind": MembershipKind.GRID_VOLUNTEER, "grid": grid}],
                )
            )
    offset += 2 * len(grids)
    prefix = f"{street.district.code}{street.code}"
    for i, other in enumerate(communities):
        if other.pk != community.pk:
            specs.append(
                _Spec(
                    f"sec_{prefix}{other.code}",
                    Role.SECRETARY,
                    offset + i,
                    other.name,
                    memberships=[{"kind": MembershipKind.SECRETARY, "community": other}],
                )
            )
    offset += len(communities)
    # Mediators (MEDIATE-1): one for each other community, and the street's judicial, police
    # and lawyer mediators; `linli.demo.mediation` gives them their places and specialities.
    mediators = [f"med_{c.code}" for c in communities if c.pk != community.pk]
    mediators += [f"med_{kind}" for kind in MEDIATOR_KINDS]
    for i, username in enumerate(mediators):
        specs.append(_Spec(username, Role.MEDIATOR, offset + i, street.name))
    return specs


# The street-level mediators' usernames (med_<kind>), read by linli.demo.mediation.
MEDIATOR_KINDS = ("judicial", "police", "lawyer")


def _work_phone(spec: _Spec) -> str:
    """Grid workers' work numbers: residents ring theirs from the home page (PLAT-2)."""
    return f"1390572{spec.name_index:04d}" if spec.role == Role.GRID_WORKER else ""


def _path(role: Role) -> str:
    if role == Role.SYSADMIN:
        return reverse("admin:index")
    if role in GRID_MAP_ROLES:
        return reverse("geo:map")
    return "/"


def accounts_ensure(*, plan: DemoPlan, street: Street, password_hash: str) -> Accounts:
    """Create the demo accounts and memberships that are missing and give every demo
    account `password_hash`, so that the printed table is true."""
    grids = list(
        Grid.objects.filter(community__street=street)
        .select_related("community")
        .order_by("unit_code")
    )
    communities = list(Community.objects.filter(street=street).order_by("code"))
    located = grid_locate(lat=catalog.FOCUS_LAT, lon=catalog.FOCUS_LON)
    focus = next((g for g in grids if located and g.pk == located.grid_id), grids[0])
    specs = _specs(plan, street, grids, focus, communities)
    usernames = [s.username for s in specs]
    users = User.objects.in_bulk(usernames, field_name="username")
    created = User.objects.bulk_create(
        User(
            username=s.username,
            role=s.role,
            full_name=_name(plan, s.name_index),
            password=password_hash,
            is_staff=s.superuser,
            is_superuser=s.superuser,
            phone=_work_phone(s),
        )
        for s in specs
        if s.username not in users
    )
    for s in specs:  # a demo made before grid workers had work numbers gets them
        if _work_phone(s) and s.username in users and not users[s.username].phone:
            User.objects.filter(pk=users[s.username].pk).update(phone=_work_phone(s))
    User.objects.filter(username__in=usernames).update(
        password=password_hash, failed_logins=0, locked_until=None
    )
    users = User.objects.in_bulk(usernames, field_name="username")
    _memberships_ensure(specs, users)
    _resident_link(users[Role.RESIDENT.value], focus)
    _family_link(users[Role.FAMILY.value], focus)
    users = User.objects.in_bulk(usernames, field_name="username")
    logins = tuple(
        Login(
            role=s.role,
            label=str(Role(s.role).label),
            username=s.username,
            full_name=users[s.username].full_name,
            scope=s.scope,
            path=_path(Role(s.role)),
        )
        for s in specs
        if s.username == s.role
    )
    return Accounts(logins=logins, created=len(created), total=len(usernames))


def _memberships_ensure(specs: list[_Spec], users: dict[str, User]) -> None:
    have: set[tuple[Any, ...]] = set(
        Membership.objects.filter(user__in=users.values()).values_list(
            "user_id", "kind", "grid_id", "community_id", "street_id", "department_id"
        )
    )
    # One grid worker per grid, one secretary per community: never fight a real one.
    held: set[tuple[Any, ...]] = set(
        Membership.objects.filter(
            Q(kind=MembershipKind.GRID_WORKER) | Q(kind=MembershipKind.SECRETARY)
        ).values_list("kind", "grid_id", "community_id")
    )
    new: list[Membership] = []
    for spec in specs:
        user = users[spec.username]
        for m in spec.memberships:
            place = {
                f"{k}_id": (m[k].pk if k in m else None)
                for k in ("grid", "community", "street", "department")
            }
            kind = MembershipKind(m["kind"]).value  # plain str: enum members hash by name
            key = (user.pk, kind, *place.values())
            slot = (kind, place["grid_id"], place["community_id"])
            if key in have:
                continue
            if kind in (MembershipKind.GRID_WORKER, MembershipKind.SECRETARY):
                if slot in held:
                    continue
                held.add(slot)
            new.append(Membership(user=user, kind=kind, **place))
            have.add(key)
    Membership.objects.bulk_create(new)


def _family_link(user: User, grid: Grid) -> None:
    """The family login is the daughter of an elderly person living alone in the focus grid,
    so the family page (PEOPLE-6) and care notifications have someone to show."""
    if Contact.objects.filter(user=user).exists():
        return
    elder = (
        Resident.objects.filter(household__building__grid=grid, tag_links__tag__code=ALONE_ELDERLY)
        .order_by("birth_year", "pk")
        .first()
    )
    if elder is None:
        return
    phone = "13905710" + f"{user.pk % 1000:03d}"
    Contact.objects.create(
        resident=elder,
        name=user.full_name or user.username,
        relation="女儿",
        phone=phone,
        phone_masked=phone_mask(phone),
        user=user,
    )


def _resident_link(user: User, grid: Grid) -> None:
    """The resident login is the head of a household in the focus grid."""
    if Resident.objects.filter(user=user).exists():
        return
    resident = (
        Resident.objects.filter(household__building__grid=grid, is_head=True, user__isnull=True)
        .order_by("pk")
        .first()
    )
    if resident is None:
        return
    resident.user = user
    resident.save(update_fields=["user", "updated_at"])
    User.objects.filter(pk=user.pk).update(full_name=resident.full_name)
