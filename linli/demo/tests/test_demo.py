"""PLAT-3: the demo city. Built once for the module (inside a transaction rolled back at the
end), since building it takes a few seconds."""

import itertools
from collections import Counter
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.test import Client
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership, User
from linli.core.audit.models import AuditEntry
from linli.core.roles import Role
from linli.demo import names as catalog
from linli.demo.plan import demo_plan, feature_collection_text
from linli.demo.services import DemoSummary, demo_build, demo_counts, demo_street
from linli.demo.testing import PASSWORD, demo_rolled_back
from linli.geo.choices import DepartmentKind
from linli.geo.models import Building, Community, Department, Grid, Household, ResponsibilityRule
from linli.geo.selectors import grid_locate, responsibility_unit
from linli.people.models import Resident

GEOJSON = Path(__file__).resolve().parents[1] / "data" / "xihu_grids.geojson"


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker) -> Iterator[DemoSummary]:  # type: ignore[no-untyped-def]
    with demo_rolled_back(django_db_blocker) as summary:
        yield summary


def focus_grid() -> Grid:
    located = grid_locate(lat=catalog.FOCUS_LAT, lon=catalog.FOCUS_LON)
    assert located is not None
    return Grid.objects.select_related("community").get(pk=located.grid_id)


# ---------------------------------------------------------------- pure plan (no database)


def test_plan_is_deterministic() -> None:
    first, second = demo_plan(seed=2026), demo_plan(seed=2026)
    assert first == second
    assert [p.full_name for p in first.residents()] == [p.full_name for p in second.residents()]
    other = demo_plan(seed=7)
    assert [p.full_name for p in other.residents()] != [p.full_name for p in first.residents()]
    assert [g.ring for g in other.grids] != [g.ring for g in first.grids]


def test_committed_geojson_is_the_default_plan() -> None:
    assert GEOJSON.read_text(encoding="utf-8") == feature_collection_text(demo_plan(seed=2026))


def test_plan_people_look_real() -> None:
    people = demo_plan(seed=2026).residents()
    ages = [catalog.DEMO_YEAR - p.birth_year for p in people]
    elderly = sum(a >= 60 for a in ages) / len(ages)
    assert 0.2 < elderly < 0.4
    assert sum(a < 18 for a in ages) > 0.08 * len(ages)
    assert max(ages) <= 96 and min(ages) >= 0
    assert all(2 <= len(p.full_name) <= 3 for p in people)
    assert set(Counter(p.sex for p in people)) == {"M", "F"}


# ---------------------------------------------------------------- the built city


@pytest.mark.django_db
def test_counts(demo: DemoSummary) -> None:
    street = demo_street()
    assert street is not None and demo.created
    assert street.district.code == "330106" and street.district.city == "杭州市"
    counts = demo_counts(street)
    assert counts == demo.counts
    assert counts["communities"] >= 4 and counts["grids"] >= 20 and counts["residents"] >= 3000
    assert Community.objects.filter(street=street, is_pilot=True).count() == 1
    per_community = Grid.objects.values("community").annotate(n=Count("id"))
    assert all(5 <= row["n"] <= 6 for row in per_community)
    assert 15 <= counts["rules"] <= 30


@pytest.mark.django_db
def test_unit_codes(demo: DemoSummary) -> None:
    for grid in Grid.objects.select_related("community__street"):
        assert len(grid.unit_code) == 15 and grid.unit_code.isdigit()
        assert grid.unit_code.startswith("330106")
        assert (
            grid.unit_code
            == "330106" + grid.community.street.code + grid.community.code + grid.code
        )


@pytest.mark.django_db
def test_focus_point_is_in_a_grid(demo: DemoSummary) -> None:
    grid = focus_grid()
    assert shape(grid.geometry).contains(Point(catalog.FOCUS_LON, catalog.FOCUS_LAT))
    worker = Membership.objects.get(kind=MembershipKind.GRID_WORKER, grid=grid).user
    assert worker.username == "grid_worker"


