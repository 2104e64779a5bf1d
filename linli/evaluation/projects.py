"""EVAL-2 services: register a service project, the half-yearly scored evaluation with
evidence, the qualification (revoked after two failed evaluations in a row, reinstated by the
administrator) and the funding cut proposed after low resource efficiency.

Each step: lock → check policy → check state → save → audit → notify after commit. Ledger and
matching sit below this app: they refuse new funds and bookings through
`core.registry.qualification_checks`, which `qualification_reason` fills (see apps.py)."""

import datetime as dt
import hashlib
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from linli.accounts.choices import MembershipKind
from linli.core.audit.services import audit_record
from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.core.notifications.services import notification_send
from linli.core.photos import photo_process
from linli.core.text import optional_text, require_text
from linli.evaluation import policy
from linli.evaluation.models_projects import (
    EfficiencyRule,
    EvaluationEvidence,
    FundingCut,
    ProjectEvaluation,
    ScoreSheet,
    ServiceProject,
)
from linli.geo.scope import community_staff, street_admins_q
from linli.ledger import stats as ledger_stats
from linli.ledger.models import Project, ProjectStatus
from linli.ledger.services import funds as ledger_funds
from linli.ledger.services.common import settings_for
from linli.matching import selectors as matching_selectors
from linli.matching.models import Partner

State = ProjectEvaluation.State
SUBMITTED = (State.SUBMITTED, State.CONFIRMED)

# Stored in Chinese (data); pages show the default labels in the reader's language.
DEFAULT_CRITERIA = [
    {"key": "outcome", "label": gettext_noop("服务成效"), "weight": 30},
    {"key": "satisfaction", "label": gettext_noop("居民满意度"), "weight": 25},
    {"key": "funds", "label": gettext_noop("资金使用规范"), "weight": 20},
    {"key": "management", "label": gettext_noop("组织管理"), "weight": 15},
    {"key": "local", "label": gettext_noop("本地居民参与"), "weight": 10},
]
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_MAX_FILES = 20


# ---- data: the sheet and the efficiency limits -------------------------------------------


def sheet_current() -> ScoreSheet:
    sheet = ScoreSheet.objects.filter(active=True).first()
    if sheet is None:
        sheet = ScoreSheet.objects.create(
            name="服务项目第三方评估(默认)", criteria=DEFAULT_CRITERIA, pass_mark=60
        )
    return sheet


def rule_current() -> EfficiencyRule:
    rule = EfficiencyRule.objects.filter(active=True).first()
    return rule or EfficiencyRule.objects.create()


def sheet_check(criteria: Any, pass_mark: Any) -> None:
    """A sheet's weights are whole percents adding up to exactly 100 (used by the admin)."""
    if not isinstance(criteria, list) or not criteria:
        raise ValidationFailed(_("评分表至少要有一个评分项。"), field="criteria")
    keys = set()
    for c in criteria:
        w = c.get("weight") if isinstance(c, dict) else None
        if not isinstance(w, int) or isinstance(w, bool) or w <= 0 or not c.get("key"):
            raise ValidationFailed(_("每个评分项须有代码和正整数权重。"), field="criteria")
        keys.add(c["key"])
    if len(keys) != len(criteria):
        raise ValidationFailed(_("评分项代码不能重复。"), field="criteria")
    if sum(c["weight"] for c in criteria) != 100:
        raise ValidationFailed(_("评分项权重之和须为 100%。"), field="criteria")
    if not isinstance(pass_mark, int) or not 0 < pass_mark <= 100:
        raise ValidationFailed(_("合格分应在 1 到 100 之间。"), field="pass_mark")


def score_total(criteria: list[dict[str, Any]], scores: dict[str, int]) -> float:
    """Σ weight × score ÷ 100, one decimal: each criterion scored 0–100."""
    return round(sum(c["weight"] * scores[c["key"]] for c in criteria) / 100, 1)


