"""EVAL-2 pages: the service projects in the reader's scope, one project (qualification,
evaluations, funding cuts), the evaluator's form (works on a phone) and evidence downloads."""

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.access import page_roles
from linli.core.errors import ValidationFailed
from linli.core.web import Outcome, actor, call_service, error_page
from linli.evaluation import policy, projects
from linli.evaluation.models import FundingCut, ProjectEvaluation
from linli.ledger.models import Project, ProjectStatus
from linli.matching.models import Partner


def _int(raw: Any) -> int | None:
    raw = str(raw or "").strip()
    return int(raw) if raw.isdigit() else None


def _registrable(user: Any) -> tuple[list[Project], list[Partner]]:
    ids = policy.project_communities(user)
    funds = Project.objects.filter(status=ProjectStatus.APPROVED).order_by("community_id", "name")
    partners = Partner.objects.filter(active=True).order_by("community_id", "name")
    if ids is not None:
        funds, partners = funds.filter(community_id__in=ids), partners.filter(community_id__in=ids)
    return list(funds.select_related("community")[:200]), list(
        partners.select_related("community")[:200]
    )


@page_roles(*policy.PROJECT_READ_ROLES)
def project_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    error, field = "", ""
    if request.method == "POST":
        outcome = call_service(
            projects.project_register,
            actor=user,
            fund_project_id=_int(request.POST.get("fund_project_id")),
            partner_id=_int(request.POST.get("partner_id")),
        )
        if outcome.ok:
            assert outcome.value is not None
            messages.success(request, _("已登记服务项目。"))
            return redirect("evaluation:project", project_id=outcome.value.pk)
        error, field = outcome.message, outcome.field
    found = list(projects.projects_for(user)[:200])
    latest = {
        e.project_id: e
        for e in ProjectEvaluation.objects.filter(project__in=found).order_by("year", "half")
    }
    can_register = user.role in policy.PROJECT_MANAGE_ROLES
    funds, partners = _registrable(user) if can_register else ([], [])
    return render(
        request,
        "evaluation/projects.html",
        {
            "rows": [(p, latest.get(p.pk)) for p in found],
            "can_register": can_register,
            "funds": funds,
            "partners": partners,
            "error": error,
            "field": field,
        },
        status=400 if error else 200,
    )


@page_roles(*policy.PROJECT_READ_ROLES)
def project_page(request: HttpRequest, project_id: int) -> HttpResponse:
    user = actor(request)
    outcome = call_service(projects.project_get, actor=user, project_id=project_id)
    if not outcome.ok:
        assert outcome.error is not None
        return error_page(request, outcome.error)
    project = outcome.value
    assert project is not None
    error, field = "", ""
    if request.method == "POST":
        step = request.POST.get("step", "")
        result: Outcome[Any]
        if step == "start":
            result = call_service(
                projects.evaluation_start,
                actor=user,
                project_id=project.pk,
                year=_int(request.POST.get("year")) or 0,
                half=_int(request.POST.get("half")) or 0,
            )
            if result.ok:
                assert result.value is not None
                return redirect("evaluation:project_evaluation", evaluation_id=result.value.pk)
        elif step == "reinstate":
            result = call_service(
                projects.project_reinstate,
                actor=user,
                project_id=project.pk,
                reason=request.POST.get("reason", ""),
            )
        elif step in ("accept", "decline"):
            result = call_service(
                projects.cut_decide,
                actor=user,
                cut_id=_int(request.POST.get("cut_id")) or 0,
                accept=step == "accept",
                reason=request.POST.get("reason", ""),
            )
        else:
            result = Outcome(error=ValidationFailed(_("请选择要办理的事项。"), field="step"))
        if result.ok:
            messages.success(request, _("已办理。"))
            return redirect("evaluation:project", project_id=project.pk)
        if result.fatal and result.error is not None and result.error.status == 403:
            return error_page(request, result.error)
        error, field = result.message, result.field
        project = projects.project_get(actor=user, project_id=project.pk)
    today = timezone.localdate()
    return render(
        request,
        "evaluation/project.html",
        {
            "project": project,
            "evaluations": list(project.evaluations.order_by("-year", "-half")),
            "cuts": list(FundingCut.objects.filter(project=project)),
            "can_start": user.role in policy.EVALUATOR_ROLES,
            "can_reinstate": user.role in policy.REINSTATE_ROLES and not project.qualified,
            "can_decide_cut": user.role in policy.CUT_ROLES,
            "years": [today.year, today.year - 1],
            "half": 1 if today.month <= 6 else 2,
            "error": error,
            "field": field,
        },
        status=400 if error else 200,
    )