@pytest.mark.django_db
def test_grids_tessellate_without_overlap(demo: DemoSummary) -> None:
    shapes = [shape(g.geometry) for g in Grid.objects.all()]
    assert all(s.is_valid for s in shapes)
    for a, b in itertools.combinations(shapes, 2):
        assert a.intersection(b).area < 1e-12
    union = unary_union(shapes)
    # No gaps: the grids together are one polygon without holes.
    assert union.geom_type == "Polygon" and not union.interiors
    assert union.area == pytest.approx(sum(s.area for s in shapes), rel=1e-9)
    assert union.bounds[0] > 120.10 and union.bounds[2] < 120.16
    assert union.bounds[1] > 30.25 and union.bounds[3] < 30.29


@pytest.mark.django_db
def test_every_building_locates_to_its_grid(demo: DemoSummary) -> None:
    polygons = {g.pk: shape(g.geometry) for g in Grid.objects.all()}
    buildings = list(Building.objects.all())
    assert len(buildings) >= 4 * len(polygons)
    for b in buildings:
        assert polygons[b.grid_id].contains(Point(b.lon, b.lat))
        located = grid_locate(lat=b.lat, lon=b.lon)
        assert located is not None and located.grid_id == b.grid_id
        assert b.name.endswith("幢") and b.address.endswith("号")


@pytest.mark.django_db
def test_households_have_one_head(demo: DemoSummary) -> None:
    heads = Household.objects.annotate(
        heads=Count("residents", filter=Q(residents__is_head=True)), n=Count("residents")
    )
    assert heads.exclude(heads=1).count() == 0
    assert heads.filter(n=0).count() == 0
    assert Household.objects.filter(unit="2单元").exists()


@pytest.mark.django_db
def test_residents_in_plan_order(demo: DemoSummary) -> None:
    stored = list(Resident.objects.order_by("pk").values_list("full_name", "birth_year"))
    planned = [(p.full_name, p.birth_year) for p in demo_plan(seed=2026).residents()]
    assert stored == planned


@pytest.mark.django_db
def test_every_grid_has_one_worker_and_two_volunteers(demo: DemoSummary) -> None:
    for grid in Grid.objects.all():
        kinds = Counter(Membership.objects.filter(grid=grid).values_list("kind", flat=True))
        assert kinds == {MembershipKind.GRID_WORKER: 1, MembershipKind.GRID_VOLUNTEER: 2}
    for community in Community.objects.all():
        assert (
            Membership.objects.filter(kind=MembershipKind.SECRETARY, community=community).count()
            == 1
        )


@pytest.mark.django_db
def test_one_login_per_role(demo: DemoSummary) -> None:
    assert [login.username for login in demo.logins] == [r.value for r in Role]
    for role in Role:
        user = User.objects.get(username=role.value)
        assert user.role == role and user.full_name
        assert user.is_superuser == (role == Role.SYSADMIN) == user.is_staff
    users = list(User.objects.all())
    assert len({u.password for u in users}) == 1  # one hash, shared
    assert users[0].check_password(PASSWORD)
    grid = focus_grid()
    resident = Resident.objects.select_related("household__building").get(user__username="resident")
    assert resident.household is not None and resident.household.building.grid_id == grid.pk
    assert User.objects.get(username="resident").full_name == resident.full_name
    community = Membership.objects.get(user__username="secretary").community
    assert community == grid.community
    assert Membership.objects.get(user__username="community_worker").community == grid.community
    department = Membership.objects.get(user__username="dept_officer").department
    assert department is not None and department.short_name == "城管"
    assert Membership.objects.get(user__username="street_admin").street == demo_street()