def half_bounds(year: int, half: int) -> tuple[dt.date, dt.date]:
    """[first day, first day of the next half-year)."""
    if half == 1:
        return dt.date(year, 1, 1), dt.date(year, 7, 1)
    return dt.date(year, 7, 1), dt.date(year + 1, 1, 1)


# ---- reading ------------------------------------------------------------------------------


def projects_for(actor: Any) -> Any:
    ids = policy.project_communities(actor)
    qs = ServiceProject.objects.select_related(
        "fund_project__community", "partner__community"
    ).order_by("pk")
    return qs if ids is None else qs.in_communities(ids)


def project_get(*, actor: Any, project_id: int) -> ServiceProject:
    found = projects_for(actor).filter(pk=project_id).first()
    if found is None:
        raise NotFound(_("找不到该服务项目。"))
    return found


def evaluation_get(*, actor: Any, evaluation_id: int) -> ProjectEvaluation:
    found = (
        ProjectEvaluation.objects.filter(pk=evaluation_id, project__in=projects_for(actor))
        .select_related("project__fund_project__community", "project__partner__community")
        .first()
    )
    if found is None:
        raise NotFound(_("找不到该评估。"))
    return found


def _lock_evaluation(actor: Any, evaluation_id: int, action: str) -> ProjectEvaluation:
    evaluation_get(actor=actor, evaluation_id=evaluation_id)  # scope
    ev = ProjectEvaluation.objects.select_for_update().get(pk=evaluation_id)
    if actor.role not in policy.EVALUATION_ACTORS[action]:
        raise PermissionDenied(_("您的角色不能办理这一步。"))
    if action in ("save", "evidence", "submit") and ev.evaluator_id != actor.pk:
        raise PermissionDenied(_("只能填写自己负责的评估。"))
    if policy.evaluation_next(ev.state, action) is None:
        raise Conflict(
            _("评估%(state)s,不能再办理这一步。") % {"state": ev.get_state_display()},
            code="wrong_state",
        )
    return ev


def _tell(users: list[Any], title: str, url: str) -> None:
    for user in {u.pk: u for u in users}.values():
        transaction.on_commit(partial(notification_send, recipient=user, title=title, url=url))


# ---- steps --------------------------------------------------------------------------------


@transaction.atomic
def project_register(
    *, actor: Any, fund_project_id: int | None = None, partner_id: int | None = None
) -> ServiceProject:
    """Register a fund project and/or a partner (the organisation running it) for evaluation."""
    if actor.role not in policy.PROJECT_MANAGE_ROLES:
        raise PermissionDenied(_("服务项目由街道办或系统管理员登记。"))
    if fund_project_id is None and partner_id is None:
        raise ValidationFailed(_("请选择基金项目或合作单位。"), field="fund_project_id")
    allowed = policy.project_communities(actor)
    fund = partner = None
    if fund_project_id is not None:
        fund = Project.objects.filter(pk=fund_project_id).first()
        if fund is None or (allowed is not None and fund.community_id not in allowed):
            raise NotFound(_("找不到该基金项目。"), field="fund_project_id")
    if partner_id is not None:
        partner = Partner.objects.filter(pk=partner_id).first()
        if partner is None or (allowed is not None and partner.community_id not in allowed):
            raise NotFound(_("找不到该合作单位。"), field="partner_id")
    if fund and partner and fund.community_id != partner.community_id:
        raise ValidationFailed(_("基金项目和合作单位须属于同一社区。"), field="partner_id")
    taken = Q(fund_project=fund) if fund else Q(pk__in=[])
    if partner:
        taken |= Q(partner=partner)
    if ServiceProject.objects.filter(taken).exists():
        raise Conflict(_("该项目已经登记。"), code="duplicate")
    try:
        with transaction.atomic():
            project = ServiceProject.objects.create(
                fund_project=fund, partner=partner, registered_by=actor
            )
    except IntegrityError as exc:  # a parallel registration of the same project
        raise Conflict(_("该项目已经登记。"), code="duplicate") from exc
    audit_record(
        actor=actor,
        action="evaluation.project.register",
        obj=project,
        data={"fund_project": fund_project_id, "partner": partner_id},
    )
    return project


