import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from linli.casework.notify import ESTIMATED_MARK

register = template.Library()


@register.filter
def due(value: dt.datetime | None, fmt: str = "m-d") -> str:
    """Working-day deadlines fall at 00:00 of the next day; people read them as "24:00" of
    the last working day, so show that."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    if local.hour == 0 and local.minute == 0:
        last = local - dt.timedelta(days=1)
        return last.strftime("%m-%d" if fmt == "m-d" else "%Y-%m-%d") + " 24:00"
    return local.strftime("%m-%d %H:%M" if fmt == "m-d" else "%Y-%m-%d %H:%M")


# Words the casework code hands to the pages untranslated, translated there with
# {% translate value %}: the stages of a case photo (CasePhoto.Stage in linli/casework/models.py).
PAGE_WORDS = (
    gettext_noop("上报"),
    gettext_noop("处置反馈"),
)


# What a status means to the person who reported (PLAT-2: plain words, not the workflow's).
PLAIN = {
    "received": _("已收到,等待受理"),
    "registered": _("已受理,正在安排"),
    "dispatched": _("已交给办理单位"),
    "handling": _("正在办理"),
    "handled": _("办好了,请您确认"),
    "verified": _("已确认解决,即将办结"),
    "closed": _("已办结,请您评价"),
    "rated": _("已办结"),
    "rejected": _("不予受理"),
    "merged": _("已与同一问题一起办理"),
}


@register.filter
def plain_status(status: str) -> str:
    return str(PLAIN.get(status, status))


@register.filter
def snippet(text: str, length: int = 30) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


@register.filter
def place(case: Any) -> str:
    """Where a case is, in the words a resident would use."""
    address = (case.address or "").replace(ESTIMATED_MARK, "")
    return address or case.community.name
