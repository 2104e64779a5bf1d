"""The evaluation pages in English: nothing left in Chinese but place names."""

import pytest

from linli.casework.services.categories import categories_ensure_defaults
from linli.evaluation import services, surveys
from linli.evaluation.tests.fixtures import MARCH, build_march
from linli.testing.english import as_user, english, text

pytestmark = pytest.mark.clock("2026-04-15 10:00")


@pytest.fixture
def scene(world):
    categories_ensure_defaults(actor=None)
    build_march(world)
    services.snapshot_month(month=MARCH)
    return world


def test_pages_in_english(scene):
    w = scene
    data = (
        "甲社区",
        "乙社区",
        "测试街道",
        w.grid_a1.name,
        w.grid_a2.name,
        w.grid_b1.name,
        "城管",
        "街道办",
    )
    staff = as_user(w["street_admin"])
    html = english(text(staff.get("/evaluation/?metric=close_rate&dimension=community")), data)
    assert "Close rate" in html and "Trend by month" in html
    assert "Metric definitions" in english(text(staff.get("/evaluation/metrics/")), data)
    assert "Composite score" in english(text(staff.get("/evaluation/scores/")), data)
    assert "Staff assessment" in english(text(staff.get("/evaluation/staff/")), data)
    assert "Monthly reports" in english(text(staff.get("/evaluation/reports/")), data)


def test_survey_pages_in_english(world):
    survey = surveys.survey_open(actor=world["community_worker"], community=world.community_a)
    data = ("甲社区", survey.title)
    html = english(text(as_user(world["resident"]).get(f"/evaluation/surveys/{survey.pk}/")), data)
    assert "Basically satisfied" in html
    html = english(text(as_user(None).get(f"/evaluation/board/{world.community_a.pk}/")), data)
    assert "0 answers" in html


@pytest.mark.clock("2026-09-15 10:00")
def test_service_project_pages_in_english(world):
    from linli.evaluation.models import ProjectEvaluation
    from linli.evaluation.tests.project_helpers import BAD, evaluate, setup

    s = setup(world)
    evaluate(world, s.project, 2025, 2, BAD)
    evaluate(world, s.project, 2026, 1, BAD)
    ev = ProjectEvaluation.objects.filter(project=s.project).first()
    assert ev is not None
    # Names of the project and the partner, and the stored reason (data) stay as they are.
    data = ("甲社区", "长者助餐服务", "乐龄社工服务中心", "材料齐全,走访核实", "连续两次评估不合格")
    admin = as_user(world["sysadmin"])
    assert "Service project evaluations" in english(text(admin.get("/evaluation/projects/")), data)
    page = english(text(admin.get(f"/evaluation/projects/{s.project.pk}/")), data)
    assert "Operating qualification revoked" in page
    page = english(text(admin.get(f"/evaluation/projects/evaluations/{ev.pk}/")), data)
    assert "Service outcome" in page or "Scores" in page
