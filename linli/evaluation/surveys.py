"""EVAL-1: monthly community satisfaction surveys — opened by community staff, answered by
residents (or entered by staff for residents without a phone, 代办), one answer per
resident per survey (a database constraint), results public with their answer count."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core.audit.services import audit_record
from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.core.roles import COMMUNITY_ROLES, Role
from linli.evaluation.models import Survey, SurveyResponse
from linli.geo.models import Community
from linli.geo.scope import Scope
from linli.people.selectors import resident_get, resident_of_user

DEFAULT_QUESTIONS = (
    gettext_lazy("您对本月社区环境卫生满意吗?"),
    gettext_lazy("您对社区办事的速度满意吗?"),
    gettext_lazy("您对社区工作人员的态度满意吗?"),
)
SCALE = (
    (5, gettext_lazy("满意")),
    (4, gettext_lazy("基本满意")),
    (3, gettext_lazy("一般")),
    (2, gettext_lazy("不满意")),
    (1, gettext_lazy("很不满意")),
)
SATISFIED = 4
STAFF_ROLES = (*COMMUNITY_ROLES, Role.SYSADMIN)


def can_run(actor: Any, community_id: int) -> bool:
    """Community staff of that community (and the system administrator)."""
    if actor is None or not actor.is_authenticated:
        return False
    if actor.role == Role.SYSADMIN:
        return True
    return actor.role in COMMUNITY_ROLES and community_id in Scope.for_actor(actor).community_ids


def survey_open(*, actor: Any, community: Community, month: dt.date | None = None) -> Survey:
    """This month's survey of the community, with the default questions, open to month end."""
    if not can_run(actor, community.pk):
        raise PermissionDenied(_("只有本社区的工作人员可以发起满意度调查。"))
    today = timezone.localdate()
    month = (month or today).replace(day=1)
    if month != today.replace(day=1):
        raise ValidationFailed(_("只能发起本月的调查。"), field="month")
    nxt = (month + dt.timedelta(days=32)).replace(day=1)
    tz = timezone.get_default_timezone()
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                community=community,
                month=month,
                title=_("%(community)s %(month)s 居民满意度调查")
                % {"community": community.name, "month": f"{month:%Y-%m}"},
                questions=[str(q) for q in DEFAULT_QUESTIONS],
                closes_at=dt.datetime.combine(nxt, dt.time.min, tz),
                created_by=actor,
            )
            audit_record(actor=actor, action="evaluation.survey_open", obj=survey)
    except IntegrityError as exc:
        raise Conflict(_("本社区本月的调查已经发起。"), code="survey_exists") from exc
    return survey


def survey_get(*, survey_id: int) -> Survey:
    survey = Survey.objects.select_related("community").filter(pk=survey_id).first()
    if survey is None:
        raise NotFound(_("找不到这次调查。"))
    return survey


def _clean(survey: Survey, answers: Any) -> list[int]:
    if (
        not isinstance(answers, list | tuple)
        or len(answers) != len(survey.questions)
        or any(a is None for a in answers)
    ):
        raise ValidationFailed(_("请回答每一个问题。"), field="answers")
    clean = []
    for value in answers:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise ValidationFailed(_("每个问题请选 1 到 5 分。"), field="answers")
        clean.append(value)
    return clean


def survey_answer(
    *, actor: Any, survey: Survey, answers: Any, resident_id: int | None = None
) -> SurveyResponse:
    """A resident's answers: their own (`resident_id` None), or entered by the community's
    staff for a resident of the community. A second answer is refused (the constraint)."""
    if timezone.now() >= survey.closes_at:
        raise Conflict(_("这次调查已经结束。"), code="survey_closed")
    clean = _clean(survey, answers)
    entered_by = None
    if resident_id is None:
        brief = resident_of_user(actor)
        if brief is None or brief.community_id != survey.community_id:
            raise PermissionDenied(_("只有本社区的居民可以回答这次调查。"))
        resident_id = brief.id
    else:
        if not can_run(actor, survey.community_id):
            raise PermissionDenied(_("只有本社区的工作人员可以代居民填写。"))
        resident = resident_get(actor=actor, resident_id=resident_id)
        home = resident.household.building.grid if resident.household is not None else None
        if home is None or home.community_id != survey.community_id:
            raise ValidationFailed(_("这位居民不住在本社区。"), field="resident_id")
        entered_by = actor
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                survey=survey, resident_id=resident_id, answers=clean, entered_by=entered_by
            )
            audit_record(
                actor=actor,
                action="evaluation.survey_answer",
                obj=response,
                data={"survey": survey.pk, "entered": entered_by is not None},
            )
    except IntegrityError as exc:
        raise Conflict(
            _("这位居民已经回答过这次调查,每人只能答一次。"), code="already_answered"
        ) from exc
    return response


def answered(*, survey: Survey, user: Any) -> bool:
    brief = resident_of_user(user)
    return bool(
        brief and SurveyResponse.objects.filter(survey=survey, resident_id=brief.id).exists()
    )


@dataclass(frozen=True)
class QuestionResult:
    text: str
    average: float | None
    satisfied: float | None  # share answering 4 or 5, percent
    counts: dict[int, int]


def survey_results(survey: Survey) -> tuple[int, list[QuestionResult]]:
    """(number of answers, per question: average, share satisfied, count per score)."""
    rows = list(SurveyResponse.objects.filter(survey=survey).values_list("answers", flat=True))
    out = []
    for i, text in enumerate(survey.questions):
        scores = [r[i] for r in rows if i < len(r)]
        counts = {v: scores.count(v) for v in (5, 4, 3, 2, 1)}
        n = len(scores)
        out.append(
            QuestionResult(
                text=_(text),
                average=round(sum(scores) / n, 2) if n else None,
                satisfied=round(100 * sum(1 for s in scores if s >= SATISFIED) / n, 1)
                if n
                else None,
                counts=counts,
            )
        )
    return len(rows), out


def survey_counts(*, start: dt.datetime, end: dt.datetime, by: str) -> dict[str, dict[str, int]]:
    """For the metric registry: answers (every question counts) and satisfied answers of the
    surveys of the months in [start, end), grouped by place."""
    paths = {
        "all": None,
        "street": "survey__community__street_id",
        "community": "survey__community_id",
        "pilot": "survey__community__is_pilot",
    }
    if by not in paths:
        return {}
    path = paths[by]
    rows = SurveyResponse.objects.filter(
        survey__month__gte=start.date(), survey__month__lt=end.date()
    ).values_list(path or "survey_id", "answers")
    out: dict[str, dict[str, int]] = {}
    for key, answers in rows:
        name = (
            "all" if path is None else ("1" if key is True else "0" if key is False else str(key))
        )
        c = out.setdefault(name, {"answers": 0, "satisfied": 0})
        c["answers"] += len(answers)
        c["satisfied"] += sum(1 for a in answers if a >= SATISFIED)
    return out
