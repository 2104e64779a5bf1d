"""Where an actor acts: the one answer every app builds its `visible_to(actor)` on.

A grid worker acts in their grids, community workers and the secretary in their community,
a street officer in their street's communities, a department officer for their departments.
Memberships (accounts) scope a role to places (geo); nothing else re-derives them.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership, User
from linli.core.roles import COMMUNITY_ROLES, Role
from linli.geo.models import Community, Grid

COMMUNITY_KINDS = (MembershipKind.COMMUNITY_WORKER, MembershipKind.SECRETARY)
EMPTY: frozenset[int] = frozenset()


def _active(actor: Any) -> bool:
    return bool(actor is not None and actor.is_authenticated and actor.is_active)


@dataclass(frozen=True)
class Scope:
    role: str = ""
    grid_ids: frozenset[int] = EMPTY  # grid worker of
    volunteer_grid_ids: frozenset[int] = EMPTY  # grid volunteer of
    community_ids: frozenset[int] = EMPTY  # community worker or secretary of
    secretary_of: frozenset[int] = EMPTY
    street_ids: frozenset[int] = EMPTY  # street officer of
    department_ids: frozenset[int] = EMPTY  # department officer of

    @classmethod
    def for_actor(cls, actor: Any) -> "Scope":
        """The actor's places from their memberships (one query, or none when prefetched)."""
        if not _active(actor):
            return cls()
        sets: dict[str, set[int]] = defaultdict(set)
        for m in actor.memberships.all():
            if m.kind == MembershipKind.GRID_WORKER and m.grid_id:
                sets["grid"].add(m.grid_id)
            elif m.kind == MembershipKind.GRID_VOLUNTEER and m.grid_id:
                sets["volunteer"].add(m.grid_id)
            elif m.kind in COMMUNITY_KINDS and m.community_id:
                sets["community"].add(m.community_id)
                if m.kind == MembershipKind.SECRETARY:
                    sets["secretary"].add(m.community_id)
            elif m.kind == MembershipKind.STREET_ADMIN and m.street_id:
                sets["street"].add(m.street_id)
            elif m.kind == MembershipKind.DEPT_OFFICER and m.department_id:
                sets["department"].add(m.department_id)
        return cls(
            role=str(actor.role),
            grid_ids=frozenset(sets["grid"]),
            volunteer_grid_ids=frozenset(sets["volunteer"]),
            community_ids=frozenset(sets["community"]),
            secretary_of=frozenset(sets["secretary"]),
            street_ids=frozenset(sets["street"]),
            department_ids=frozenset(sets["department"]),
        )

    # ---- filters on other apps' models, given each level's field path -------------------

    def q(
        self,
        *,
        grid: str | None = None,
        community: str | None = None,
        street: str | None = None,
        department: str | None = None,
    ) -> Q:
        """Rows in any place the actor has a membership for (whatever their role), given
        each level's path on the queried model, e.g. grid="household__building__grid".
        A level given as None grants nothing; no membership matches nothing."""
        q = Q(pk__in=[])
        for path, ids in (
            (grid, self.grid_ids),
            (community, self.community_ids),
            (street, self.street_ids),
            (department, self.department_ids),
        ):
            if path and ids:
                q |= Q(**{f"{path}_id__in": sorted(ids)})
        return q

    def role_q(self, grid_path: str) -> Q | None:
        """Rows in the places the actor acts for *in their role*, given the path to the
        grid: a grid worker their grids, community staff their community, a street officer
        their street. None for roles that act in no place."""
        if self.role == Role.GRID_WORKER:
            return self.q(grid=grid_path)
        if self.role in COMMUNITY_ROLES:
            return self.q(community=f"{grid_path}__community")
        if self.role == Role.STREET_ADMIN:
            return self.q(street=f"{grid_path}__community__street")
        return None

    # ---- the places themselves ----------------------------------------------------------

    def communities(self) -> QuerySet[Community]:
        """Communities the actor works in, in their role (a grid worker: their grids')."""
        q: Q | None = None
        if self.role == Role.GRID_WORKER:
            q = Q(grids__in=sorted(self.grid_ids))
        elif self.role in COMMUNITY_ROLES:
            q = Q(pk__in=sorted(self.community_ids))
        elif self.role == Role.STREET_ADMIN:
            q = Q(street_id__in=sorted(self.street_ids))
        if q is None:
            return Community.objects.none()
        return Community.objects.filter(q).distinct().order_by("code")

    def managed_communities(self) -> QuerySet[Community]:
        """Communities the actor manages (catalogues, funds, devices): community staff
        their community, a street officer their street's; a system administrator all."""
        qs = Community.objects.all()
        if self.role == Role.SYSADMIN:
            return qs
        ids = self.community_ids if self.role in COMMUNITY_ROLES else EMPTY
        streets = self.street_ids if self.role == Role.STREET_ADMIN else EMPTY
        return qs.filter(Q(pk__in=sorted(ids)) | Q(street_id__in=sorted(streets)))

    def grids(self) -> QuerySet[Grid]:
        """Every grid under the actor's memberships, whatever the level."""
        return Grid.objects.filter(
            Q(pk__in=sorted(self.grid_ids))
            | Q(community_id__in=sorted(self.community_ids))
            | Q(community__street_id__in=sorted(self.street_ids))
        )


# ---- who works where ---------------------------------------------------------------------


def grid_workers(grid_ids: Iterable[int]) -> dict[int, User]:
    """grid id → its (one) active grid worker."""
    rows = Membership.objects.filter(
        kind=MembershipKind.GRID_WORKER, grid_id__in=set(grid_ids), user__is_active=True
    ).select_related("user")
    return {m.grid_id: m.user for m in rows if m.grid_id is not None}


def community_staff(
    community_ids: Iterable[int], kinds: Iterable[str] = COMMUNITY_KINDS
) -> dict[int, list[User]]:
    """community id → its active staff of the given kinds, in membership order."""
    rows = (
        Membership.objects.filter(
            kind__in=list(kinds), community_id__in=set(community_ids), user__is_active=True
        )
        .select_related("user")
        .order_by("pk")
    )
    out: dict[int, list[User]] = defaultdict(list)
    for m in rows:
        if m.community_id is not None and m.user not in out[m.community_id]:
            out[m.community_id].append(m.user)
    return dict(out)


def community_handlers(community_id: int) -> list[User]:
    """Who takes a community's tasks: its community workers, else its secretary."""
    workers = community_staff([community_id], (MembershipKind.COMMUNITY_WORKER,))
    if workers.get(community_id):
        return workers[community_id]
    return community_staff([community_id], (MembershipKind.SECRETARY,)).get(community_id, [])


def secretaries_q(community_id: int, prefix: str = "memberships__") -> Q:
    """Users (or rows reached through `prefix`) who are the community's secretary."""
    return Q(**{f"{prefix}kind": MembershipKind.SECRETARY, f"{prefix}community_id": community_id})


def street_admins_q(street_id: int, prefix: str = "memberships__") -> Q:
    """Users (or rows reached through `prefix`) who act for the street office."""
    return Q(**{f"{prefix}kind": MembershipKind.STREET_ADMIN, f"{prefix}street_id": street_id})
