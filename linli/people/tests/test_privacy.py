"""PEOPLE-6: the resident chooses who besides the grid worker sees their alerts and optional
data, and the choice is honoured by the selectors, the family view and its page."""

import pytest

from linli.core.audit.models import AuditEntry
from linli.core.errors import ValidationFailed
from linli.core.roles import Role
from linli.people.choices import Audience
from linli.people.models import Resident
from linli.people.selectors import access_for, alert_audience
from linli.people.services import rights
from linli.people.services.records import resident_read
from linli.people.services.rights_history import access_history
from linli.testing.world import make_user

from .test_rights import rich_record


@pytest.fixture
def record(world) -> Resident:
    return rich_record(world)


def _choose(world, alerts: str, optional: str) -> Resident:
    return rights.privacy_set(
        actor=world["resident"], alerts_audience=alerts, optional_audience=optional
    )


def test_choice_is_saved_and_audited_without_values(world, record):
    _choose(world, Audience.GRID, Audience.FAMILY)
    record.refresh_from_db()
    assert (record.alerts_audience, record.optional_audience) == ("grid", "family")
    entry = AuditEntry.objects.get(action="resident.privacy_set")
    assert entry.data == {"alerts_audience": "grid", "optional_audience": "family"}
    _choose(world, Audience.GRID, Audience.FAMILY)  # no change, no second entry
    assert AuditEntry.objects.filter(action="resident.privacy_set").count() == 1


@pytest.mark.parametrize(("alerts", "optional"), [("everyone", "grid"), ("grid", ""), ("", "")])
def test_bad_choice_changes_nothing(world, record, alerts, optional):
    with pytest.raises(ValidationFailed):
        _choose(world, alerts, optional)
    record.refresh_from_db()
    assert (record.alerts_audience, record.optional_audience) == ("family", "grid")
    assert not AuditEntry.objects.filter(action="resident.privacy_set").exists()


def test_optional_data_reaches_family_only_when_shared(world, record):
    family = world["family"]
    assert not access_for(actor=family, resident=record).allows("skills")
    _choose(world, Audience.FAMILY, Audience.FAMILY)
    record.refresh_from_db()
    assert access_for(actor=family, resident=record).allows("health_notes")
    # The grid worker sees it either way; family never sees protected tiers.
    _choose(world, Audience.GRID, Audience.GRID)
    record.refresh_from_db()
    assert access_for(actor=world["grid_worker"], resident=record).allows("skills")
    assert not access_for(actor=family, resident=record).allows("health_conditions")


def test_alerts_reach_family_only_when_shared(world, record):
    assert alert_audience(resident=record) == [world["family"]]
    _choose(world, Audience.GRID, Audience.GRID)
    record.refresh_from_db()
    assert alert_audience(resident=record) == []


def test_family_view_follows_the_choice_and_is_audited(world, record):
    (rel,) = rights.family_relatives(actor=world["family"])
    assert rel.record.resident == record and rel.alerts_to_me and not rel.optional_shared
    assert "skills" not in rel.record.data and "phone" not in rel.record.data
    assert ("姓名", "王秀英") in rel.rows
    _choose(world, Audience.GRID, Audience.FAMILY)
    (rel,) = rights.family_relatives(actor=world["family"])
    assert rel.optional_shared and rel.record.data["skills"] == "越剧"
    assert not rel.alerts_to_me
    # Each family read is in the resident's access history, as a family member's.
    roles = [e.role for e in access_history(resident=record).events]
    assert roles == ["家属", "家属"]


def test_unlinked_family_member_sees_nothing(world, record):
    stranger = make_user("family_2", Role.FAMILY)
    assert rights.family_relatives(actor=stranger) == []
    assert rights.family_relatives(actor=world["grid_worker"]) == []


def test_withdrawn_optional_data_is_gone_for_family_too(world, record):
    _choose(world, Audience.FAMILY, Audience.FAMILY)
    rights.consent_withdraw(actor=world["resident"])
    view = resident_read(actor=world["family"], resident_id=record.pk)
    assert view.data["skills"] == "" and view.data["health_notes"] == ""


def test_family_page_shows_or_hides_as_chosen(world, record, login):
    client = login("family")
    page = client.get("/people/family/").content.decode()
    assert "王秀英" in page and "越剧" not in page and "13812345678" not in page
    assert "只给网格员看" in page and "也会通知您" in page
    _choose(world, Audience.GRID, Audience.FAMILY)
    page = client.get("/people/family/").content.decode()
    assert "越剧" in page and "腿脚不便" in page and "只通知网格员" in page
    assert "高血压" not in page and "低保" not in page  # protected tiers never


def test_family_page_without_relatives(world, login):
    page = login("family").get("/people/family/").content.decode()
    assert "还没有关联的家人" in page


def test_privacy_page_saves_the_choice(world, record, login):
    client = login("resident")
    page = client.get("/people/me/privacy/").content.decode()
    assert "预警消息" in page and "只给网格员" in page
    response = client.post(
        "/people/me/privacy/", {"alerts_audience": "grid", "optional_audience": "family"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.alerts_audience == "grid" and record.optional_audience == "family"
    bad = client.post("/people/me/privacy/", {"alerts_audience": "all"})
    assert bad.status_code == 400 and "请选择预警消息给谁看" in bad.content.decode()
    record.refresh_from_db()
    assert record.alerts_audience == "grid"


def test_privacy_api(world, record, login):
    client = login("resident")
    ok = client.put(
        "/api/people/me/privacy",
        {"alerts_audience": "grid", "optional_audience": "family"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["optional_audience_label"] == "网格员和家属"
    bad = client.put(
        "/api/people/me/privacy",
        {"alerts_audience": "x", "optional_audience": "family"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "alerts_audience"
    record.refresh_from_db()
    assert record.alerts_audience == "grid"
