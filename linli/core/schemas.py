import datetime as dt
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field


class ErrorBody(Schema):
    code: str
    message: str
    field: str | None = None
    details: list[dict[str, Any]] | None = None


class ErrorOut(Schema):
    error: ErrorBody


# Input types for request bodies and queries. JSON's true/false are not numbers (pydantic
# would take true as 1: a 1-fen donation); dates outside 2000-2099 mean nothing here and a
# year near 9999 overflows when shifted to UTC, breaking every page that later reads it.
EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2099, 12, 31)


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(_("应为数字,不能是 true 或 false"))
    return value


def _sane_day(value: dt.date) -> dt.date:
    day = value.date() if isinstance(value, dt.datetime) else value
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(_("日期应在 2000 年到 2099 年之间"))
    return value


# Within what JSON carries exactly (and what a bigint column holds).
Int = Annotated[int, BeforeValidator(_not_bool), Field(ge=-(2**53) + 1, le=2**53 - 1)]
Num = Annotated[float, BeforeValidator(_not_bool)]


def _aware(value: dt.datetime) -> dt.datetime:
    """A time without an offset is local time (Asia/Shanghai): comparing a naive time with
    now would fail inside a service (a 500), and people write local times."""
    if timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


Moment = Annotated[dt.datetime, AfterValidator(_sane_day), AfterValidator(_aware)]
Day = Annotated[dt.date, AfterValidator(_sane_day)]


class Paging(Schema):
    """Bounds on every list's paging: a negative or huge offset is refused with a field error
    instead of reaching the database (where it overflows)."""

    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=100_000)
