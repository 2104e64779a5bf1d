"""EVAL-2 in a real chromium on a phone (390×844): the evaluator opens the half-year's form
from the home page, scores, uploads a PDF, submits and sees the result; nothing is wider
than the screen and the inputs are big enough to tap. Then the staff survey picker."""

import pytest

from conftest import screenshot, sign_in
from linli.evaluation import surveys
from linli.evaluation.models import EvaluationEvidence, ProjectEvaluation, SurveyResponse
from linli.evaluation.tests.project_helpers import setup

pytestmark = [pytest.mark.browser, pytest.mark.clock("2026-09-15 10:00")]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _no_overflow(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width


def test_evaluator_form_on_a_phone(live_server, live_world, phone, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    s = setup(live_world)
    base = live_server.url
    errors: list[str] = []
    phone.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(phone, base, "evaluator")
    phone.get_by_role("link", name="服务项目评估").first.click()
    phone.get_by_role("link", name="长者助餐服务").click()
    phone.select_option("select[name=year]", "2026")
    phone.select_option("select[name=half]", "1")
    with phone.expect_navigation():
        phone.get_by_role("button", name="开始评估").click()
    _no_overflow(phone)
    for key, value in {
        "outcome": "80",
        "satisfaction": "70",
        "funds": "60",
        "management": "50",
        "local": "100",
    }.items():
        box = phone.locator(f"#score_{key}")
        assert box.bounding_box()["height"] >= 44
        box.fill(value)
    phone.locator("#served_people").fill("120")
    phone.locator("#comments").fill("台账完整,走访 12 户核实")
    with phone.expect_navigation():
        phone.get_by_role("button", name="保存草稿").click()
    phone.set_input_files(
        "#file", files=[{"name": "台账.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    with phone.expect_navigation():
        phone.get_by_role("button", name="上传", exact=True).click()
    assert "台账.pdf" in phone.get_by_test_id("evidence").inner_text()
    screenshot(phone, "project-evaluation-form-phone")
    with phone.expect_navigation():
        phone.get_by_test_id("submit").click()
    result = phone.get_by_test_id("result").inner_text()
    assert "71.0" in result and "合格" in result
    _no_overflow(phone)
    screenshot(phone, "project-evaluation-submitted-phone")
    ev = ProjectEvaluation.objects.get(project=s.project)
    assert ev.state == "submitted" and ev.total == 71.0 and ev.served_people == 120
    assert EvaluationEvidence.objects.get().content_type == "application/pdf"
    assert errors == []


def test_staff_survey_picker_on_a_phone(live_server, live_world, phone):
    survey = surveys.survey_open(
        actor=live_world["community_worker"], community=live_world.community_a
    )
    base = live_server.url
    sign_in(phone, base, "community_worker")
    phone.goto(f"{base}/evaluation/surveys/{survey.pk}/")
    phone.get_by_label("代居民填写").fill("王")
    with phone.expect_navigation():
        phone.get_by_role("button", name="查找").click()
    picker = phone.get_by_test_id("resident-picker")
    assert "王秀英" in picker.inner_text()
    for i in range(3):
        phone.locator(f"input[name=q{i}][value='4']").check()
    _no_overflow(phone)
    screenshot(phone, "survey-staff-picker-phone")
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交").click()
    assert SurveyResponse.objects.get().entered_by_id == live_world["community_worker"].pk