@transaction.atomic
def evaluation_start(*, actor: Any, project_id: int, year: int, half: int) -> ProjectEvaluation:
    """Open the half-year's evaluation form (a draft); one per project and half-year."""
    if actor.role not in policy.EVALUATOR_ROLES:
        raise PermissionDenied(_("项目评估由第三方评估机构填写。"))
    project = project_get(actor=actor, project_id=project_id)
    if half not in (1, 2):
        raise ValidationFailed(_("请选择上半年或下半年。"), field="half")
    today = timezone.localdate()
    if not 2000 <= year <= today.year or half_bounds(year, half)[0] > today:
        raise ValidationFailed(_("只能评估已经开始的半年度。"), field="year")
    if ProjectEvaluation.objects.filter(project=project, year=year, half=half).exists():
        raise Conflict(_("该项目本半年度已有评估。"), code="duplicate")
    sheet = sheet_current()
    try:
        with transaction.atomic():
            ev = ProjectEvaluation.objects.create(
                project=project,
                year=year,
                half=half,
                sheet=sheet,
                criteria=sheet.criteria,
                pass_mark=sheet.pass_mark,
                evaluator=actor,
            )
    except IntegrityError as exc:  # the database keeps one per half-year
        raise Conflict(_("该项目本半年度已有评估。"), code="duplicate") from exc
    audit_record(
        actor=actor,
        action="evaluation.project.start",
        obj=ev,
        data={"project": project.pk, "period": ev.period},
    )
    return ev


def _clean_scores(criteria: list[dict[str, Any]], scores: Any) -> dict[str, int]:
    if not isinstance(scores, dict):
        raise ValidationFailed(_("请为每个评分项打分。"), field="scores")
    keys = {c["key"] for c in criteria}
    unknown = set(scores) - keys
    if unknown:
        raise ValidationFailed(_("有不认识的评分项。"), field="scores")
    out = {}
    for key, value in scores.items():
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise ValidationFailed(_("每项得分应为 0 到 100 的整数。"), field=f"score_{key}")
        out[key] = value
    return out


@transaction.atomic
def evaluation_save(
    *,
    actor: Any,
    evaluation_id: int,
    scores: Any,
    comments: str = "",
    served_people: int | None = None,
) -> ProjectEvaluation:
    """Save the draft (scores may be partial)."""
    ev = _lock_evaluation(actor, evaluation_id, "save")
    ev.scores = _clean_scores(ev.criteria, scores)
    ev.comments = optional_text(comments, field="comments", label=_("评估意见"), max_length=3000)
    if served_people is not None and (
        isinstance(served_people, bool) or not 0 <= served_people <= 10_000_000
    ):
        raise ValidationFailed(_("服务人数应为 0 或正整数。"), field="served_people")
    ev.served_people = served_people
    ev.save(update_fields=["scores", "comments", "served_people", "updated_at"])
    audit_record(
        actor=actor, action="evaluation.project.save", obj=ev, data={"scored": sorted(ev.scores)}
    )
    return ev


def _efficiency(ev: ProjectEvaluation) -> tuple[float | None, int | None]:
    """The half-year's venue idle rate (the partner's venues) and cost per served person
    (fen paid to the fund project ÷ people served), each None when it does not apply."""
    start, end = half_bounds(ev.year, ev.half)
    project = ev.project
    idle = None
    if project.partner is not None:
        tz = timezone.get_current_timezone()
        until = min(dt.datetime.combine(end, dt.time(), tz), timezone.now())
        since = dt.datetime.combine(start, dt.time(), tz)
        days = max(1, (until - since).days)
        idle = matching_selectors.partner_idle_rate(
            partner_id=project.partner.pk,
            community_id=project.partner.community_id,
            end=until,
            days=days,
        )
    cost = None
    if project.fund_project_id and ev.served_people:
        paid = ledger_stats.project_disbursed(
            project_id=project.fund_project_id, start=start, end=end
        )
        cost = round(paid / ev.served_people)
    return idle, cost


