"""EVAL-3 drill-down: the list behind an alert figure shows exactly the alerts the figure
counts (denominator, and with the figure's condition the numerator), by several groups, for
the viewer's place only."""

import datetime as dt
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client

from linli.care.models.alerts import Alert, AlertStatus, Outcome, Rule
from linli.evaluation import metrics, selectors
from linli.evaluation.tests.fixtures import MARCH, at
from linli.geo.models import Building, Household

pytestmark = pytest.mark.clock("2026-04-15 10:00")


@pytest.fixture
def alerts(world):
    return make_alerts(world)


def make_alerts(world):
    """March in both communities: answered in time or not, judged right or wrong, still
    open, deferred (not told), a concern (not counted) and one in February."""
    home_a = Household.objects.get()
    building = Building.objects.create(grid=world.grid_b1, name="9幢", lat=30.27, lon=120.13)
    home_b = Household.objects.create(building=building, unit="", room="902")
    worker = world["grid_worker"]

    def alert(home, rule, opened, ack_after, status=AlertStatus.OPEN, outcome="", **extra):
        ack = opened + dt.timedelta(hours=ack_after) if ack_after is not None else None
        return Alert.objects.create(
            household=home, rule=rule, detected_at=opened, opened_at=opened, status=status,
            due_at=opened + dt.timedelta(hours=2), acknowledged_at=ack, outcome=outcome,
            **extra,
        )  # fmt: skip

    closed = AlertStatus.CLOSED
    alert(home_a, Rule.NO_WATER, at(3, 2), 1.5, closed, Outcome.SAFE, assigned_to=worker)
    alert(home_a, Rule.CALL, at(3, 3), 2.0, closed, Outcome.NEEDED_HELP, assigned_to=worker)
    alert(home_a, Rule.NO_MOVEMENT, at(3, 4), 3.0, closed, Outcome.FALSE_ALARM)
    alert(home_a, Rule.ELECTRICITY, at(3, 5), None, assigned_to=worker)
    alert(home_a, Rule.NOT_OUT, at(3, 6), 0.5)  # a concern: not counted
    alert(home_a, Rule.NO_WATER, at(2, 27), 0.5, closed, Outcome.SAFE)  # February
    alert(home_a, Rule.NO_WATER, at(3, 31, 23, 30), None, AlertStatus.DEFERRED)  # not told
    alert(home_b, Rule.NO_WATER, at(3, 7), 0.5, closed, Outcome.DEVICE_FAULT)
    alert(home_b, Rule.CALL, at(3, 31, 23, 59), 1.0, closed, Outcome.SAFE)  # Beijing March
    alert(home_b, Rule.CALL, at(4, 1, 0, 0), 1.0, closed, Outcome.SAFE)  # April
    return world


def shown(client: Client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:500]
    page = response.content.decode()
    rows = page.count('<tr><td data-label="类型">')
    found = re.search(r'data-testid="total-alerts">(\d+)<', page)
    assert found is not None
    total = int(found[1])
    assert rows == total  # one page: every row shown
    return rows


def with_params(url: str, **extra: str) -> str:
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query)) | extra
    return parts.path + "?" + "&".join(f"{k}={v}" for k, v in params.items())


CASES = [
    ("alerts_answered_2h", "answered_2h", ("all", "community", "grid", "pilot", "worker")),
    ("alert_precision", "right", ("all", "community", "grid", "pilot", "street")),
]


@pytest.mark.parametrize(("key", "flag", "dimensions"), CASES)
def test_drilled_list_has_the_figures_numerator_and_denominator(
    alerts, login, key, flag, dimensions
):
    street = login("street_admin")  # sees both communities
    metric = metrics.REGISTRY[key]
    checked = 0
    for dimension in dimensions:
        for group, figure in metrics.compute(key, MARCH, dimension).items():
            url = selectors.drill_url(metric, dimension, group, MARCH)
            assert url and url.startswith("/care/alerts/?") and "month=2026-03" in url
            assert shown(street, url) == figure.denominator, (dimension, group)
            assert shown(street, with_params(url, **{flag: "1"})) == figure.numerator
            checked += 1
    assert checked >= len(dimensions) + 2  # several groups, not only "all"


