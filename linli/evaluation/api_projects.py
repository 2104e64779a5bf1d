"""/api/evaluation (EVAL-2): service projects, their half-yearly evaluations with evidence,
reinstatement and funding-cut decisions. Same services as the pages."""

from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import File, Router
from ninja import Status as HttpStatus
from ninja.files import UploadedFile

from linli.core.access import api_roles
from linli.core.schemas import Int
from linli.core.web import API_ERRORS, actor
from linli.evaluation import policy, projects
from linli.evaluation.models import FundingCut, ProjectEvaluation, ServiceProject
from linli.evaluation.schemas import (
    CutDecideIn,
    CutOut,
    EvaluationOut,
    EvaluationSaveIn,
    EvaluationStartIn,
    ProjectDetailOut,
    ProjectIn,
    ProjectOut,
    ReasonIn,
)

router = Router(tags=["evaluation"])
READ = api_roles(*policy.PROJECT_READ_ROLES)
EVALUATE = api_roles(*policy.EVALUATOR_ROLES)
MANAGE = api_roles(*policy.PROJECT_MANAGE_ROLES)


def project_out(p: ServiceProject) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "organisation": p.organisation,
        "community_id": p.community.pk,
        "fund_project_id": p.fund_project_id,
        "partner_id": p.partner_id,
        "qualified": p.qualified,
        "revoked_at": p.revoked_at,
        "revoked_reason": p.revoked_reason,
        "reinstated_at": p.reinstated_at,
        "reinstated_reason": p.reinstated_reason,
    }


def evaluation_out(e: ProjectEvaluation, user: Any) -> dict[str, Any]:
    return {
        **{
            f: getattr(e, f)
            for f in (
                "year",
                "half",
                "state",
                "criteria",
                "pass_mark",
                "scores",
                "total",
                "passed",
                "comments",
                "served_people",
                "idle_rate",
                "cost_per_person_fen",
                "submitted_at",
            )
        },
        "id": e.pk,
        "project_id": e.project_id,
        "evidence": [
            {
                "id": f.pk,
                "name": f.name,
                "content_type": f.content_type,
                "size": f.size,
                "url": reverse("api:project_evidence", args=[f.pk]),
            }
            for f in e.evidence.all()
        ],
        "actions": policy.evaluation_actions(user, e.state),
    }


def cut_out(c: FundingCut) -> dict[str, Any]:
    fields = ("year", "percent", "budget_before", "budget_after", "why", "state", "reason")
    return {"id": c.pk, "project_id": c.project_id, **{f: getattr(c, f) for f in fields}}


def _detail(request: HttpRequest, project_id: Int) -> dict[str, Any]:
    user = actor(request)
    p = projects.project_get(actor=user, project_id=project_id)
    return {
        **project_out(p),
        "evaluations": [evaluation_out(e, user) for e in p.evaluations.order_by("-year", "-half")],
        "cuts": [cut_out(c) for c in FundingCut.objects.filter(project=p)],
    }


@router.get("/projects", response={200: list[ProjectOut], **API_ERRORS}, auth=READ)
def project_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The service projects in the caller's scope, with their operating qualification."""
    return [project_out(p) for p in projects.projects_for(actor(request))[:500]]


@router.post("/projects", response={201: ProjectOut, **API_ERRORS}, auth=MANAGE)
def project_register(request: HttpRequest, body: ProjectIn) -> HttpStatus:
    """Register a ledger fund project and/or a matching partner for evaluation."""
    p = projects.project_register(
        actor=actor(request), fund_project_id=body.fund_project_id, partner_id=body.partner_id
    )
    return HttpStatus(201, project_out(projects.project_get(actor=actor(request), project_id=p.pk)))


@router.get("/projects/{project_id}", response={200: ProjectDetailOut, **API_ERRORS}, auth=READ)
def project_detail(request: HttpRequest, project_id: Int) -> dict[str, Any]:
    return _detail(request, project_id)


@router.post(
    "/projects/{project_id}/evaluations",
    response={201: EvaluationOut, **API_ERRORS},
    auth=EVALUATE,
)
def evaluation_start(request: HttpRequest, project_id: Int, body: EvaluationStartIn) -> HttpStatus:
    """Open the half-year's evaluation (one per project and half-year: 409 `duplicate`)."""
    e = projects.evaluation_start(
        actor=actor(request), project_id=project_id, year=body.year, half=body.half
    )
    return HttpStatus(201, evaluation_out(e, actor(request)))


