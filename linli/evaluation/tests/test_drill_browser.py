"""EVAL-3 in a real chromium: an alert figure and a mediation figure on the dashboard lead to
the alerts / disputes behind them (screenshots for review)."""

import pytest

from conftest import screenshot, sign_in
from linli.evaluation import services
from linli.evaluation.tests.fixtures import MARCH
from linli.evaluation.tests.test_drill import make_alerts
from linli.evaluation.tests.test_drill_disputes import make_disputes

pytestmark = pytest.mark.browser


def test_alert_and_dispute_figures_lead_to_their_lists(live_server, live_world, desktop):
    make_alerts(live_world)
    make_disputes(live_world)
    services.snapshot_month(month=MARCH)
    base = live_server.url
    sign_in(desktop, base, "street_admin")
    desktop.goto(f"{base}/evaluation/?metric=alerts_answered_2h&dimension=community&month=2026-03")
    # 甲社区: 2 of 4 alerts answered within two hours → its four alerts.
    row = desktop.get_by_test_id("ranking").locator("tr", has_text="甲社区")
    with desktop.expect_navigation():
        row.get_by_role("link", name="2").click()
    assert "/care/alerts/" in desktop.url
    assert desktop.get_by_test_id("total-alerts").inner_text() == "4"
    assert desktop.get_by_test_id("total-answered").inner_text() == "2"
    screenshot(desktop, "drill-alerts-desktop")

    sign_in(desktop, base, "secretary")  # 甲社区's secretary sees its disputes
    desktop.goto(f"{base}/evaluation/?metric=mediation_success&dimension=community&month=2026-03")
    row = desktop.get_by_test_id("ranking").locator("tr", has_text="甲社区")
    with desktop.expect_navigation():
        row.get_by_role("link", name="2").click()
    assert "/mediation/behind/" in desktop.url
    assert desktop.get_by_test_id("total-disputes").inner_text() == "3"
    assert desktop.get_by_test_id("total-success").inner_text() == "2"
    screenshot(desktop, "drill-disputes-desktop")
