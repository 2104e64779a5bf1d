"""EVAL-3 in a real chromium: the dashboard draws its charts (canvas, no console errors) on
desktop and phone, and a figure (a ranking bar's row, a grid on the map) leads to the list
of the cases behind it."""

import pytest

from conftest import screenshot, sign_in
from linli.casework.services.categories import categories_ensure_defaults
from linli.evaluation import services
from linli.evaluation.tests.fixtures import MARCH, build_march

pytestmark = pytest.mark.browser

# Where on the screen a grid of the map lies: its square's centre through the chart's own
# projection (the map is drawn on a canvas, so there is no element to click).
GRID_CENTRE = """(name) => {
  const node = document.getElementById("chart-map");
  const chart = window.echarts.getInstanceByDom(node);
  const data = JSON.parse(document.getElementById("eval-chart").textContent);
  const feature = data.map.geojson.features.find((f) => f.properties.name === name);
  const ring = feature.geometry.coordinates[0].slice(0, -1);
  const lon = ring.reduce((s, p) => s + p[0], 0) / ring.length;
  const lat = ring.reduce((s, p) => s + p[1], 0) / ring.length;
  const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, [lon, lat]);
  const box = node.getBoundingClientRect();
  return [box.left + x, box.top + y];
}"""


def test_dashboard_charts_and_drill_down(live_server, live_world, desktop, phone):
    categories_ensure_defaults(actor=None)
    cases = build_march(live_world)
    services.snapshot_month(month=MARCH)
    base = live_server.url
    errors: list[str] = []

    def console(message):  # type: ignore[no-untyped-def]
        # The browser's own favicon request is not the page's (the site has no favicon).
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"{message.text} {message.location}")

    desktop.on("console", console)
    desktop.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(desktop, base, "street_admin")
    desktop.goto(f"{base}/")
    desktop.get_by_role("link", name="考核评估").first.click()
    desktop.select_option("select[name=metric]", "close_rate")
    with desktop.expect_navigation():
        desktop.get_by_role("button", name="查看").click()
    for chart in ("chart-trend", "chart-ranking", "chart-map"):
        assert desktop.get_by_test_id(chart).locator("canvas").count() == 1, chart
    assert errors == []
    screenshot(desktop, "evaluation-dashboard-desktop")
    # The figure of 甲社区 (4 of 6 closed) → its six cases due in March.
    row = desktop.get_by_test_id("ranking").locator("tr", has_text="甲社区")
    with desktop.expect_navigation():
        row.get_by_role("link", name="4").click()
    assert "/cases/queue/" in desktop.url
    assert desktop.get_by_test_id("drill-filters").is_visible()
    page = desktop.content()
    assert {k for k, c in cases.items() if c.tracking_no in page} == {
        "C1", "C2", "C3", "C4", "C5", "C6",
    }  # fmt: skip
    # The map: a click on grid A1 → the same six cases (all C1–C6 lie in that grid).
    desktop.go_back(wait_until="load")
    desktop.get_by_test_id("chart-map").scroll_into_view_if_needed()
    # The map is drawn by script after load: wait for its chart (a slow machine lags here).
    desktop.wait_for_function(
        "() => window.echarts && window.echarts.getInstanceByDom("
        "document.getElementById('chart-map'))"
    )
    x, y = desktop.evaluate(
        GRID_CENTRE, f"{live_world.grid_a1.community.name}·{live_world.grid_a1.name}"
    )
    with desktop.expect_navigation():
        desktop.mouse.click(x, y)
    assert "/cases/queue/" in desktop.url and f"grid={live_world.grid_a1.pk}" in desktop.url
    page = desktop.content()
    assert {k for k, c in cases.items() if c.tracking_no in page} == {
        "C1", "C2", "C3", "C4", "C5", "C6",
    }  # fmt: skip
    # On a phone: the same charts, as the community worker (their community only).
    sign_in(phone, base, "community_worker")
    phone.goto(f"{base}/evaluation/?metric=close_rate")
    assert phone.get_by_test_id("chart-trend").locator("canvas").count() == 1
    assert "乙社区" not in phone.get_by_test_id("ranking").inner_text()
    screenshot(phone, "evaluation-dashboard-phone")
