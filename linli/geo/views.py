from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership
from linli.core.access import page_roles
from linli.geo.models import Grid
from linli.geo.policy import GRID_MAP_ROLES
from linli.geo.svg import project_grids


@page_roles(*GRID_MAP_ROLES)
def grid_map(request: HttpRequest) -> HttpResponse:
    grids = list(
        Grid.objects.select_related("community")
        .annotate(
            volunteers=Count(
                "memberships", filter=Q(memberships__kind=MembershipKind.GRID_VOLUNTEER)
            )
        )
        .order_by("unit_code")
    )
    workers = {
        m["grid_id"]: m["user__full_name"] or m["user__username"]
        for m in Membership.objects.filter(kind=MembershipKind.GRID_WORKER, grid__in=grids).values(
            "grid_id", "user__full_name", "user__username"
        )
    }
    shapes, width, height = project_grids(grids)
    rows = [
        {
            **shape,
            "community": g.community.name,
            "name": g.name,
            "unit_code": g.unit_code,
            "worker": workers.get(g.pk, ""),
            "volunteers": g.volunteers,  # type: ignore[attr-defined]
        }
        for g, shape in zip(grids, shapes, strict=True)
    ]
    return render(request, "geo/map.html", {"grids": rows, "width": width, "height": height})