@router.post(
    "/projects/{project_id}/reinstate",
    response={200: ProjectOut, **API_ERRORS},
    auth=api_roles(*policy.REINSTATE_ROLES),
)
def project_reinstate(request: HttpRequest, project_id: Int, body: ReasonIn) -> dict[str, Any]:
    p = projects.project_reinstate(actor=actor(request), project_id=project_id, reason=body.reason)
    return project_out(p)


@router.get(
    "/project-evaluations/{evaluation_id}", response={200: EvaluationOut, **API_ERRORS}, auth=READ
)
def evaluation_detail(request: HttpRequest, evaluation_id: Int) -> dict[str, Any]:
    e = projects.evaluation_get(actor=actor(request), evaluation_id=evaluation_id)
    return evaluation_out(e, actor(request))


@router.put(
    "/project-evaluations/{evaluation_id}",
    response={200: EvaluationOut, **API_ERRORS},
    auth=EVALUATE,
)
def evaluation_save(
    request: HttpRequest, evaluation_id: Int, body: EvaluationSaveIn
) -> dict[str, Any]:
    """Save the draft: scores 0–100 per criterion key, comments, people served."""
    e = projects.evaluation_save(
        actor=actor(request),
        evaluation_id=evaluation_id,
        scores=body.scores,
        comments=body.comments,
        served_people=body.served_people,
    )
    return evaluation_out(e, actor(request))


@router.post(
    "/project-evaluations/{evaluation_id}/submit",
    response={200: EvaluationOut, **API_ERRORS},
    auth=EVALUATE,
)
def evaluation_submit(request: HttpRequest, evaluation_id: Int) -> dict[str, Any]:
    """Submit: the total decides pass or fail; two fails in a row revoke the qualification,
    low resource efficiency proposes next year's funding cut."""
    e = projects.evaluation_submit(actor=actor(request), evaluation_id=evaluation_id)
    return evaluation_out(e, actor(request))


@router.post(
    "/project-evaluations/{evaluation_id}/confirm",
    response={200: EvaluationOut, **API_ERRORS},
    auth=MANAGE,
)
def evaluation_confirm(request: HttpRequest, evaluation_id: Int) -> dict[str, Any]:
    e = projects.evaluation_confirm(actor=actor(request), evaluation_id=evaluation_id)
    return evaluation_out(e, actor(request))


@router.post(
    "/project-evaluations/{evaluation_id}/evidence",
    response={201: EvaluationOut, **API_ERRORS},
    auth=EVALUATE,
)
def evidence_add(request: HttpRequest, evaluation_id: Int, file: File[UploadedFile]) -> HttpStatus:
    """A photo (re-encoded, metadata stripped) or a PDF, at most 10 MB, multipart `file`."""
    projects.evidence_add(
        actor=actor(request),
        evaluation_id=evaluation_id,
        name=file.name or "",
        data=file.read(projects.EVIDENCE_MAX_BYTES + 1),
    )
    e = projects.evaluation_get(actor=actor(request), evaluation_id=evaluation_id)
    return HttpStatus(201, evaluation_out(e, actor(request)))


@router.get(
    "/project-evidence/{evidence_id}",
    response={200: None, **API_ERRORS},
    auth=READ,
    url_name="project_evidence",
)
def evidence_file(request: HttpRequest, evidence_id: Int) -> FileResponse:
    """The file itself (staff in the project's scope only)."""
    item = projects.evidence_open(actor=actor(request), evidence_id=evidence_id)
    response = FileResponse(
        item.file.open("rb"), content_type=item.content_type, as_attachment=True, filename=item.name
    )
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "/funding-cuts/{cut_id}/decide",
    response={200: CutOut, **API_ERRORS},
    auth=api_roles(*policy.CUT_ROLES),
)
def cut_decide(request: HttpRequest, cut_id: Int, body: CutDecideIn) -> dict[str, Any]:
    """Accept (the ledger lowers the fund project's budget) or decline with a reason."""
    c = projects.cut_decide(
        actor=actor(request), cut_id=cut_id, accept=body.accept, reason=body.reason
    )
    return cut_out(c)
