"""EVAL-5: the monthly report PDF — Chinese text and charts (pdftotext, pdftoppm), built at
once for a community and by the task for a street; only its requester downloads it."""

import os
import shutil
import subprocess
import tempfile

import pytest

from linli.casework.services.categories import categories_ensure_defaults
from linli.evaluation import report, services
from linli.evaluation.models import Report
from linli.evaluation.tasks import build_report
from linli.evaluation.tests.fixtures import MARCH, build_march

pytestmark = pytest.mark.clock("2026-04-15 10:00")
SCREENSHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "var", "screenshots")


@pytest.fixture
def march(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    categories_ensure_defaults(actor=None)
    cases = build_march(world)
    services.snapshot_month(month=MARCH)
    return cases


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} not found: CI must install poppler-utils")
        pytest.skip(f"{name} is not installed")
    return path


def text_of(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        run = [_tool("pdftotext"), "-layout", f.name, "-"]
        return subprocess.run(run, capture_output=True, text=True, check=True).stdout  # noqa: S603


def test_community_report_built_at_once_with_chinese_text_and_chart(march, world, login):
    made = report.report_request(actor=world["community_worker"], month=MARCH)
    assert made.state == Report.State.READY
    data = made.file.read()
    text = text_of(data)
    assert "甲社区 2026年03月 考核月报" in text
    assert "按期结案率" in text and "40%" in text  # 2 of 5 (fixtures.py)
    assert "各网格按期结案率" in text
    # Rendered to PNG to look at it (var/screenshots/evaluation-report-*.png).
    os.makedirs(SCREENSHOTS, exist_ok=True)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        out = os.path.join(SCREENSHOTS, "evaluation-report")
        subprocess.run([_tool("pdftoppm"), "-png", "-r", "60", f.name, out], check=True)  # noqa: S603
    assert os.path.exists(os.path.join(SCREENSHOTS, "evaluation-report-1.png"))
    page = login("community_worker").get(f"/evaluation/reports/{made.pk}.pdf")
    assert page.status_code == 200 and page["Content-Type"] == "application/pdf"
    # Someone else's report is not found, even for the secretary of the same community.
    assert login("secretary").get(f"/evaluation/reports/{made.pk}.pdf").status_code == 404


def test_street_report_waits_for_the_task(march, world, login, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        made = report.report_request(actor=world["street_admin"], month=MARCH)
    assert made.state == Report.State.PENDING and len(callbacks) == 1
    assert login("street_admin").get(f"/evaluation/reports/{made.pk}.pdf").status_code == 400
    assert build_report.call(report_id=made.pk) == Report.State.READY
    made.refresh_from_db()
    text = text_of(made.file.read())
    assert (
        "测试街道" in text and "各社区按期结案率" in text and "甲社区" in text and "乙社区" in text
    )


def test_report_needs_a_frozen_month_and_a_dashboard_role(march, login):
    response = login("community_worker").post("/evaluation/reports/", {"month": "2026-02"})
    assert response.status_code == 400 and "快照" in response.content.decode()
    assert not Report.objects.exists()
    assert login("resident").post("/evaluation/reports/", {"month": "2026-03"}).status_code == 403
    ok = login("community_worker").post("/evaluation/reports/", {"month": "2026-03"})
    assert ok.status_code == 302 and Report.objects.get().state == Report.State.READY
