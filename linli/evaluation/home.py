"""What evaluation puts on the role home page."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.registry import Tile
from linli.core.roles import Role
from linli.evaluation.models import Survey
from linli.evaluation.policy import DASHBOARD_ROLES, PROJECT_READ_ROLES
from linli.evaluation.surveys import STAFF_ROLES, answered
from linli.people.selectors import resident_of_user


def tiles(user: Any) -> list[Tile]:
    out = []
    if user.role in DASHBOARD_ROLES:
        out.append(
            Tile(_("考核评估"), _("按月趋势、排名和试点对比"), reverse("evaluation:dashboard"), 600)
        )
    if user.role in PROJECT_READ_ROLES:
        hint = (
            _("第三方评估打分、上传佐证")
            if user.role == Role.EVALUATOR
            else _("评估结果、运营资格与经费")
        )
        out.append(Tile(_("服务项目评估"), hint, reverse("evaluation:projects"), 605))
    if user.role in STAFF_ROLES:
        out.append(
            Tile(_("满意度调查"), _("发起调查、代居民填写"), reverse("evaluation:surveys"), 610)
        )
    elif user.role == Role.RESIDENT:
        brief = resident_of_user(user)
        survey = (
            Survey.objects.filter(community_id=brief.community_id, closes_at__gt=timezone.now())
            .order_by("-month")
            .first()
            if brief and brief.community_id
            else None
        )
        if survey is not None and not answered(survey=survey, user=user):
            url = reverse("evaluation:survey", args=[survey.pk])
            out.append(Tile(_("本月满意度调查"), _("三个问题,点一下就好"), url, 150))
    return out
