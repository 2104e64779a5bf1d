"""Registering gateways and devices (CARE-1). A gateway's token is shown once and only its
SHA-256 is kept; a device is registered to a household (and optionally the resident who uses
it) with its install date, and gets its DeviceState row at once."""

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.care.choices import AuditAction
from linli.care.models.devices import METER_KINDS, Device, DeviceKind, DeviceState, Gateway
from linli.care.policy import can_register_devices
from linli.core.audit.services import audit_record
from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.core.roles import Role
from linli.core.schemas import EARLIEST_DAY
from linli.core.text import optional_text
from linli.geo.models import Community, Household
from linli.geo.scope import Scope

TOKEN_START = "gw_"  # noqa: S105 (a prefix, not a secret)
SERIAL_MAX = 64


def _everywhere(actor: Any) -> bool:
    """The system (actor None) and the system administrator register anywhere."""
    return actor is None or getattr(actor, "role", None) == Role.SYSADMIN


def communities_managed_by(actor: Any) -> QuerySet[Community]:
    """The communities whose gateways and devices `actor` looks after (CARE-1)."""
    if _everywhere(actor):
        return Community.objects.all()
    if not can_register_devices(actor):
        return Community.objects.none()
    return Scope.for_actor(actor).managed_communities()


def households_managed_by(actor: Any) -> QuerySet[Household]:
    """The households whose devices `actor` may register (actor None = the system)."""
    households = Household.objects.all()
    if _everywhere(actor):
        return households
    return households.filter(building__grid__community__in=communities_managed_by(actor))


def _check_actor_for(actor: Any, household: Household) -> None:
    if not households_managed_by(actor).filter(pk=household.pk).exists():
        raise PermissionDenied(_("您只能为本社区的住户登记设备。"))


def _community_of(household: Household) -> int:
    return int(
        Household.objects.filter(pk=household.pk)
        .values_list("building__grid__community_id", flat=True)
        .get()
    )


@transaction.atomic
def gateway_create(
    *, actor: Any, name: str, community: Community | None = None
) -> tuple[Gateway, str]:
    """A new gateway and its token (returned once; give it to the installer)."""
    if not can_register_devices(actor):
        raise PermissionDenied(_("您没有登记网关的权限。"))
    if not _everywhere(actor):
        if community is None:
            raise ValidationFailed(_("请选择网关所属社区。"), field="community")
        if not communities_managed_by(actor).filter(pk=community.pk).exists():
            raise PermissionDenied(_("您只能为本社区登记网关。"))
    name = (name or "").strip()
    if not name or len(name) > 64 or any(c.isspace() or c in "/+#" for c in name):
        raise ValidationFailed(
            _("网关名称不能为空、不超过 64 个字符,且不能含空格或 / + #(它是 MQTT 主题的一段)。"),
            field="name",
        )
    if Gateway.objects.filter(name=name).exists():
        raise Conflict(_("网关「%(name)s」已登记。") % {"name": name}, field="name")
    token = TOKEN_START + secrets.token_urlsafe(32)
    gateway = Gateway.objects.create(
        name=name, community=community, token_hash=Gateway.hash_token(token)
    )
    audit_record(
        actor=actor,
        action=AuditAction.GATEWAY_CREATE,
        obj=gateway,
        data={"community": community.pk if community else None},
    )
    return gateway, token


def _gateway_locked(actor: Any, gateway_id: int) -> Gateway:
    """The gateway, row-locked, if `actor` looks after its community (else not found)."""
    gateways = Gateway.objects.select_for_update()
    if not _everywhere(actor):
        gateways = gateways.filter(community__in=communities_managed_by(actor))
    gateway = gateways.filter(pk=gateway_id).first()
    if gateway is None:
        raise NotFound(_("没有这个网关。"))
    return gateway


@transaction.atomic
def gateway_token_rotate(*, actor: Any, gateway_id: int) -> tuple[Gateway, str]:
    """A new token for a gateway; the old one stops working at once."""
    gateway = _gateway_locked(actor, gateway_id)
    token = TOKEN_START + secrets.token_urlsafe(32)
    gateway.token_hash = Gateway.hash_token(token)
    gateway.save(update_fields=["token_hash", "updated_at"])
    audit_record(actor=actor, action=AuditAction.GATEWAY_ROTATE, obj=gateway, data={})
    return gateway, token


