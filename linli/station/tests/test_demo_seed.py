"""The demo builder of the station runs through the real services on a small world."""

from linli.station.models import Application, HelpSession
from linli.station.tests.helpers import station_world


def test_seed_station_makes_applications(world):
    from linli.demo.station import seed_station

    station_world(world)
    out = seed_station(street=world.street, password_hash="x")
    # 李桂兰 (oldest) already holds a 老年证: skipped; 王秀英 gets the second story.
    assert out["applications"] == 1
    a = Application.objects.get()
    assert (a.service.code, a.status, a.resident.full_name) == ("dibao", "accepted", "王秀英")
    assert HelpSession.objects.count() == out["sessions"]
