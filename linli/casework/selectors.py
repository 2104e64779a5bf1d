"""Reads. Every one goes through `Case.objects.visible_to(actor)` or `.public()`."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from linli.casework.filters import CaseFilter
from linli.casework.models import Case, CaseEvent, Category
from linli.core.errors import NotFound

LIST_RELATED = ("category", "grid", "community", "owner_unit", "handler_unit")
# The staff queue: what is due first; the API: what came in last.
QUEUE_ORDER = ("close_due", "id")
NEWEST_FIRST = ("-created_at", "-id")


def case_not_found() -> NotFound:
    return NotFound(_("找不到该诉求。"))


def case_get(*, actor: Any, case_id: int | None = None, tracking_no: str | None = None) -> Case:
    qs = Case.objects.visible_to(actor).select_related(
        "category", "grid", "community", "owner_unit", "handler_unit", "reporter"
    )
    lookup = {"pk": case_id} if case_id is not None else {"tracking_no": tracking_no}
    case = qs.filter(**lookup).first()
    if case is None:
        raise case_not_found()
    return case


def case_list(
    *,
    actor: Any,
    params: Mapping[str, Any],
    own: bool = True,
    order: Sequence[str] = NEWEST_FIRST,
) -> QuerySet[Case]:
    """The cases the actor may see, filtered by `params` (see `CaseFilter`): the staff queue
    (`own=False`: their places and units, not their own reports) and `GET /api/cases`."""
    visible = Case.objects.visible_to(actor, own=own).select_related(*LIST_RELATED)
    return CaseFilter(params, visible, actor=actor).qs.order_by(*order)


def case_timeline(*, case: Case, internal: bool) -> QuerySet[CaseEvent]:
    """The reporter sees only public steps and never who (by name) did them."""
    qs = case.events.select_related("actor", "unit").order_by("at", "id")
    return qs if internal else qs.filter(public=True)


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(active=True).select_related("parent").order_by("code")
