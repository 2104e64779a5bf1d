"""Service projects with evaluations for the demo (EVAL-2), through the real services: the
ledger demo community's fund projects, one run by the 阳光社工服务中心 partner:

* 长者助餐服务 (阳光社工): failed 2025H2 and 2026H1 → qualification revoked;
* 老旧小区楼道加装扶手: passed this half-year, but ¥12,000 paid for 10 people served is above
  the ¥500-a-person limit → next year's 50% cut proposed to the secretary;
* 四点半课堂: passed 2026H1, confirmed by the street office.
"""

from typing import Any

from django.utils import timezone

from linli.accounts.models import User
from linli.core.roles import Role
from linli.evaluation import projects
from linli.evaluation.models import ServiceProject
from linli.geo.models import Street
from linli.ledger.models import Project, ProjectStatus
from linli.ledger.services.funds import project_decide, project_disburse, project_propose
from linli.matching.models import Partner

GOOD = {"outcome": 85, "satisfaction": 88, "funds": 80, "management": 78, "local": 70}
WEAK = {"outcome": 50, "satisfaction": 55, "funds": 60, "management": 45, "local": 40}
WORSE = {"outcome": 45, "satisfaction": 50, "funds": 55, "management": 40, "local": 30}


def _user(role: Role) -> User | None:
    return User.objects.filter(username=role.value, is_active=True).first()


def _fund(
    worker: User, secretary: User, community: Any, name: str, budget: int, key: str
) -> Project:
    project = project_propose(
        actor=worker, community=community, name=name, budget=budget, idempotency_key=key
    )
    if project.status == ProjectStatus.PROPOSED:
        project = project_decide(actor=secretary, project=project, approve=True)
    return project


def _evaluate(
    evaluator: User,
    project: ServiceProject,
    year: int,
    half: int,
    scores: dict[str, int],
    comments: str,
    served: int | None = None,
) -> Any:
    ev = projects.evaluation_start(actor=evaluator, project_id=project.pk, year=year, half=half)
    projects.evaluation_save(
        actor=evaluator,
        evaluation_id=ev.pk,
        scores=scores,
        comments=comments,
        served_people=served,
    )
    return projects.evaluation_submit(actor=evaluator, evaluation_id=ev.pk)


def seed_project_evaluations(*, street: Street) -> dict[str, int]:
    worker, secretary = _user(Role.COMMUNITY_WORKER), _user(Role.SECRETARY)
    admin, evaluator = _user(Role.STREET_ADMIN), _user(Role.EVALUATOR)
    handrails = Project.objects.filter(
        idempotency_key__endswith="demo-project-handrails", community__street=street
    ).first()
    if None in (worker, secretary, admin, evaluator) or handrails is None:
        return {}
    assert worker and secretary and admin and evaluator  # for the type checker
    if ServiceProject.objects.exists():
        return {"service_projects": ServiceProject.objects.count()}
    community = handrails.community
    year = timezone.localdate().year
    half = 1 if timezone.localdate().month <= 6 else 2
    social = Partner.objects.filter(community=community, kind="social").first()

    meals = _fund(worker, secretary, community, "长者助餐服务", 4_000_000, "demo-project-meals")
    project_disburse(
        actor=worker,
        project=meals,
        amount=800_000,
        memo="首期助餐补贴",
        idempotency_key="demo-disburse-meals-1",
    )
    revoked = projects.project_register(
        actor=admin, fund_project_id=meals.pk, partner_id=social.pk if social else None
    )
    _evaluate(evaluator, revoked, year - 1, 2, WEAK, "配送记录缺失,满意度回访不足", 60)
    _evaluate(evaluator, revoked, year, 1, WORSE, "整改未落实,账目与台账不符", 55)

    cut = projects.project_register(actor=admin, fund_project_id=handrails.pk)
    _evaluate(evaluator, cut, year, half, GOOD, "扶手质量合格,但覆盖住户少、成本偏高", 10)

    classes = _fund(worker, secretary, community, "四点半课堂", 1_500_000, "demo-project-classes")
    fine = projects.project_register(actor=admin, fund_project_id=classes.pk)
    ev = _evaluate(evaluator, fine, year, 1, GOOD, "课程按计划开展,家长满意", 80)
    projects.evaluation_confirm(actor=admin, evaluation_id=ev.pk)
    return {"service_projects": ServiceProject.objects.count()}