def test_hand_computed_march(alerts, login):
    street = login("street_admin")
    base = "/care/alerts/?month=2026-03"
    assert shown(street, base) == 6
    assert shown(street, base + "&answered_2h=1") == 4
    assert shown(street, base + "&answered_2h=0") == 2
    assert shown(street, base + "&judged=1&right=0") == 2  # false alarm, device fault
    assert shown(street, f"{base}&pilot=0") == 2
    assert shown(street, f"{base}&community={alerts.community_b.pk}&right=1") == 1
    assert shown(street, f"{base}&worker={alerts['grid_worker'].pk}") == 3
    assert shown(street, f"{base}&worker=None") == 3


def test_community_worker_sees_only_their_community(alerts, login):
    worker = login("community_worker")  # 甲社区
    base = "/care/alerts/?month=2026-03"
    assert shown(worker, base) == 4
    assert shown(worker, f"{base}&community={alerts.community_b.pk}") == 0
    assert shown(worker, f"{base}&pilot=0") == 0


@pytest.mark.parametrize("role", ["resident", "family", "dept_officer", "volunteer"])
def test_wrong_callers_are_refused(alerts, login, role):
    assert login(role).get("/care/alerts/?month=2026-03").status_code == 403


def test_anonymous_is_sent_to_login(alerts):
    response = Client().get("/care/alerts/?month=2026-03")
    assert response.status_code in (302, 403)


@pytest.mark.parametrize(
    "query",
    ["month=2026-13", "month=march", "community=abc", "grid=-1", "pilot=yes", "right=2"],
)
def test_bad_filters_are_a_clear_chinese_error(alerts, login, query):
    response = login("street_admin").get(f"/care/alerts/?{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert "月份应写成" in page or "筛选条件无效" in page


def test_page_number_out_of_range_is_the_last_page(alerts, login):
    assert shown(login("street_admin"), "/care/alerts/?month=2026-03&page=99") == 6


def test_dashboard_and_api_link_alert_figures(alerts, login, db):
    from linli.evaluation.services import snapshot_month

    snapshot_month(actor=None, month=MARCH)
    street = login("street_admin")
    page = street.get("/evaluation/?metric=alerts_answered_2h&dimension=community&month=2026-03")
    assert page.status_code == 200
    assert "/care/alerts/?month=2026-03&amp;community=" in page.content.decode()
    response = street.get("/api/evaluation/figures?metric=alert_precision&dimension=community")
    body = response.json()
    assert response.status_code == 200, body
    urls = {f["label"]: f["drill_url"] for f in body["figures"]}
    behind = f"/care/alerts/?month=2026-03&judged=1&community={alerts.community_b.pk}"
    assert urls["乙社区"] == behind
    assert shown(street, behind) == 2  # the figure's denominator: 1 right of 2 judged
    assert all(f["cases_url"] is None for f in body["figures"])


def test_case_metrics_still_link_to_the_case_queue():
    url = selectors.drill_url(metrics.REGISTRY["close_rate"], "department", "7", MARCH)
    assert url == "/cases/queue/?status=counted&due=2026-03&unit=7"
    assert selectors.drill_url(metrics.REGISTRY["volunteer_hours"], "all", "all", MARCH) is None


def test_no_link_to_a_list_the_viewer_cannot_open(alerts, login, db):
    """A supervisor reads the alert figures of the district but not the alerts of a home:
    the figures carry no link (a link that answers 403 is a broken page); case figures
    keep theirs."""
    from linli.evaluation.services import snapshot_month

    snapshot_month(actor=None, month=MARCH)
    supervisor = login("supervisor")
    assert supervisor.get("/care/alerts/?month=2026-03").status_code == 403
    page = supervisor.get(
        "/evaluation/?metric=alerts_answered_2h&dimension=community&month=2026-03"
    )
    assert page.status_code == 200 and "/care/alerts/" not in page.content.decode()
    body = supervisor.get(
        "/api/evaluation/figures?metric=alert_precision&dimension=community"
    ).json()
    assert body["figures"] and all(f["drill_url"] is None for f in body["figures"])
    close_rate = metrics.REGISTRY["close_rate"]
    assert selectors.drill_url(close_rate, "all", "all", MARCH, "supervisor") is not None
    assert selectors.drill_url(close_rate, "all", "all", MARCH, "resident") is None
