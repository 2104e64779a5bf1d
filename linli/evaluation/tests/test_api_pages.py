"""EVAL-3, EVAL-5: the API (checked against its OpenAPI schema) and pages; scope: a
community sees itself, a street its communities, the district everything; wrong callers
refused; every figure links to the cases behind it."""

import io
import json

import pytest
from openpyxl import load_workbook

from linli.casework.services.categories import categories_ensure_defaults
from linli.evaluation import services
from linli.evaluation.models import WeightSet
from linli.evaluation.tests.fixtures import MARCH, build_march
from linli.testing.openapi import check

pytestmark = pytest.mark.clock("2026-04-15 10:00")
FIGURES = "/api/evaluation/figures"


@pytest.fixture
def march(world):
    categories_ensure_defaults(actor=None)
    cases = build_march(world)
    services.snapshot_month(month=MARCH)
    return cases


@pytest.fixture
def schema(client, db):
    return client.get("/api/openapi.json").json()


def figures(client, schema, status=200, **params):
    response = client.get(FIGURES, params)
    if status != 200:
        assert response.status_code == status, response.content
        return response.json()
    return check(schema, response, FIGURES, "get", 200)


def test_metrics_published_with_their_formulas(march, login, schema):
    body = check(
        schema,
        login("supervisor").get("/api/evaluation/metrics"),
        "/api/evaluation/metrics",
        "get",
        200,
    )
    on_time = next(m for m in body if m["key"] == "on_time_close_rate")
    assert on_time["unit"] == "%" and on_time["version"] == 1
    assert "缓办" in on_time["denominator"] and "缓办" in on_time["exclusions"]


def test_district_sees_every_community_with_links_to_the_cases(march, login, schema, world):
    body = figures(login("supervisor"), schema, metric="close_rate", dimension="community")
    got = {f["label"]: (f["numerator"], f["denominator"], f["value"]) for f in body["figures"]}
    assert got == {"甲社区": (4, 6, 66.67), "乙社区": (1, 1, 100.0)}
    assert body["months"] == ["2026-03-01"]
    link = next(f["cases_url"] for f in body["figures"] if f["label"] == "甲社区")
    # The list behind 甲社区's figure: its six cases due in March (not the rejected one).
    page = login("supervisor").get(link).content.decode()
    shown = {no for no, case in march.items() if case.tracking_no in page}
    assert shown == {"C1", "C2", "C3", "C4", "C5", "C6"}


def test_community_worker_sees_only_their_community(march, login, schema, world):
    staff = login("community_worker")  # 甲社区
    body = figures(staff, schema, metric="close_rate", dimension="community")
    assert [f["label"] for f in body["figures"]] == ["甲社区"]
    body = figures(staff, schema, metric="close_rate", dimension="grid")
    assert {f["key"] for f in body["figures"]} == {str(world.grid_a1.pk)}  # not 乙's grid
    # Asking for the other community by key gives nothing; district-wide groupings refused.
    body = figures(
        staff, schema, metric="close_rate", dimension="community", key=str(world.community_b.pk)
    )
    assert body["figures"] == []
    for dimension in ("all", "pilot", "category", "department", "street"):
        err = figures(staff, schema, 400, metric="close_rate", dimension=dimension)
        assert err["error"]["field"] == "dimension"


def test_street_sees_its_communities_and_department_officer_their_department(
    march, login, schema, world
):
    body = figures(login("street_admin"), schema, metric="due", dimension="community")
    assert {f["label"] for f in body["figures"]} == {"甲社区", "乙社区"}
    body = figures(login("dept_officer"), schema, metric="due", dimension="department")
    assert [f["key"] for f in body["figures"]] == [str(world.chengguan.pk)]
    figures(login("dept_officer"), schema, 400, metric="due", dimension="community")


def test_wrong_callers_and_bad_input(march, login, client, schema):
    assert client.get(FIGURES, {"metric": "due"}).status_code == 401
    assert login("resident").get(FIGURES, {"metric": "due"}).status_code == 403
    assert login("volunteer").get("/api/evaluation/metrics").status_code == 403
    err = figures(login("supervisor"), schema, 404, metric="nope", dimension="all")
    assert err["error"]["code"]
    err = figures(
        login("supervisor"), schema, 400, metric="alert_precision", dimension="department"
    )
    assert err["error"]["field"] == "dimension"
    figures(login("supervisor"), schema, 400, metric="due", months=0)


