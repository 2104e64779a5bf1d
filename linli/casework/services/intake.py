"""CASE-1..3: cases enter from every channel, are located, routed and get an owner."""

import itertools
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.casework.choices import STAFF_CHANNELS, Channel, EventKind, Status
from linli.casework.deadlines import case_deadlines
from linli.casework.lookups import Lookups, intake_lookups
from linli.casework.models import Case, CaseEvent, CasePhoto, Category
from linli.casework.policy import INTAKE_ROLES
from linli.casework.services.common import record_step, refuse_unless
from linli.casework.units import user_units
from linli.core.errors import ValidationFailed
from linli.core.photos import ProcessedPhoto, photo_process
from linli.core.roles import Role
from linli.core.text import optional_text, require_text
from linli.geo.models import Department, Grid
from linli.geo.selectors import grid_locate, responsibility_pick

if TYPE_CHECKING:
    from linli.people.models import Resident  # the foreign key's type

MAX_PHOTOS = 6
TRACKING_ATTEMPTS = 5
OUTSIDE = gettext_lazy("该位置不在本平台的任何网格内,请在地图上重新选择地点。")


@dataclass(frozen=True)
class CaseInput:
    category_code: str
    description: str
    lat: float
    lon: float
    address: str = ""
    anonymous: bool = False


def _category(code: str, lookups: Lookups) -> Category:
    category = lookups.categories.get(code)
    if category is None:
        raise ValidationFailed(_("请选择一个有效的事项分类。"), field="category")
    return category


def _locate(lat: float, lon: float, lookups: Lookups) -> Grid:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationFailed(_("位置坐标无效。"), field="lat")
    found = grid_locate(lat=lat, lon=lon, version=lookups.grid_version)
    if found is None:
        raise ValidationFailed(str(OUTSIDE), code="outside_grids", field="location")
    return lookups.grid(found.grid_id)


def route(*, category: Category, grid: Grid, lookups: Lookups | None = None) -> Department:
    """The responsible unit by the responsibility list; the community's 居委会 otherwise, so
    a case is never without an owner (CASE-3)."""
    lookups = lookups or intake_lookups()
    unit = responsibility_pick(rules=lookups.rules, category_code=category.code, grid=grid)
    if unit is not None:
        return unit
    fallback = lookups.community_units.get(grid.community_id) or lookups.street_units.get(
        grid.community.street_id
    )
    if fallback is None:
        raise ValidationFailed(_("该社区尚未配置责任单位,请联系系统管理员。"), code="no_unit")
    return fallback


def _tracking_no() -> str:
    return timezone.localdate().strftime("%Y%m%d") + f"{secrets.randbelow(10**6):06d}"


def process_photos(photos: Sequence[bytes]) -> list[ProcessedPhoto]:
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(_("最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS}, field="photos")
    return [photo_process(data=raw) for raw in photos]


def attach_photos(case: Case, processed: Sequence[ProcessedPhoto], stage: str) -> None:
    for p in processed:
        photo = CasePhoto(case=case, stage=stage, sha256=p.sha256, width=p.width, height=p.height)
        photo.image.save(f"{p.sha256[:16]}.jpg", ContentFile(p.image), save=False)
        photo.thumbnail.save(f"{p.sha256[:16]}_t.jpg", ContentFile(p.thumbnail), save=False)
        photo.save()


@dataclass(frozen=True)
class Submitted:
    case: Case
    event: CaseEvent  # the "submitted" step, with its actor and unit loaded


def case_submit(
    *,
    actor: Any,
    data: CaseInput,
    channel: Channel = Channel.WEB,
    photos: Sequence[bytes] = (),
    resident: "Resident | None" = None,
    phone: str = "",
) -> Case:
    """Create a case from any channel. Staff channels record who entered it and for whom;
    the owner is the unit that first receives it (首接负责制)."""
    return case_intake(
        actor=actor, data=data, channel=channel, photos=photos, resident=resident, phone=phone
    ).case


def case_intake(
    *,
    actor: Any,
    data: CaseInput,
    channel: Channel = Channel.WEB,
    photos: Sequence[bytes] = (),
    resident: "Resident | None" = None,
    phone: str = "",
) -> Submitted:
    """`case_submit`, also returning the timeline's first event (the API answers from it)."""
    description = require_text(
        data.description, field="description", label=_("问题描述"), max_length=2000
    )
    address = optional_text(data.address, field="address", label=_("地址"), max_length=200)
    lookups = intake_lookups()
    category = _category(data.category_code, lookups)
    grid = _locate(data.lat, data.lon, lookups)
    staff_entry = channel in STAFF_CHANNELS
    if staff_entry:
        refuse_unless(actor is not None and actor.role in INTAKE_ROLES)
        owner = user_units(actor).first() or route(category=category, grid=grid, lookups=lookups)
    else:
        owner = route(category=category, grid=grid, lookups=lookups)
    now = timezone.now()
    respond, close = case_deadlines(category=category, start=now)
    reporter = None
    if not staff_entry and actor is not None and actor.role == Role.RESIDENT:
        reporter = actor
    if staff_entry and resident is not None and resident.user_id:
        reporter = resident.user
    processed = process_photos(photos)  # all validated before anything is written
    fields = {
        "channel": channel,
        "category": category,
        "description": description,
        "reporter": reporter,
        "resident": resident,
        "anonymous": data.anonymous and not staff_entry,
        "entered_by": actor if staff_entry else None,
        # Only for someone without an account: an account holder gets their inbox + SMS.
        "notify_phone": phone if staff_entry and reporter is None else "",
        "lat": data.lat,
        "lon": data.lon,
        "address": address,
        "grid": grid,
        "community": grid.community,
        "owner_unit": owner,
        "respond_due": respond.due,
        "close_due": close.due,
        "due_provisional": respond.provisional or close.provisional,
        "status": Status.RECEIVED,
        "public": category.public,
    }
    # A random number taken the same day is rare: the unique index refuses it and the whole
    # transaction is tried again, instead of a lookup before every insert.
    for attempt in itertools.count():
        try:
            with transaction.atomic():
                case = Case.objects.create(tracking_no=_tracking_no(), **fields)
                attach_photos(case, processed, CasePhoto.Stage.REPORT)
                event = record_step(
                    case=case,
                    kind=EventKind.SUBMITTED,
                    actor=actor,
                    unit=owner,
                    note=str(case.get_channel_display()),
                    notify_reporter=True,
                )
        except IntegrityError as exc:
            if "tracking_no" not in str(exc) or attempt >= TRACKING_ATTEMPTS:
                raise
            continue
        return Submitted(case, event)
    raise AssertionError("unreachable")
