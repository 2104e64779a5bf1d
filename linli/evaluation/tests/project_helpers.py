"""A fund project (approved, with money in the fund) run by a partner with a venue, in
community A of the test world, registered for evaluation (EVAL-2)."""

import datetime as dt
from dataclasses import dataclass

from linli.evaluation import projects
from linli.evaluation.models import ProjectEvaluation, ServiceProject
from linli.ledger.models import DonorKind, Project
from linli.ledger.services.funds import donation_record, project_decide, project_propose
from linli.ledger.tests.programme_helpers import key
from linli.matching.choices import PartnerKind, ResourceKind, ResourceStatus
from linli.matching.models import Partner, Resource
from linli.testing.world import World

EVERY_DAY = [[d, "08:00", "20:00"] for d in range(7)]
GOOD = {"outcome": 80, "satisfaction": 80, "funds": 80, "management": 80, "local": 80}
BAD = {"outcome": 40, "satisfaction": 50, "funds": 60, "management": 50, "local": 30}


@dataclass
class Setup:
    project: ServiceProject
    fund: Project
    partner: Partner
    venue: Resource


def setup(world: World, *, budget: int = 1_000_000) -> Setup:
    donation_record(
        actor=world["community_worker"],
        community=world.community_a,
        donor_name="西溪科技公司",
        donor_kind=DonorKind.ENTERPRISE,
        amount=2_000_000,
        idempotency_key=key(),
        received_on=dt.date(2026, 1, 5),
    )
    fund = project_propose(
        actor=world["community_worker"],
        community=world.community_a,
        name="长者助餐服务",
        budget=budget,
        idempotency_key=key(),
    )
    project_decide(actor=world["secretary"], project=fund, approve=True)
    partner = Partner.objects.create(
        name="乐龄社工服务中心", kind=PartnerKind.SOCIAL, community=world.community_a
    )
    venue = Resource.objects.create(
        kind=ResourceKind.VENUE,
        name="乐龄活动室",
        owner_kind="partner",
        partner=partner,
        community=world.community_a,
        category="meeting",
        capacity=30,
        hours=EVERY_DAY,
        status=ResourceStatus.APPROVED,
    )
    project = projects.project_register(
        actor=world["street_admin"], fund_project_id=fund.pk, partner_id=partner.pk
    )
    return Setup(project, fund, partner, venue)


def evaluate(
    world: World,
    project: ServiceProject,
    year: int,
    half: int,
    scores: dict[str, int],
    *,
    served: int | None = None,
    comments: str = "材料齐全,走访核实",
) -> ProjectEvaluation:
    ev = projects.evaluation_start(
        actor=world["evaluator"], project_id=project.pk, year=year, half=half
    )
    projects.evaluation_save(
        actor=world["evaluator"],
        evaluation_id=ev.pk,
        scores=scores,
        comments=comments,
        served_people=served,
    )
    return projects.evaluation_submit(actor=world["evaluator"], evaluation_id=ev.pk)