@transaction.atomic
def evaluation_submit(*, actor: Any, evaluation_id: int) -> ProjectEvaluation:
    """Submit: every criterion scored and comments written; the total decides pass or fail.
    Two failed evaluations in a row revoke the qualification; low efficiency proposes a cut."""
    ev = _lock_evaluation(actor, evaluation_id, "submit")
    missing = [c["label"] for c in ev.criteria if c["key"] not in ev.scores]
    if missing:
        raise ValidationFailed(
            _("还有评分项未打分:%(items)s") % {"items": "、".join(missing)}, field="scores"
        )
    if not ev.comments.strip():
        raise ValidationFailed(_("请填写评估意见。"), field="comments")
    ev.total = score_total(ev.criteria, ev.scores)
    ev.passed = ev.total >= ev.pass_mark
    ev.idle_rate, ev.cost_per_person_fen = _efficiency(ev)
    ev.state = State.SUBMITTED
    ev.submitted_at = timezone.now()
    ev.save()
    audit_record(
        actor=actor,
        action="evaluation.project.submit",
        obj=ev,
        data={"total": ev.total, "passed": ev.passed, "period": ev.period},
    )
    project = ServiceProject.objects.select_for_update().get(pk=ev.project_id)
    _maybe_revoke(actor, project)
    _maybe_propose_cut(actor, project, ev)
    return ev


def _maybe_revoke(actor: Any, project: ServiceProject) -> None:
    """Revoke when the two latest submitted evaluations (since any reinstatement) failed."""
    if project.revoked_at is not None:
        return
    latest = ProjectEvaluation.objects.filter(project=project, state__in=SUBMITTED)
    if project.reinstated_at is not None:
        latest = latest.filter(submitted_at__gt=project.reinstated_at)
    last_two = list(latest.order_by("-year", "-half")[:2])
    if len(last_two) < 2 or any(e.passed for e in last_two):
        return
    periods = "、".join(e.period for e in reversed(last_two))
    project.revoked_at = timezone.now()
    project.revoked_reason = f"连续两次评估不合格({periods})"
    project.save(update_fields=["revoked_at", "revoked_reason", "updated_at"])
    audit_record(
        actor=actor,
        action="evaluation.project.revoke",
        obj=project,
        data={"periods": [e.period for e in last_two]},
    )
    staff = community_staff([project.community.pk]).get(project.community.pk, [])
    _tell(
        staff,
        _("服务项目“%(name)s”连续两次评估不合格,运营资格已撤销") % {"name": project.name},
        reverse("evaluation:project", args=[project.pk]),
    )


def _cut_deciders(fund: Project) -> list[Any]:
    from django.contrib.auth import get_user_model

    if fund.budget <= settings_for(fund.community).street_approval_fen:
        kinds = (MembershipKind.SECRETARY,)
        return community_staff([fund.community_id], kinds).get(fund.community_id, [])
    users = get_user_model().objects.filter(street_admins_q(fund.community.street_id))
    return list(users.filter(is_active=True).distinct())