@pytest.mark.django_db
def test_departments_and_escalation(demo: DemoSummary) -> None:
    shorts = set(Department.objects.values_list("short_name", flat=True))
    assert {"民政", "卫健", "城管", "文旅", "公安", "交通", "司法"} <= shorts
    office = Department.objects.get(kind=DepartmentKind.STREET_OFFICE)
    committees = Department.objects.filter(kind=DepartmentKind.COMMUNITY)
    assert committees.count() == Community.objects.count()
    assert all(c.parent_id == office.pk and c.community_id for c in committees)
    assert Department.objects.filter(kind=DepartmentKind.PROPERTY).count() >= 2
    assert Department.objects.filter(kind=DepartmentKind.UTILITY).count() == 3


@pytest.mark.django_db
def test_responsibility_lookup(demo: DemoSummary) -> None:
    grid = focus_grid()

    def unit(code: str) -> Department:
        found = responsibility_unit(category_code=code, grid=grid)
        assert found is not None, code
        return found

    assert unit("01-10").kind == DepartmentKind.PROPERTY
    assert unit("01-01").short_name == "城管"  # falls back to the major category
    assert unit("04-09").short_name == "交通"
    assert unit("05").short_name == "公安"
    assert unit("06-06").short_name == "城管"
    assert unit("20").community_id == grid.community_id
    assert unit("21").short_name == "民政"
    assert unit("23-02").short_name == "供电"
    # Community-scoped rules: one per community for 邻里纠纷.
    assert (
        ResponsibilityRule.objects.filter(category_code="20").count() == Community.objects.count()
    )


@pytest.mark.django_db
def test_audit_entry(demo: DemoSummary) -> None:
    entry = AuditEntry.objects.get(action="demo.build")
    assert entry.data["seed"] == catalog.DEFAULT_SEED and entry.actor_label == "sysadmin"


@pytest.mark.django_db
def test_second_run_changes_nothing(demo: DemoSummary) -> None:
    street = demo_street()
    assert street is not None
    before = (demo_counts(street), Membership.objects.count(), Resident.objects.count())
    out = StringIO()
    call_command("demo", "--password", "another-pass", stdout=out)
    text = out.getvalue()
    assert "demo data already present" in text
    assert "grid_worker" in text and "another-pass" in text and "http://127.0.0.1:8000/" in text
    assert (demo_counts(street), Membership.objects.count(), Resident.objects.count()) == before
    assert AuditEntry.objects.filter(action="demo.build").count() == 1
    # Setting every demo account's password is recorded.
    assert AuditEntry.objects.filter(action="demo.accounts").count() == 1
    assert User.objects.get(username="secretary").check_password("another-pass")


@pytest.mark.django_db
def test_missing_accounts_come_back(demo: DemoSummary) -> None:
    # The grid worker has ledger history (hours confirmed for residents), which protects the
    # account from deletion (as the mediator's cases protect theirs); losing its membership is
    # the recoverable case.
    User.objects.filter(username__in=["evaluator", "supervisor"]).delete()
    Membership.objects.filter(user__username="grid_worker").delete()
    summary = demo_build(seed=catalog.DEFAULT_SEED, password=PASSWORD)
    assert not summary.created
    assert Membership.objects.get(user__username="grid_worker").grid == focus_grid()
    assert User.objects.filter(username__in=["evaluator", "supervisor"]).count() == 2


@pytest.mark.django_db
def test_grid_map_shows_demo_grids(demo: DemoSummary) -> None:
    client = Client()
    client.force_login(User.objects.get(username="grid_worker"))
    response = client.get("/geo/map/")
    assert response.status_code == 200
    assert focus_grid().name in response.content.decode()


@pytest.mark.django_db
def test_demo_has_a_queue_of_cases_in_every_state(demo: DemoSummary) -> None:
    from linli.casework.models import Case, Category
    from linli.core.audit.services import audit_verify

    assert Category.objects.filter(parent__isnull=False).count() >= 30
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"received", "registered", "dispatched", "handling", "handled", "closed"} <= statuses
    assert Case.objects.filter(due_provisional=False).exists()  # the calendar is loaded
    assert audit_verify().ok


