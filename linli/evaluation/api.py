"""/api/evaluation (EVAL-3): the metric registry, the frozen figures, composite scores and
their weights. The same selectors as the dashboard pages, so the numbers agree."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja import Status as HttpStatus

from linli.core.access import api_roles
from linli.core.web import API_ERRORS, actor
from linli.evaluation import metrics, selectors, services
from linli.evaluation.policy import DASHBOARD_ROLES, MANAGE_ROLES
from linli.evaluation.schemas import (
    FiguresOut,
    FiguresQuery,
    MetricOut,
    ScoresOut,
    ScoresQuery,
    WeightsIn,
    WeightsOut,
)

router = Router(tags=["evaluation"])
READ = api_roles(*DASHBOARD_ROLES)


def metric_out(m: metrics.Metric) -> dict[str, Any]:
    return {
        "key": m.key,
        "name": str(m.name),
        "numerator": str(m.numerator),
        "denominator": str(m.denominator),
        "exclusions": str(m.exclusions),
        "unit": m.unit,
        "version": m.version,
        "dimensions": list(m.dimensions),
        "higher_is_better": m.higher_is_better,
    }


@router.get("/metrics", response={200: list[MetricOut], **API_ERRORS}, auth=READ)
def list_metrics(request: HttpRequest) -> list[dict[str, Any]]:
    """Every metric's published formula (name, numerator, denominator, exclusions)."""
    return [metric_out(m) for m in metrics.METRICS]


@router.get("/figures", response={200: FiguresOut, **API_ERRORS}, auth=READ)
def figures(request: HttpRequest, q: Query[FiguresQuery]) -> dict[str, Any]:
    """One metric by one dimension over the last months' snapshots, the groups in the
    caller's reach only; each figure with the link to the cases behind it."""
    snaps, rows = selectors.figures(
        actor=actor(request), metric=q.metric, dimension=q.dimension, months=q.months, key=q.key
    )
    m = metrics.REGISTRY[q.metric]
    role = actor(request).role
    return {
        "metric": metric_out(m),
        "dimension": q.dimension,
        "months": [s.month for s in snaps],
        "figures": [
            {
                **r.__dict__,
                "drill_url": (url := selectors.drill_url(m, q.dimension, r.key, r.month, role)),
                "cases_url": url if m.drill == "cases" else None,  # the older name
            }
            for r in rows
        ],
    }


@router.get("/scores", response={200: ScoresOut, **API_ERRORS}, auth=READ)
def scores(request: HttpRequest, q: Query[ScoresQuery]) -> dict[str, Any]:
    """Composite scores (GB/T 30428.4 style) and grades A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, E."""
    snaps = selectors.latest_snapshots(1)
    if q.month:
        month = q.month.replace(day=1)
    else:
        month = snaps[-1].month if snaps else services.last_closed_month()
    version, weights, rows = selectors.composite(actor=actor(request), kind=q.kind, month=month)
    return {
        "kind": q.kind,
        "month": month,
        "weights_version": version,
        "weights": weights,
        "scores": [r.__dict__ for r in rows],
    }


@router.post("/weights", response={201: WeightsOut, **API_ERRORS}, auth=api_roles(*MANAGE_ROLES))
def publish_weights(request: HttpRequest, body: WeightsIn) -> HttpStatus:
    """A new version of a composite score's weights; refused unless they add up to 100%."""
    ws = services.weights_publish(
        actor=actor(request), kind=body.kind, weights=body.weights, note=body.note
    )
    return HttpStatus(201, {"kind": ws.kind, "version": ws.version, "weights": ws.weights})


# EVAL-2's endpoints live in their own module, under the same prefix.
router.add_router("", "linli.evaluation.api_projects.router")
