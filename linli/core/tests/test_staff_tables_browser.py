"""Staff tables on a phone (PLAT-2): under 600 px every row of a `table.cards` is a card of
labelled lines, never a column of one Chinese character per line, and nothing scrolls
sideways: the care board, the grid map's table and the mediation rates, axe-checked."""

import pytest

from conftest import sign_in
from linli.care.tests.care_helpers import make_care, open_alert
from linli.mediation.choices import Status
from linli.mediation.tests.helpers import drive, mediation_world, register
from linli.testing.axe import axe_check

pytestmark = pytest.mark.browser

CELLS = """() => [...document.querySelectorAll('table.cards td[data-label]')].map(td => {
  const r = td.getBoundingClientRect();
  return {label: td.dataset.label, width: r.width, display: getComputedStyle(td).display,
          text: td.innerText.trim()};
})"""


def _cards(page, base, path):
    page.goto(f"{base}{path}")
    cells = page.evaluate(CELLS)
    assert cells, f"no card cells on {path}"
    for cell in cells:
        assert cell["display"] != "table-cell", (path, cell)
        if len(cell["text"]) >= 2:  # a cell with words is wider than one character
            assert cell["width"] > 40, (path, cell)
    # The header row is there for screen readers only; the labels are on the cells.
    assert page.locator("table.cards thead").first.bounding_box()["height"] <= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    axe_check(page)
    return cells


def test_staff_tables_are_cards_on_a_phone(live_server, live_world, browser):
    care = make_care(live_world)
    open_alert(care)
    mw = mediation_world(live_world)
    drive(mw, register(mw), Status.AGREED)
    base = live_server.url
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, "community_worker")
    board = _cards(page, base, f"/care/board/?community={live_world.community_a.pk}")
    assert {"类型", "住户", "状态"} <= {c["label"] for c in board}
    assert {"社区", "网格"} <= {c["label"] for c in _cards(page, base, "/geo/map/")}
    page.context.clear_cookies()
    sign_in(page, base, "secretary")
    rates = _cards(page, base, "/mediation/rates/")
    assert {"分组", "成功率"} <= {c["label"] for c in rates}
    context.close()