def _scores(post: Any, criteria: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in criteria:
        raw = str(post.get(f"score_{c['key']}", "")).strip()
        if raw:
            out[c["key"]] = int(raw) if raw.isdigit() else raw
    return out


@page_roles(*policy.PROJECT_READ_ROLES)
def evaluation_page(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    user = actor(request)
    outcome = call_service(projects.evaluation_get, actor=user, evaluation_id=evaluation_id)
    if not outcome.ok:
        assert outcome.error is not None
        return error_page(request, outcome.error)
    ev = outcome.value
    assert ev is not None
    error, field = "", ""
    posted: dict[str, Any] = {}
    if request.method == "POST":
        step = request.POST.get("step", "save")
        if step == "evidence":
            upload = request.FILES.get("file")
            result: Any = call_service(
                projects.evidence_add,
                actor=user,
                evaluation_id=ev.pk,
                name=upload.name if upload else "",
                data=upload.read(projects.EVIDENCE_MAX_BYTES + 1) if upload else b"",
            )
        elif step == "confirm":
            result = call_service(projects.evaluation_confirm, actor=user, evaluation_id=ev.pk)
        else:
            posted = _scores(request.POST, ev.criteria)
            served = str(request.POST.get("served_people", "")).strip()
            result = call_service(
                projects.evaluation_save,
                actor=user,
                evaluation_id=ev.pk,
                scores=posted,
                comments=request.POST.get("comments", ""),
                served_people=int(served) if served.isdigit() else None,
            )
            if result.ok and step == "submit":
                result = call_service(projects.evaluation_submit, actor=user, evaluation_id=ev.pk)
        if result.ok:
            messages.success(
                request,
                {
                    "submit": _("评估已提交。"),
                    "evidence": _("已上传佐证材料。"),
                    "confirm": _("评估已确认。"),
                }.get(step, _("已保存草稿。")),
            )
            return redirect("evaluation:project_evaluation", evaluation_id=ev.pk)
        if result.fatal and result.error is not None:
            return error_page(request, result.error)
        error, field = result.message, result.field
        ev.refresh_from_db()
    actions = policy.evaluation_actions(user, ev.state)
    editable = "save" in actions and ev.evaluator_id == user.pk
    scores = {**ev.scores, **posted}
    return render(
        request,
        "evaluation/project_evaluation.html",
        {
            "ev": ev,
            "project": ev.project,
            "criteria": [
                ({**c, "label": _(c["label"])}, scores.get(c["key"], "")) for c in ev.criteria
            ],
            "evidence": list(ev.evidence.all()),
            "editable": editable,
            "can_confirm": "confirm" in actions,
            "error": error,
            "field": field,
        },
        status=400 if error else 200,
    )


@page_roles(*policy.PROJECT_READ_ROLES)
def evidence_file(request: HttpRequest, evidence_id: int) -> HttpResponse | FileResponse:
    outcome = call_service(projects.evidence_open, actor=actor(request), evidence_id=evidence_id)
    if not outcome.ok:
        assert outcome.error is not None
        return error_page(request, outcome.error)
    item = outcome.value
    assert item is not None
    response = FileResponse(
        item.file.open("rb"), content_type=item.content_type, as_attachment=True, filename=item.name
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