@pytest.mark.django_db
def test_demo_has_a_year_of_disputes_in_every_stage(demo: DemoSummary) -> None:
    from django.utils import timezone

    from linli.mediation.choices import Stage, Status
    from linli.mediation.models import Dispute, Mediator, StageStamp

    assert set(Dispute.objects.values_list("status", flat=True)) == set(Status.values)
    oldest = Dispute.objects.order_by("created_at").first()
    assert oldest is not None and (timezone.now() - oldest.created_at).days >= 360
    assert Dispute.objects.filter(overdue=True).exists()
    assert Dispute.objects.exclude(recurring_of=None).exists()
    # Every archived dispute has all nine stage stamps, in order of time.
    for dispute in Dispute.objects.filter(status=Status.ARCHIVED)[:10]:
        stamps = list(StageStamp.objects.filter(dispute=dispute).order_by("stage"))
        assert [s.stage for s in stamps] == list(Stage.values)
        assert [s.at for s in stamps] == sorted(s.at for s in stamps)
    # Each community has its own mediator; the persona mediates in the focus community.
    persona = Mediator.objects.get(user__username="mediator")
    assert persona.community == Membership.objects.get(user__username="secretary").community
    assert Mediator.objects.filter(street__isnull=False).count() == 3


@pytest.mark.django_db
def test_service_projects_evaluated(demo: DemoSummary) -> None:
    """EVAL-2 in the demo: one project revoked after two failed evaluations, one with next
    year's 50% cut waiting for the secretary, one passed and confirmed."""
    from linli.evaluation.models import FundingCut, ServiceProject

    projects = {p.name: p for p in ServiceProject.objects.all()}
    assert not projects["长者助餐服务"].qualified
    assert [e.passed for e in projects["长者助餐服务"].evaluations.all()] == [False, False]
    cut = FundingCut.objects.get()
    assert cut.state == "proposed" and cut.percent == 50
    assert cut.budget_after == cut.budget_before // 2
    assert projects["四点半课堂"].evaluations.get().state == "confirmed"


# The year of history beyond cases (PLAT-3): the metric and how the pilot must compare
# with the rest over the year ("higher" or "lower" per community on average).
HISTORY = {
    "alerts_answered_2h": "higher",
    "alert_precision": "higher",
    "mediation_success": "higher",
    "volunteer_hours": "higher",
    "venue_idle_rate": "lower",
    "survey_satisfaction": "higher",
}


@pytest.mark.django_db
def test_demo_year_of_history_beyond_cases(demo: DemoSummary) -> None:
    from linli.evaluation.models import SnapshotFigure
    from linli.evaluation.selectors import latest_snapshots

    snaps = latest_snapshots(12)
    assert len(snaps) == 12
    figures = SnapshotFigure.objects.filter(
        snapshot__in=snaps, metric__in=[*HISTORY, "points_issued"]
    )
    found = {(f.metric, f.dimension, f.key, f.month): f.value for f in figures}
    pilot = str(Community.objects.get(is_pilot=True).pk)
    others = [
        str(pk) for pk in Community.objects.filter(is_pilot=False).values_list("pk", flat=True)
    ]
    for metric, better in HISTORY.items():
        for snap in snaps:  # every month has a figure, district-wide and for the pilot
            assert found.get((metric, "all", "all", snap.month)) is not None, (metric, snap.month)
            assert found.get((metric, "community", pilot, snap.month)) is not None, (
                metric,
                snap.month,
            )

        def mean(keys: list[str], metric: str = metric) -> float:
            values = [
                v
                for (m, d, k, _month), v in found.items()
                if m == metric and d == "community" and k in keys and v is not None
            ]
            return sum(values) / len(values)

        if better == "higher":
            assert mean([pilot]) > mean(others), metric
        else:
            assert mean([pilot]) < mean(others), metric
    assert all(found.get(("points_issued", "all", "all", s.month)) for s in snaps)
    # The months differ (not one flat line): a slack February against a busy summer.
    idle = {s.month: found[("venue_idle_rate", "all", "all", s.month)] for s in snaps}
    assert len(set(idle.values())) > 6
