"""CARE-3: thresholds are configuration — city-wide defaults and per household, edited in the
admin through validated, audited services; a bad value is refused on its field and changes
nothing."""

import datetime as dt

import pytest

from linli.care.models import CareDefaults, CareProfile
from linli.care.services.rules import defaults_get
from linli.care.services.settings import defaults_save, profile_save
from linli.core.audit.models import AuditEntry
from linli.core.errors import ValidationFailed
from linli.geo.models import Household


def test_defaults_are_saved_and_audited(world):
    d = defaults_get()
    d.no_water_hours = 10
    defaults_save(actor=world["sysadmin"], defaults=d, changed=["no_water_hours"])
    assert CareDefaults.objects.get().no_water_hours == 10
    entry = AuditEntry.objects.filter(action="care.defaults_changed").get()
    assert entry.data == {"fields": ["no_water_hours"]}


def test_a_threshold_out_of_range_is_refused_and_nothing_changes(world):
    d = defaults_get()
    d.no_water_hours = 0.2
    with pytest.raises(ValidationFailed) as caught:
        defaults_save(actor=world["sysadmin"], defaults=d, changed=["no_water_hours"])
    assert caught.value.field == "no_water_hours"
    assert caught.value.message == "「无用水报警时长」应在 1 到 72 之间。"
    assert CareDefaults.objects.get().no_water_hours == 12


def test_quiet_hours_need_both_ends(world):
    profile = CareProfile(household=Household.objects.get(room="101"), quiet_start=dt.time(22))
    with pytest.raises(ValidationFailed) as caught:
        profile_save(actor=world["sysadmin"], profile=profile, changed=["quiet_start"])
    assert caught.value.field == "quiet_end"
    assert not CareProfile.objects.exists()


def test_admin_shows_the_refusal_on_the_field(world, login):
    defaults_get()
    client = login("sysadmin")
    url = "/admin/care/caredefaults/1/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = {
        name: getattr(CareDefaults.objects.get(), name)
        for name in (
            "no_water_hours",
            "no_water_m3",
            "no_movement_days",
            "not_out_days",
            "electricity_hours",
            "electricity_sigma",
            "electricity_ratio",
            "electricity_min_kwh",
            "visit_hours",
            "escalation_hours",
            "meter_offline_hours",
            "sensor_offline_hours",
            "button_offline_hours",
            "stuck_days",
            "battery_low",
        )
    }
    bad = client.post(url, {**form, "visit_hours": 0})
    assert bad.status_code == 200
    assert "「上门查看期限」应在 0.25 到 24 之间。" in bad.content.decode()
    assert CareDefaults.objects.get().visit_hours == 2
    good = client.post(url, {**form, "visit_hours": 1.5})
    assert good.status_code == 302
    assert CareDefaults.objects.get().visit_hours == 1.5