def _maybe_propose_cut(actor: Any, project: ServiceProject, ev: ProjectEvaluation) -> None:
    """Low resource efficiency → next year's funding cut, proposed to the approver."""
    rule = rule_current()
    why = []
    if ev.idle_rate is not None and ev.idle_rate * 100 > rule.max_idle_rate:
        why.append(f"场地闲置率 {ev.idle_rate * 100:.1f}% > {rule.max_idle_rate}%")
    if ev.cost_per_person_fen is not None and ev.cost_per_person_fen > rule.max_cost_per_person_fen:
        why.append(
            f"人均服务成本 ¥{ev.cost_per_person_fen / 100:.2f} > "
            f"¥{rule.max_cost_per_person_fen / 100:.2f}"
        )
    fund = project.fund_project
    if not why or fund is None or fund.status != ProjectStatus.APPROVED:
        return
    year = ev.year + 1
    if FundingCut.objects.filter(project=project, year=year).exists():
        return
    after = max(int(fund.disbursed), fund.budget * (100 - rule.cut_percent) // 100)
    cut = FundingCut.objects.create(
        project=project,
        evaluation=ev,
        year=year,
        percent=rule.cut_percent,
        budget_before=fund.budget,
        budget_after=after,
        why=";".join(why)[:300],
    )
    audit_record(
        actor=actor,
        action="evaluation.cut.propose",
        obj=cut,
        data={"year": year, "before": fund.budget, "after": after},
    )
    _tell(
        _cut_deciders(fund),
        _("服务项目“%(name)s”资源效率偏低,建议次年经费削减 %(percent)s%%,请审定")
        % {"name": project.name, "percent": rule.cut_percent},
        reverse("evaluation:project", args=[project.pk]),
    )


@transaction.atomic
def evaluation_confirm(*, actor: Any, evaluation_id: int) -> ProjectEvaluation:
    ev = _lock_evaluation(actor, evaluation_id, "confirm")
    ev.state = State.CONFIRMED
    ev.confirmed_by = actor
    ev.confirmed_at = timezone.now()
    ev.save(update_fields=["state", "confirmed_by", "confirmed_at", "updated_at"])
    audit_record(actor=actor, action="evaluation.project.confirm", obj=ev, data={})
    return ev


def _evidence_bytes(name: str, data: bytes) -> tuple[bytes, str, str]:
    """A PDF as it came (checked by its header), or a photo re-encoded by core (metadata
    stripped); anything else refused."""
    if not data:
        raise ValidationFailed(_("文件是空的。"), field="file", code="evidence_empty")
    if len(data) > EVIDENCE_MAX_BYTES:
        raise ValidationFailed(_("文件不能超过 10 MB。"), field="file", code="evidence_too_large")
    stem = (name.rsplit(".", 1)[0] or "evidence")[:100]
    if data[:5] == b"%PDF-":
        return data, "application/pdf", f"{stem}.pdf"
    try:
        photo = photo_process(data=data, max_bytes=EVIDENCE_MAX_BYTES)
    except ValidationFailed as exc:
        if exc.code != "photo_not_image":
            raise ValidationFailed(exc.message, field="file", code=exc.code) from None
        raise ValidationFailed(
            _("只能上传 PDF 文件或照片(JPEG、PNG、WebP)。"), field="file", code="evidence_type"
        ) from None
    return photo.image, "image/jpeg", f"{stem}.jpg"


@transaction.atomic
def evidence_add(*, actor: Any, evaluation_id: int, name: str, data: bytes) -> EvaluationEvidence:
    ev = _lock_evaluation(actor, evaluation_id, "evidence")
    if ev.evidence.count() >= EVIDENCE_MAX_FILES:
        raise ValidationFailed(_("每次评估最多 20 个佐证文件。"), field="file")
    content, content_type, stored_name = _evidence_bytes(name or "evidence", data)
    digest = hashlib.sha256(content).hexdigest()[:16]
    item = EvaluationEvidence(
        evaluation=ev,
        name=stored_name,
        content_type=content_type,
        size=len(content),
        uploaded_by=actor,
    )
    suffix = ".pdf" if content_type == "application/pdf" else ".jpg"
    item.file.save(f"{ev.pk}-{digest}{suffix}", ContentFile(content), save=False)
    item.save()
    audit_record(
        actor=actor,
        action="evaluation.evidence.add",
        obj=item,
        data={"evaluation": ev.pk, "size": item.size, "type": content_type},
    )
    return item


def evidence_open(*, actor: Any, evidence_id: int) -> EvaluationEvidence:
    """Staff in scope only (the project's community, its street office, the district)."""
    item = EvaluationEvidence.objects.filter(pk=evidence_id).select_related("evaluation").first()
    if item is None:
        raise NotFound(_("找不到该文件。"))
    evaluation_get(actor=actor, evaluation_id=item.evaluation_id)  # raises NotFound
    audit_record(actor=actor, action="evaluation.evidence.open", obj=item, data={})
    return item


@transaction.atomic
def project_reinstate(*, actor: Any, project_id: int, reason: str) -> ServiceProject:
    if actor.role not in policy.REINSTATE_ROLES:
        raise PermissionDenied(_("运营资格由系统管理员恢复。"))
    project_get(actor=actor, project_id=project_id)
    project = ServiceProject.objects.select_for_update().get(pk=project_id)
    reason = require_text(reason, field="reason", label=_("恢复原因"), max_length=300)
    if project.revoked_at is None:
        raise Conflict(_("该项目的运营资格没有被撤销。"), code="not_revoked")
    project.revoked_at = None
    project.reinstated_at = timezone.now()
    project.reinstated_reason = reason
    project.reinstated_by = actor
    project.save(
        update_fields=[
            "revoked_at",
            "reinstated_at",
            "reinstated_reason",
            "reinstated_by",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor, action="evaluation.project.reinstate", obj=project, data={"reason": reason}
    )
    return project


@transaction.atomic
def cut_decide(*, actor: Any, cut_id: int, accept: bool, reason: str = "") -> FundingCut:
    """The approver accepts (the ledger lowers the budget, with its own audit entry) or
    declines with a reason (nothing changes in the ledger)."""
    if actor.role not in policy.CUT_ROLES:
        raise PermissionDenied(_("经费削减由审批该项目的社区书记或街道办审定。"))
    found = FundingCut.objects.filter(pk=cut_id, project__in=projects_for(actor)).first()
    if found is None:
        raise NotFound(_("找不到该削减建议。"))
    cut = FundingCut.objects.select_for_update().select_related("project").get(pk=cut_id)
    fund_id = cut.project.fund_project_id or 0  # a cut is only ever proposed for a fund project
    fund = Project.objects.select_related("community").filter(pk=fund_id).first()
    if fund is None:
        raise NotFound(_("找不到该基金项目。"))
    if not ledger_funds.can_decide(actor, fund):
        raise PermissionDenied(_("经费削减由审批该项目的社区书记或街道办审定。"))
    if cut.state != FundingCut.State.PROPOSED:
        raise Conflict(
            _("该建议%(state)s,不能再审定。") % {"state": cut.get_state_display()},
            code="decided",
        )
    if accept:
        reason = optional_text(reason, field="reason", label=_("审定意见"), max_length=300)
        ledger_funds.project_budget_reduce(
            actor=actor,
            project=fund,
            budget=cut.budget_after,
            reason=f"{cut.year}年度经费削减{cut.percent}%:{cut.why}"[:300],
        )
        cut.state = FundingCut.State.ACCEPTED
    else:
        reason = require_text(reason, field="reason", label=_("不采纳的理由"), max_length=300)
        cut.state = FundingCut.State.DECLINED
    cut.reason = reason
    cut.decided_by = actor
    cut.decided_at = timezone.now()
    cut.save(update_fields=["state", "reason", "decided_by", "decided_at", "updated_at"])
    audit_record(
        actor=actor,
        action="evaluation.cut.decide",
        obj=cut,
        data={"accepted": accept, "reason": reason[:100]},
    )
    return cut


# ---- the hook ledger and matching call ---------------------------------------------------


def qualification_reason(subject: str, pk: int) -> str | None:
    """Filled into `core.registry.qualification_checks` (apps.py): why a fund project or a
    partner takes no new funds or bookings, or None."""
    field = {"ledger.project": "fund_project_id", "matching.partner": "partner_id"}.get(subject)
    if field is None:
        return None
    revoked = (
        ServiceProject.objects.filter(**{field: pk}, revoked_at__isnull=False)
        .values_list("revoked_reason", flat=True)
        .first()
    )
    if revoked is None:
        return None
    return _("该服务项目的运营资格已被撤销(%(why)s),不能再接受新的经费或预约。") % {"why": revoked}
