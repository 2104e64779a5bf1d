"""Service requests: the public query (CASE-11: no personal data) and the POST intake."""

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from linli.casework.choices import CLOSED_STATUSES, Channel, EventKind, Status
from linli.casework.models import Case, CasePhoto
from linli.casework.open311.catalog import attribute_lines, deadlines_text, service_get
from linli.casework.selectors import case_not_found
from linli.casework.services.common import record_step
from linli.casework.services.intake import CaseInput, case_submit
from linli.core.errors import ValidationFailed
from linli.core.schemas import EARLIEST_DAY, LATEST_DAY

PUBLIC_DECIMALS = 3  # ~100 m
MAX_RESULTS = 1000
WINDOW = dt.timedelta(days=90)
DESCRIPTION_MAX = 2000  # case_submit's limit, attributes included (the spec allows 4000)


def when(value: dt.datetime | None) -> str | None:
    """W3C/ISO 8601 in Beijing time with its offset: 2026-11-24T14:03:00+08:00."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- reading ---------------------------------------------------------------------------


def public_cases() -> QuerySet[Case]:
    report_photos = Prefetch(
        "photos",
        queryset=CasePhoto.objects.filter(stage=CasePhoto.Stage.REPORT).order_by(
            "created_at", "id"
        ),
        to_attr="report_photos",
    )
    return (
        Case.objects.public()
        .select_related("category", "owner_unit", "handler_unit", "merged_into", "grid")
        .prefetch_related(report_photos)
        .order_by("-created_at", "-id")
    )


def public_case(tracking_no: str) -> Case:
    case = public_cases().filter(tracking_no=tracking_no).first()
    if case is None:
        raise case_not_found()
    return case


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _moment(value: str, *, name: str, end: bool) -> dt.datetime:
    parsed = None
    try:
        parsed = parse_datetime(value)
        if parsed is None and (day := parse_date(value)) is not None:
            # A bare date covers the whole day.
            parsed = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
    except ValueError:
        parsed = None
    if parsed is None or not EARLIEST_DAY <= parsed.date() <= LATEST_DAY:
        raise ValidationFailed(
            _("%(name)s 不是有效的 ISO 8601 时间,例如 2026-11-24T00:00:00+08:00。")
            % {"name": name},
            field=name,
        )
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def requests_search(params: QueryDict) -> list[Case]:
    """GET requests: service_request_id overrides everything; otherwise service_code,
    status and a requested_datetime window of at most 90 days (default: the last 90)."""
    ids = _split(params.get("service_request_id"))
    qs = public_cases()
    if ids:
        return list(qs.filter(tracking_no__in=ids[:MAX_RESULTS])[:MAX_RESULTS])
    codes = _split(params.get("service_code"))
    if codes:
        qs = qs.filter(category__code__in=codes)
    statuses = set(_split(params.get("status")))
    if statuses - {"open", "closed"}:
        raise ValidationFailed(_("status 只能是 open 或 closed(可用逗号分隔)。"), field="status")
    if statuses == {"open"}:
        qs = qs.exclude(status__in=CLOSED_STATUSES)
    elif statuses == {"closed"}:
        qs = qs.filter(status__in=CLOSED_STATUSES)
    start_raw, end_raw = params.get("start_date", ""), params.get("end_date", "")
    start = _moment(start_raw, name="start_date", end=False) if start_raw else None
    end = _moment(end_raw, name="end_date", end=True) if end_raw else None
    if start is None:
        end = end or timezone.now()
        start = end - WINDOW
    elif end is None:
        end = start + WINDOW
    if end < start:
        raise ValidationFailed(_("end_date 不能早于 start_date。"), field="end_date")
    if end - start > WINDOW:
        raise ValidationFailed(_("查询时间跨度不能超过 90 天。"), field="start_date")
    return list(qs.filter(created_at__gte=start, created_at__lte=end)[:MAX_RESULTS])


def _status_notes(case: Case) -> str:
    notes = [str(case.get_status_display())]
    if case.status == Status.MERGED:
        if case.merged_into is not None and case.merged_into.public:
            notes.append(f"并入 {case.merged_into.tracking_no}")
    else:
        unit = case.handler_unit or case.owner_unit
        notes.append(unit.name)
        if case.deferred and case.status not in CLOSED_STATUSES:
            notes.append("缓办")
    return " · ".join(notes)


def _media_url(request: HttpRequest, case: Case) -> str | None:
    """The first report photo, once staff reviewed the photos (CASE-11)."""
    photos: Sequence[CasePhoto] = getattr(case, "report_photos", ())
    if not case.photos_reviewed or not photos:
        return None
    photo = photos[0]
    try:
        url = reverse("casework:photo", args=(case.tracking_no, photo.pk, "full"))
    except NoReverseMatch:
        url = photo.image.url
    return request.build_absolute_uri(url)


def request_entry(request: HttpRequest, case: Case) -> dict[str, Any]:
    """One <request>: what the public may know, never who reported it."""
    closed = case.status in CLOSED_STATUSES
    updated = (case.closed_at or case.updated_at) if closed else case.updated_at
    return {
        "service_request_id": case.tracking_no,
        "status": "closed" if closed else "open",
        "status_notes": _status_notes(case),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": case.description,
        "agency_responsible": case.owner_unit.name,
        "service_notice": deadlines_text(case.category),
        "requested_datetime": when(case.created_at),
        "updated_datetime": when(updated),
        "expected_datetime": when(case.close_due),
        "address": case.address or case.grid.name,
        "address_id": None,
        "zipcode": None,
        # Rounded to ~100 m: a public list must not pinpoint a resident's door (CASE-11).
        "lat": round(case.lat, PUBLIC_DECIMALS),
        "long": round(case.lon, PUBLIC_DECIMALS),
        "media_url": _media_url(request, case),
    }


# --- writing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    case: Case
    service_notice: str


def _not_a_number(name: str) -> str:
    return _("%(name)s 不是有效的数字。") % {"name": name}


def _coordinate(form: QueryDict, name: str) -> float:
    raw = form.get(name, "").strip()
    try:
        value = float(raw)
    except ValueError:
        raise ValidationFailed(_not_a_number(name), field=name) from None
    if not math.isfinite(value):
        raise ValidationFailed(_not_a_number(name), field=name)
    return value


def _media_note(form: QueryDict) -> str:
    url = form.get("media_url", "").strip()
    if not url:
        return ""
    if len(url) > 500:
        raise ValidationFailed(_("media_url 不能超过 500 个字符。"), field="media_url")
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationFailed(
            _("media_url 不是有效的 http(s) 链接。"), field="media_url"
        ) from None
    return url


def open311_request_submit(*, actor: Any, form: QueryDict) -> Submitted:
    """POST requests: a case on the Open311 channel, filed under the key's account.

    Personal fields (email, first_name, last_name, phone, device_id, account_id) are
    dropped on purpose: nothing personal is stored from this channel."""
    code = form.get("service_code", "").strip()
    if not code:
        raise ValidationFailed(_("请提供 service_code。"), field="service_code")
    category = service_get(code)  # unknown → NotFound (404)
    has_lat, has_long = bool(form.get("lat", "").strip()), bool(form.get("long", "").strip())
    if not (has_lat and has_long):
        if form.get("address_id", "").strip() or form.get("address_string", "").strip():
            raise ValidationFailed(
                _("本接口需要 lat 和 long 定位,暂不支持仅凭 address_id 或 address_string 提交。"),
                field="lat",
            )
        raise ValidationFailed(_("请提供位置:lat 和 long 两个参数都需要。"), field="lat")
    lat, lon = _coordinate(form, "lat"), _coordinate(form, "long")
    description = form.get("description", "").strip()
    if not description:
        raise ValidationFailed(_("请填写问题描述(description)。"), field="description")
    lines = attribute_lines(category, form)
    if lines:
        description = description + "\n\n" + "\n".join(lines)
    if len(description) > DESCRIPTION_MAX:
        raise ValidationFailed(
            _("问题描述(含附加属性)不能超过 %(max)s 字。") % {"max": DESCRIPTION_MAX},
            field="description",
        )
    media_url = _media_note(form)
    data = CaseInput(
        category_code=category.code,
        description=description,
        lat=lat,
        lon=lon,
        address=form.get("address_string", "").strip(),
    )
    with transaction.atomic():
        case = case_submit(actor=actor, data=data, channel=Channel.OPEN311)
        if media_url:
            # Kept for staff, never fetched and never shown to the public.
            record_step(
                case=case,
                kind=EventKind.NOTE,
                actor=actor,
                note=f"Open311 附带的媒体链接(未下载,请核实后使用):{media_url}",
                public=False,
            )
    notice = (
        f"已受理,受理编号 {case.tracking_no}。{deadlines_text(category)}"
        f"预计办结时间 {timezone.localtime(case.close_due):%Y-%m-%d %H:%M}。"
    )
    return Submitted(case=case, service_notice=notice)