@transaction.atomic
def gateway_deactivate(*, actor: Any, gateway_id: int) -> Gateway:
    """Stop a gateway: its token and its MQTT topic are refused from now on."""
    gateway = _gateway_locked(actor, gateway_id)
    if not gateway.active:
        raise Conflict(_("该网关已停用。"))
    gateway.active = False
    gateway.save(update_fields=["active", "updated_at"])
    audit_record(actor=actor, action=AuditAction.GATEWAY_DEACTIVATE, obj=gateway, data={})
    return gateway


def gateway_authenticate(*, token: str) -> Gateway | None:
    """The active gateway holding `token`, or None."""
    if not token or not token.startswith(TOKEN_START):
        return None
    return Gateway.objects.filter(token_hash=Gateway.hash_token(token), active=True).first()


def gateway_by_name(name: str) -> Gateway | None:
    return Gateway.objects.filter(name=name).first()


@transaction.atomic
def device_register(
    *,
    actor: Any,
    serial: str,
    kind: str,
    household: Household,
    resident: Any = None,
    gateway: Gateway | None = None,
    installed_on: dt.date,
    register_max: float | None = None,
    place: str = "",
) -> Device:
    """Register a device to a household; `resident` (a people record or brief, optional)
    is the person who uses it and must live there."""
    _check_actor_for(actor, household)
    serial = (serial or "").strip()
    if not serial or len(serial) > SERIAL_MAX or any(c.isspace() or c in "/+#" for c in serial):
        raise ValidationFailed(
            _("设备编号不能为空、不超过 %(max)s 个字符,且不能含空格或 / + #。")
            % {"max": SERIAL_MAX},
            field="serial",
        )
    if kind not in DeviceKind.values:
        raise ValidationFailed(_("请选择设备类型。"), field="kind")
    if Device.objects.filter(serial=serial).exists():
        raise Conflict(_("设备编号「%(serial)s」已登记。") % {"serial": serial}, field="serial")
    if resident is not None and resident.household_id != household.pk:
        raise ValidationFailed(_("使用人不是这一户的居民。"), field="resident")
    if gateway is not None:
        if not gateway.active:
            raise ValidationFailed(_("该网关已停用。"), field="gateway")
        if gateway.community_id is not None and gateway.community_id != _community_of(household):
            raise ValidationFailed(_("网关不属于这一户所在的社区。"), field="gateway")
    if installed_on > timezone.localdate():
        raise ValidationFailed(_("安装日期不能晚于今天。"), field="installed_on")
    if installed_on < EARLIEST_DAY:
        raise ValidationFailed(_("安装日期不对,请检查年份。"), field="installed_on")
    if register_max is not None:
        if kind not in METER_KINDS:
            raise ValidationFailed(_("只有水表和电表有量程。"), field="register_max")
        if not register_max > 0:
            raise ValidationFailed(_("量程应大于 0。"), field="register_max")
    device = Device.objects.create(
        serial=serial,
        kind=kind,
        household=household,
        resident_id=resident.pk if resident is not None else None,
        gateway=gateway,
        installed_on=installed_on,
        register_max=register_max,
        place=optional_text(place, field="place", label=_("安装位置"), max_length=50),
    )
    DeviceState.objects.create(device=device, household=household, kind=kind)
    audit_record(
        actor=actor,
        action=AuditAction.DEVICE_REGISTER,
        obj=device,
        data={
            "kind": kind,
            "household": household.pk,
            "resident": resident.pk if resident else None,
            "gateway": gateway.pk if gateway else None,
        },
    )
    return device


@transaction.atomic
def device_deactivate(*, actor: Any, device_id: int) -> Device:
    """Take a device out of use: its readings are refused from now on; stored ones stay."""
    device = Device.objects.select_for_update().filter(pk=device_id).first()
    if device is None or not households_managed_by(actor).filter(pk=device.household_id).exists():
        raise NotFound(_("没有这个设备。"))
    if not device.active:
        raise Conflict(_("该设备已停用。"))
    device.active = False
    device.save(update_fields=["active", "updated_at"])
    audit_record(actor=actor, action=AuditAction.DEVICE_DEACTIVATE, obj=device, data={})
    return device
