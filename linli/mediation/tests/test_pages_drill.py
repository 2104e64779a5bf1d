"""The list of disputes behind the success-rate figure (/mediation/behind/): who may open
it, and bad filters as a clear error."""

import pytest


@pytest.mark.parametrize("role", ["resident", "family", "street_admin", "dept_officer"])
def test_wrong_callers_are_refused(db, login, role):
    assert login(role).get("/mediation/behind/?month=2026-03").status_code == 403


@pytest.mark.parametrize(
    "query", ["month=2026-00", "month=x", "community=a", "pilot=2", "outcome=withdrawn"]
)
def test_bad_filters_are_a_clear_chinese_error(db, login, query):
    response = login("secretary").get(f"/mediation/behind/?{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert "月份应写成" in page or "筛选条件无效" in page


def test_empty_month_says_so(db, login):
    page = login("secretary").get("/mediation/behind/?month=2026-03").content.decode()
    assert "没有符合条件的纠纷。" in page