def test_scores_and_weights_through_the_api(march, login, schema, world):
    admin = login("sysadmin")
    url = "/api/evaluation/weights"
    bad = admin.post(
        url,
        {"kind": "area", "weights": {"close_rate": 60, "satisfaction_rate": 30}},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "weights"
    assert "100%" in bad.json()["error"]["message"]
    assert not WeightSet.objects.exists()
    body = {"kind": "area", "weights": {"close_rate": 60, "satisfaction_rate": 40}}
    assert login("supervisor").post(url, body, content_type="application/json").status_code == 403
    made = check(schema, admin.post(url, body, content_type="application/json"), url, "post", 201)
    assert made["version"] == 1
    scores = check(
        schema,
        login("street_admin").get("/api/evaluation/scores", {"kind": "area"}),
        "/api/evaluation/scores",
        "get",
        200,
    )
    # 甲: close 4/6 = 66.67, satisfaction 4/5 = 80 → 0.6×66.67 + 0.4×80 = 72.0 → D? no: C (≥ 60)
    got = {s["label"]: (s["score"], s["grade"]) for s in scores["scores"]}
    assert got["甲社区"] == (72.0, "C")
    # 乙: close 100, satisfaction 0 (rated 3) → 60.0 → C
    assert got["乙社区"] == (60.0, "C")
    mine = check(
        schema,
        login("community_worker").get("/api/evaluation/scores", {"kind": "area"}),
        "/api/evaluation/scores",
        "get",
        200,
    )
    assert [s["label"] for s in mine["scores"]] == ["甲社区"]
    err = login("community_worker").get("/api/evaluation/scores", {"kind": "department"})
    assert err.status_code == 400


def test_dashboard_page_scoped_and_linked(march, login, world):
    page = login("community_worker").get("/evaluation/?metric=close_rate&dimension=community")
    assert page.status_code == 200
    html = page.content.decode()
    assert "甲社区" in html and "乙社区" not in html
    assert 'data-testid="chart-trend"' in html and "echarts.min.js" in html
    chart = json.loads(
        html.split('id="eval-chart" type="application/json">')[1].split("</script>")[0]
    )
    assert [r["name"] for r in chart["ranking"]] == ["甲社区"]
    assert chart["map"] and {d["name"] for d in chart["map"]["data"]} == {
        "甲社区·" + world.grid_a1.name,
        "甲社区·" + world.grid_a2.name,
    }
    district = (
        login("supervisor")
        .get("/evaluation/?metric=close_rate&dimension=community")
        .content.decode()
    )
    assert "甲社区" in district and "乙社区" in district and 'data-testid="chart-pilot"' in district
    assert login("resident").get("/evaluation/").status_code == 403


def test_pages_without_snapshots_and_other_pages(db, world, login):
    page = login("street_admin").get("/evaluation/").content.decode()
    assert 'data-testid="no-snapshots"' in page
    assert "按期结案率" in login("evaluator").get("/evaluation/metrics/").content.decode()
    assert login("evaluator").get("/evaluation/scores/").status_code == 200
    assert login("resident").get("/evaluation/scores/").status_code == 403


def test_excel_export_of_the_dashboard_table(march, login):
    response = login("street_admin").get(
        "/evaluation/export.xlsx?metric=close_rate&dimension=community"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0] == "2026-03"]
    assert sorted((r[1], r[2], r[3], r[4]) for r in rows) == [
        ("乙社区", 1, 1, 100),
        ("甲社区", 4, 6, 66.67),
    ]
    # A community worker's export holds their community only.
    response = login("community_worker").get(
        "/evaluation/export.xlsx?metric=close_rate&dimension=community"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [r[1] for r in sheet.iter_rows(values_only=True) if r and r[0] == "2026-03"] == [
        "甲社区"
    ]
    assert login("resident").get("/evaluation/export.xlsx").status_code == 403
