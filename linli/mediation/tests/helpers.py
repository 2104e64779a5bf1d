"""A small mediation world on top of the test world: two neighbours in community A's
building 1幢 (王秀英 in 101, 李建国 in 202), the persona `mediator` as community A's
mediator, and a way to walk a dispute to any status through the real services."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from linli.geo.models import Building, Household
from linli.mediation.choices import MediatorKind, Side, Status
from linli.mediation.models import Dispute, Mediator
from linli.mediation.services import agreement as agreements
from linli.mediation.services import disputes as steps
from linli.people.models import Resident
from linli.testing.world import World


@dataclass
class MediationWorld:
    world: World
    wang: Resident
    li: Resident
    mediator: Mediator

    def __getitem__(self, role: str) -> Any:
        return self.world[role]


def mediation_world(world: World) -> MediationWorld:
    building = Building.objects.get(grid=world.grid_a1, name="1幢")
    wang = Resident.objects.get(full_name="王秀英")
    other = Household.objects.create(building=building, unit="1单元", room="202")
    li = Resident.objects.create(household=other, full_name="李建国", sex="M", birth_year=1970)
    mediator = Mediator.objects.create(
        user=world["mediator"], kind=MediatorKind.COMMUNITY, community=world.community_a
    )
    return MediationWorld(world, wang, li, mediator)


def parties(mw: MediationWorld) -> list[steps.PartyInput]:
    return [
        steps.PartyInput(side=Side.APPLICANT, resident_id=mw.wang.pk),
        steps.PartyInput(side=Side.RESPONDENT, resident_id=mw.li.pk),
    ]


def register(mw: MediationWorld, actor: Any = None, **changes: Any) -> Dispute:
    data = {
        "type": "noise",
        "source": "walk_in",
        "description": "楼上夜间拖动家具,影响休息",
        "parties": parties(mw),
        "community_id": mw.world.community_a.pk,
        **changes,
    }
    return steps.dispute_register(
        actor=actor or mw["community_worker"], data=steps.DisputeInput(**data)
    )


def obligation(dispute: Dispute) -> list[agreements.ObligationInput]:
    respondent = dispute.parties.get(side=Side.RESPONDENT)
    return [
        agreements.ObligationInput(
            party_id=respondent.pk,
            duty="晚上十点后不再拖动家具,椅脚加装静音垫",
            how="自行购买安装",
            by=timezone.localdate() + dt.timedelta(days=7),
        )
    ]


def drive(mw: MediationWorld, dispute: Dispute, status: str) -> Dispute:
    """Walk `dispute` (registered) to `status` through the services, as its mediator."""
    m = mw["mediator"]
    now = timezone.now()
    if status == Status.REGISTERED:
        return dispute
    if status == Status.DECLINED:
        return steps.dispute_decline(actor=m, dispute=dispute, reason="不属于民间纠纷")
    if status == Status.WITHDRAWN:
        return steps.dispute_withdraw(actor=m, dispute=dispute, reason="双方已自行和解")
    dispute = steps.dispute_accept(actor=m, dispute=dispute)
    if status == Status.ACCEPTED:
        return dispute
    if status == Status.INVESTIGATING:
        return steps.dispute_investigate(actor=m, dispute=dispute, note="走访楼上楼下")
    if status in (Status.FAILED, Status.ARCHIVED):
        dispute = steps.dispute_fail(actor=m, dispute=dispute, reason="被申请人拒绝调解")
        if status == Status.ARCHIVED:
            dispute = steps.dispute_archive(actor=m, dispute=dispute)
        return dispute
    steps.dispute_session(
        actor=m, dispute=dispute, held_at=now, attendees="王秀英、李建国", notes="双方陈述"
    )
    if status == Status.ASSESSING:
        return steps.dispute_assess(actor=m, dispute=dispute, note="噪音检测 55 分贝")
    if status == Status.AGREED:
        agreements.dispute_agree(
            actor=m, dispute=dispute, facts="楼上夜间噪音", obligations=obligation(dispute)
        )
    return Dispute.objects.get(pk=dispute.pk)
