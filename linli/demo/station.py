"""One-stop services in the demo (SERVE-1..3): the catalogue, a 民政 officer login
(`dept_minzheng`, the demo password), applications in every state entered at the focus
community's window through the real services, and a 数字助老课堂 next week."""

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership, User
from linli.core.errors import ApplicationError
from linli.core.roles import Role
from linli.geo.models import Community, Department, Street
from linli.matching.choices import ResourceKind, ResourceStatus
from linli.matching.models import Resource
from linli.people.models import Resident
from linli.station.defaults import DEPARTMENTS, catalogue_seed
from linli.station.models import Application, HelpSession
from linli.station.services.applications import apply
from linli.station.services.sessions import rules_ensure, session_create
from linli.station.services.workflow import application_step

OFFICER = "dept_minzheng"
TIERS = ["basic", "contact", "identity", "health", "finance"]
# (service, steps the 民政 officer takes) for residents of the focus community, oldest first.
STORIES: list[tuple[str, list[tuple[str, dict[str, str]]]]] = [
    ("elder_card", [("accept", {}), ("grant", {"number": "LN-2026-0318"}), ("close", {})]),
    ("dibao", [("accept", {})]),
    ("health_check", []),
    ("dibao", [("more", {"note": "请补交近三个月的银行流水"})]),
    ("elder_card", [("refuse", {"note": "户籍不在本区,请到户籍地办理"})]),
    ("residence_proof", []),
]
VALUES = {
    "photo": "二寸免冠照片(社区现场拍摄)",
    "hukou": "户口簿本人页复印件",
    "income": "街道出具的家庭收入证明",
    "bank_card": "社保卡(本人)",
    "tenancy": "房产证复印件",
    "reason": "办理社保",
    "phone": "13905710000",  # typed only when the record holds no phone
}


def _officer(password_hash: str) -> User:
    dept = Department.objects.get(name=DEPARTMENTS["民政"])
    user, _made = User.objects.get_or_create(
        username=OFFICER,
        defaults={"role": Role.DEPT_OFFICER, "full_name": "民政窗口", "password": password_hash},
    )
    Membership.objects.get_or_create(user=user, kind=MembershipKind.DEPT_OFFICER, department=dept)
    return user


def _clerk(community: Community) -> User | None:
    m = Membership.objects.filter(
        community=community, kind=MembershipKind.COMMUNITY_WORKER
    ).select_related("user")
    return m[0].user if m else None


def _step(actor: Any, application: Application, action: str, extra: dict[str, str]) -> None:
    application_step(
        actor=actor,
        application_id=application.pk,
        action=action,
        note=extra.get("note", ""),
        number=extra.get("number", ""),
    )


def seed_station(*, street: Street, password_hash: str) -> dict[str, int]:
    catalogue_seed()
    rules_ensure()
    officer = _officer(password_hash)
    community = Community.objects.filter(street=street, is_pilot=True).order_by("code").first()
    clerk = _clerk(community) if community is not None else None
    if community is None or clerk is None:
        return {"applications": 0}
    year = timezone.localdate().year
    residents = list(
        Resident.objects.filter(
            household__building__grid__community=community, birth_year__lte=year - 66
        )
        .exclude(id_number="")
        .filter(Q(user__isnull=True) | Q(user__username="resident"))
        .order_by("birth_year", "pk")[: len(STORIES)]
    )
    made = 0
    for resident, (code, steps) in zip(residents, STORIES, strict=False):
        try:
            receipt = apply(
                actor=clerk,
                resident_id=resident.pk,
                service_codes=[code],
                values=VALUES,
                consent_tiers=TIERS,
                present=True,
            )
        except ApplicationError:
            continue  # this resident is not eligible: the demo moves on
        application = receipt.applications.get()
        for action, extra in steps:
            _step(officer, application, action, extra)
        made += 1
    _class(community, clerk)
    return {"applications": made, "sessions": HelpSession.objects.count()}


def _class(community: Community, clerk: User) -> None:
    venue = Resource.objects.filter(
        community=community, kind=ResourceKind.VENUE, status=ResourceStatus.APPROVED
    ).first()
    volunteer = User.objects.filter(
        role=Role.VOLUNTEER, memberships__grid__community=community
    ).first()
    if venue is None or volunteer is None:
        return
    day = timezone.localdate() + dt.timedelta(days=7)
    for hour in (9, 10, 14, 15, 16):
        start = dt.datetime.combine(day, dt.time(hour), timezone.get_current_timezone())
        try:
            session_create(
                actor=clerk,
                resource_id=venue.pk,
                title="用手机挂号和视频通话",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
                capacity=min(12, venue.capacity),
                volunteer_ids=[volunteer.pk],
            )
            return
        except ApplicationError:
            continue  # venue closed or taken at that hour
