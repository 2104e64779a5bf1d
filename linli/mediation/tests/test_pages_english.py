"""The mediation pages in English: nothing left in Chinese but what people wrote (names,
descriptions, notes), and the words a mediator reads are the catalogue's."""

import pytest

from linli.mediation.choices import Status
from linli.mediation.tests.helpers import drive, mediation_world, register
from linli.testing.english import as_user, english, text


@pytest.fixture
def scene(world):
    mw = mediation_world(world)
    mediating = drive(mw, register(mw), Status.MEDIATING)
    agreed = drive(mw, register(mw, type="parking", description="车位被占"), Status.AGREED)
    return mw, mediating, agreed


DATA = (
    "王秀英",
    "李建国",
    "楼上夜间拖动家具,影响休息",
    "车位被占",
    "王秀英、李建国",
    "双方陈述",
    "楼上夜间噪音",
    "晚上十点后不再拖动家具,椅脚加装静音垫",
    "自行购买安装",
    "甲社区",
)


def test_mediator_pages_in_english(scene):
    mw, mediating, agreed = scene
    client = as_user(mw["mediator"])
    html = english(text(client.get("/mediation/")), DATA)
    assert "In progress" in html and "Agreements awaiting follow-up" in html
    html = english(text(client.get(f"/mediation/{mediating.pk}/")), DATA)
    assert "Record a session" in html and "Make the agreement" in html and "(skipped)" in html
    html = english(text(client.get(f"/mediation/{agreed.pk}/")), DATA)
    assert "Print the agreement (PDF)" in html and "30-day follow-up" in html
    html = english(text(as_user(mw["secretary"]).get("/mediation/rates/?by=type")), DATA)
    assert "Success rate" in html and "Small sample" in html and "Parking" in html


def test_intake_page_and_its_errors_in_english(scene):
    mw, _mediating, _agreed = scene
    client = as_user(mw["community_worker"])
    html = english(text(client.get("/mediation/new/")), DATA)
    assert "Register a dispute" in html and "Walk-in by a party" in html
    form = {"type": "noise", "source": "walk_in", "description": "x"}
    html = english(text(client.post("/mediation/new/", form)), DATA)
    assert "Choose the community or building where the dispute happened." in html
    form["community_id"] = str(mw.world.community_a.pk)
    html = english(text(client.post("/mediation/new/", form)), DATA)
    assert "Enter at least one applicant and one respondent." in html
