from typing import Any

from django.db.models import Q, QuerySet

from linli.accounts.selectors import place_q
from linli.casework.models import Case, CaseEvent, Category, WhistleCall
from linli.casework.permissions import user_units
from linli.core.errors import NotFound
from linli.core.roles import Role

NOT_FOUND = "找不到该诉求。"


def visible_to(actor: Any, *, own: bool = True) -> QuerySet[Case]:
    """Cases the actor may see; anything else is "not found". `own=False` leaves out the
    actor's own reports (the staff queue is about their places and units)."""
    qs = Case.objects.all()
    if actor is None or not actor.is_authenticated:
        return qs.none()
    if actor.role in (Role.SYSADMIN, Role.SUPERVISOR, Role.EVALUATOR):
        return qs
    q = place_q(actor, grid="grid", community="community", street="community__street")
    if own:
        q |= Q(reporter=actor)
    if actor.role == Role.DEPT_OFFICER:
        units = list(user_units(actor).values_list("pk", flat=True))
        # Plain id lists, not subqueries, so the planner can answer the whole OR from the
        # partial indexes; cases a unit was whistled to are few (a join would need DISTINCT,
        # an EXISTS forces a full scan).
        called = list(
            WhistleCall.objects.filter(department__in=units)
            .values_list("whistle__case_id", flat=True)
            .distinct()
        )
        q |= Q(owner_unit__in=units) | Q(handler_unit__in=units) | Q(pk__in=called)
    return qs.filter(q)


def case_get(*, actor: Any, case_id: int | None = None, tracking_no: str | None = None) -> Case:
    qs = visible_to(actor).select_related(
        "category", "grid", "community", "owner_unit", "handler_unit", "reporter"
    )
    lookup = {"pk": case_id} if case_id is not None else {"tracking_no": tracking_no}
    case = qs.filter(**lookup).first()
    if case is None:
        raise NotFound(NOT_FOUND)
    return case


def case_timeline(*, case: Case, internal: bool) -> QuerySet[CaseEvent]:
    """The reporter sees only public steps and never who (by name) did them."""
    qs = case.events.select_related("actor", "unit").order_by("at", "id")
    return qs if internal else qs.filter(public=True)


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(active=True).select_related("parent").order_by("code")
