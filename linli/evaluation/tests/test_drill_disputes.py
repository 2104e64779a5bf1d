"""EVAL-3 drill-down for 调解成功率: the list behind each figure shows exactly its disputes
(denominator; with outcome=success the numerator), by place, for the viewer's reach."""

import re

import pytest

from linli.evaluation import metrics, selectors
from linli.evaluation.tests.fixtures import MARCH, at
from linli.mediation.choices import Outcome
from linli.mediation.models import Dispute

pytestmark = pytest.mark.clock("2026-04-15 10:00")


@pytest.fixture
def disputes(world):
    return make_disputes(world)


def make_disputes(world):
    def dispute(n, outcome, concluded, community=None):
        Dispute.objects.create(
            number=f"M{n}", community=community or world.community_a, type="neighbours",
            source="walk_in", description="x", outcome=outcome, accept_due=concluded,
            concluded_at=concluded, extension_reason="", close_reason="",
        )  # fmt: skip

    dispute(1, Outcome.AGREEMENT, at(3, 2))
    dispute(2, Outcome.AGREEMENT, at(3, 3))
    dispute(3, Outcome.FAILURE, at(3, 4))
    dispute(4, Outcome.WITHDRAWN, at(3, 5))  # not in the base
    dispute(5, Outcome.FAILURE, at(4, 1, 0))  # April (Beijing time)
    dispute(6, Outcome.AGREEMENT, at(3, 9), world.community_b)
    dispute(7, Outcome.FAILURE, at(3, 31, 23, 59), world.community_b)
    return world


def shown(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:300]
    page = response.content.decode()
    found = re.search(r'data-testid="total-disputes">(\d+)<', page)
    assert found is not None
    rows = page.count('<tr><td data-label="编号">')
    assert rows == int(found[1])
    return rows


def test_drilled_list_has_the_figures_numerator_and_denominator(disputes, login):
    admin = login("sysadmin")  # sees every dispute
    metric = metrics.REGISTRY["mediation_success"]
    checked = 0
    for dimension in ("all", "street", "community", "pilot"):
        for group, figure in metrics.compute(metric.key, MARCH, dimension).items():
            url = selectors.drill_url(metric, dimension, group, MARCH)
            assert url and url.startswith("/mediation/behind/?month=2026-03")
            assert shown(admin, url) == figure.denominator, (dimension, group)
            assert shown(admin, url + "&outcome=success") == figure.numerator
            checked += 1
    assert checked == 1 + 1 + 2 + 2


def test_secretary_sees_only_their_community(disputes, login):
    secretary = login("secretary")  # 甲社区
    assert shown(secretary, "/mediation/behind/?month=2026-03") == 3
    assert (
        shown(secretary, f"/mediation/behind/?month=2026-03&community={disputes.community_b.pk}")
        == 0
    )
    assert shown(secretary, "/mediation/behind/?month=2026-03&outcome=failed") == 1
