"""EVAL-1 pages: staff open the month's survey and enter answers for residents without a
phone; residents answer with one tap per question; the results board is public."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.access import page_roles, public_page
from linli.core.errors import NotFound
from linli.core.roles import Role
from linli.core.web import actor, call_service, error_page
from linli.evaluation import surveys
from linli.evaluation.models import Survey
from linli.geo.models import Community
from linli.geo.scope import Scope
from linli.people.selectors import resident_of_user, residents_brief

ANSWER_ROLES = (Role.RESIDENT, *surveys.STAFF_ROLES)
PICKER_PURPOSE = "代填满意度调查"
PICKER_LIMIT = 20


def _communities(user) -> list[Community]:  # type: ignore[no-untyped-def]
    if user.role == Role.SYSADMIN:
        return list(Community.objects.order_by("code"))
    return list(Community.objects.filter(pk__in=sorted(Scope.for_actor(user).community_ids)))


@page_roles(*ANSWER_ROLES)
def survey_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    if user.role == Role.RESIDENT:
        brief = resident_of_user(user)
        found = Survey.objects.filter(community_id=(brief.community_id or -1) if brief else -1)
        return render(request, "evaluation/surveys.html", {"surveys": found[:12], "staff": False})
    communities = _communities(user)
    found = Survey.objects.filter(community__in=communities).select_related("community")
    return render(
        request,
        "evaluation/surveys.html",
        {"surveys": found[:50], "staff": True, "communities": communities},
    )


@require_POST
@page_roles(*surveys.STAFF_ROLES)
def survey_new(request: HttpRequest, community_id: int) -> HttpResponse:
    community = Community.objects.filter(pk=community_id).first()
    if community is None:
        return error_page(request, NotFound(_("找不到这个社区。")))
    outcome = call_service(surveys.survey_open, actor=actor(request), community=community)
    if outcome.fatal and outcome.error is not None:
        return error_page(request, outcome.error)
    if not outcome.ok:
        messages.error(request, outcome.message)
        return redirect("evaluation:surveys")
    assert outcome.value is not None
    return redirect("evaluation:survey", survey_id=outcome.value.pk)


@page_roles(*ANSWER_ROLES)
def survey_page(request: HttpRequest, survey_id: int) -> HttpResponse:
    user = actor(request)
    try:
        survey = surveys.survey_get(survey_id=survey_id)
    except NotFound as exc:
        return error_page(request, exc)
    staff = surveys.can_run(user, survey.community_id)
    if not staff:
        brief = resident_of_user(user)
        if brief is None or brief.community_id != survey.community_id:
            return error_page(request, NotFound(_("找不到这次调查。")))
    error, field = "", ""
    if request.method == "POST":
        answers = []
        for i in range(len(survey.questions)):
            raw = request.POST.get(f"q{i}", "")
            answers.append(int(raw) if raw.isdigit() else (raw or None))
        # The picker's choice, else a record number typed in.
        resident_raw = (
            request.POST.get("resident_id", "") or request.POST.get("resident_number", "")
        ).strip()
        resident_id = None
        if staff:
            resident_id = int(resident_raw) if resident_raw.isdigit() else -1
        outcome = call_service(
            surveys.survey_answer,
            actor=user,
            survey=survey,
            answers=answers,
            resident_id=resident_id,
        )
        if outcome.ok:
            messages.success(
                request, _("谢谢!您的回答已经记下。") if not staff else _("已代居民记下回答。")
            )
            return redirect("evaluation:survey", survey_id=survey.pk)
        error, field = outcome.message, outcome.field
    count, results = surveys.survey_results(survey)
    q = (request.GET.get("q") or "").strip()[:50] if staff else ""
    found = (
        list(
            residents_brief(
                actor=user,
                search=q,
                community_id=survey.community_id,
                purpose=PICKER_PURPOSE,
                limit=PICKER_LIMIT,
            ).values()
        )
        if q
        else []
    )
    return render(
        request,
        "evaluation/survey.html",
        {
            "survey": survey,
            "staff": staff,
            "done": not staff and surveys.answered(survey=survey, user=user),
            # The default questions come from the catalogue: shown in the reader's language.
            "questions": list(enumerate(_(q) for q in survey.questions)),
            "scale": surveys.SCALE,
            "error": error,
            "field": field,
            "count": count,
            "results": results if staff else [],
            "q": q,
            "found": found,
            "picker_limit": PICKER_LIMIT,
        },
        status=400 if error else 200,
    )


@public_page
def board(request: HttpRequest, community_id: int) -> HttpResponse:
    """The community's public results: every survey with its number of answers."""
    community = Community.objects.filter(pk=community_id).first()
    if community is None:
        return error_page(request, NotFound(_("找不到这个社区。")))
    found = [
        (s, *surveys.survey_results(s))
        for s in Survey.objects.filter(community=community).order_by("-month")[:12]
    ]
    return render(request, "evaluation/board.html", {"community": community, "found": found})
