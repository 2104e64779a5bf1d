"""CARE-1 device and gateway registration: services, admin and the care_gateway command."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from linli.care.models import Device, DeviceKind, DeviceState, Gateway
from linli.care.services.devices import (
    device_deactivate,
    device_register,
    gateway_authenticate,
    gateway_create,
    gateway_token_rotate,
)
from linli.core.audit.models import AuditEntry
from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.geo.models import Building, Household
from linli.people.models import Resident

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)
# Dates are computed at import (above, and "tomorrow" in a parametrize list): run the tests
# on the day the run started, so a run crossing midnight does not turn tomorrow into today.
pytestmark = pytest.mark.clock("12:00")


@pytest.fixture
def household(world):
    return Household.objects.get(room="101")


@pytest.fixture
def household_b(world):
    building = Building.objects.create(grid=world.grid_b1, name="9幢", lat=30.272, lon=120.132)
    return Household.objects.create(building=building, unit="1单元", room="901")


def register(actor, household, **kw):
    args = {"serial": "W-1", "kind": DeviceKind.WATER, "installed_on": YESTERDAY, **kw}
    return device_register(actor=actor, household=household, **args)


def test_community_worker_registers_a_device_for_a_household(world, household):
    resident = household.residents.get()
    gateway, _ = gateway_create(actor=None, name="gw-1", community=world.community_a)
    device = register(
        world["community_worker"],
        household,
        resident=resident,
        gateway=gateway,
        register_max=9999.0,
        place="厨房",
    )
    assert (device.kind, device.household, device.resident, device.gateway) == (
        "water",
        household,
        resident,
        gateway,
    )
    assert device.active and device.battery is None and device.last_seen_at is None
    state = DeviceState.objects.get(device=device)
    assert (state.household_id, state.kind, state.last_at) == (household.pk, "water", None)
    entry = AuditEntry.objects.get(action="care_device.register")
    assert entry.actor_id == world["community_worker"].pk and entry.object_id == str(device.pk)


@pytest.mark.parametrize("role", ["grid_worker", "resident", "family", "dept_officer"])
def test_other_roles_cannot_register_devices(world, household, role):
    with pytest.raises(PermissionDenied):
        register(world[role], household)
    assert not Device.objects.exists()


def test_staff_register_only_in_their_own_community(world, household_b):
    with pytest.raises(PermissionDenied, match="本社区"):
        register(world["secretary"], household_b)
    # The street office covers both communities; the system administrator everything.
    assert register(world["street_admin"], household_b).pk
    assert register(world["sysadmin"], household_b, serial="W-2").pk


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"serial": ""}, "serial", "设备编号"),
        ({"serial": "W 1"}, "serial", "空格"),
        ({"serial": "W/1"}, "serial", "/"),
        ({"serial": "W" * 65}, "serial", "64"),
        ({"kind": "toaster"}, "kind", "设备类型"),
        ({"kind": DeviceKind.DOOR, "register_max": 100.0}, "register_max", "水表和电表"),
        ({"register_max": 0.0}, "register_max", "大于 0"),
        ({"installed_on": timezone.localdate() + dt.timedelta(days=1)}, "installed_on", "今天"),
    ],
)
def test_bad_registrations_are_refused_with_the_field(world, household, changes, field, message):
    with pytest.raises(ValidationFailed) as exc:
        register(world["community_worker"], household, **changes)
    assert exc.value.field == field and message in exc.value.message
    assert not Device.objects.exists() and not DeviceState.objects.exists()


def test_serial_is_unique(world, household):
    register(None, household)
    with pytest.raises(Conflict, match="已登记"):
        register(None, household, kind=DeviceKind.DOOR)
    assert Device.objects.count() == 1


def test_resident_must_live_in_the_household(world, household, household_b):
    stranger = Resident.objects.create(
        household=household_b, full_name="赵六", sex="M", birth_year=1950
    )
    with pytest.raises(ValidationFailed) as exc:
        register(None, household, resident=stranger)
    assert exc.value.field == "resident"


def test_gateway_must_serve_the_households_community(world, household_b):
    gateway, _ = gateway_create(actor=None, name="gw-a", community=world.community_a)
    with pytest.raises(ValidationFailed) as exc:
        register(None, household_b, gateway=gateway)
    assert exc.value.field == "gateway"


def test_deactivated_device_stays_but_is_out_of_use(world, household):
    device = register(world["community_worker"], household)
    device_deactivate(actor=world["community_worker"], device_id=device.pk)
    device.refresh_from_db()
    assert not device.active
    with pytest.raises(Conflict):
        device_deactivate(actor=None, device_id=device.pk)
    with pytest.raises(NotFound):
        device_deactivate(actor=world["grid_worker"], device_id=device.pk)


def test_gateway_token_is_shown_once_and_checked_by_hash(world):
    gateway, token = gateway_create(
        actor=world["community_worker"], name="gw-a1", community=world.community_a
    )
    assert token.startswith("gw_") and len(token) > 40
    assert gateway.token_hash == Gateway.hash_token(token) and token not in gateway.token_hash
    assert gateway_authenticate(token=token) == gateway
    assert gateway_authenticate(token="gw_" + "x" * 43) is None
    assert gateway_authenticate(token="") is None
    _, new = gateway_token_rotate(actor=world["secretary"], gateway_id=gateway.pk)
    assert gateway_authenticate(token=token) is None
    assert gateway_authenticate(token=new) == gateway


def test_gateway_names_and_places_are_checked(world):
    with pytest.raises(ValidationFailed):
        gateway_create(actor=None, name="gw/1")
    with pytest.raises(ValidationFailed):
        gateway_create(actor=None, name="")
    gateway_create(actor=None, name="gw-1")
    with pytest.raises(Conflict):
        gateway_create(actor=None, name="gw-1")
    with pytest.raises(PermissionDenied, match="本社区"):
        gateway_create(actor=world["secretary"], name="gw-b", community=world.community_b)
    with pytest.raises(PermissionDenied):
        gateway_create(actor=world["grid_worker"], name="gw-c", community=world.community_a)
    assert Gateway.objects.count() == 1


def test_admin_registers_a_device_through_the_service(world, household, login):
    client = login("sysadmin")
    form = {
        "serial": "E-77",
        "kind": "electricity",
        "household": household.pk,
        "installed_on": YESTERDAY.isoformat(),
        "register_max": "99999",
        "place": "客厅",
    }
    response = client.post("/admin/care/device/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    device = Device.objects.get(serial="E-77")
    assert DeviceState.objects.filter(device=device).exists()
    assert AuditEntry.objects.filter(action="care_device.register", actor_id=world["sysadmin"].pk)
    # A refused registration shows the service's message on the form; nothing is added.
    bad = client.post("/admin/care/device/add/", {**form, "serial": "E-78", "kind": "door"})
    assert bad.status_code == 200 and "只有水表和电表有量程" in bad.content.decode()
    assert Device.objects.count() == 1


def test_admin_adds_a_gateway_and_shows_its_token_once(world, login):
    client = login("sysadmin")
    response = client.post(
        "/admin/care/gateway/add/", {"name": "gw-admin", "community": world.community_a.pk}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    gateway = Gateway.objects.get(name="gw-admin")
    token = page.split("只显示这一次):")[1].split("<")[0].strip()
    assert gateway_authenticate(token=token) == gateway


def test_care_gateway_command(world):
    out = io.StringIO()
    call_command(
        "care_gateway", "create", "gw-cli", "--community", world.community_a.pk, stdout=out
    )
    token = out.getvalue().strip().splitlines()[-1]
    assert gateway_authenticate(token=token).name == "gw-cli"
    out = io.StringIO()
    call_command("care_gateway", "list", stdout=out)
    assert "gw-cli" in out.getvalue() and "启用" in out.getvalue()
    out = io.StringIO()
    call_command("care_gateway", "rotate", "gw-cli", stdout=out)
    assert gateway_authenticate(token=token) is None
    call_command("care_gateway", "disable", "gw-cli", stdout=io.StringIO())
    assert not Gateway.objects.get(name="gw-cli").active
    with pytest.raises(CommandError, match="没有名为"):
        call_command("care_gateway", "rotate", "nope")
    with pytest.raises(CommandError, match="已登记"):
        call_command("care_gateway", "create", "gw-cli")
