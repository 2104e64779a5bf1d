"""Plain-word times for the care pages: "还剩 40 分钟", "3 小时前"."""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

register = template.Library()

# Words the care code hands to the pages untranslated, translated there with
# {% translate value %}: device_health's states (linli/care/selectors.py) and the ability
# of someone not yet assessed (linli/care/services/homecare.py).
PAGE_WORDS = (
    gettext_noop("正常"),
    gettext_noop("离线"),
    gettext_noop("未上报"),
    gettext_noop("未评估"),
)


def _minutes(n: int) -> str:
    return _("%(n)s 分钟") % {"n": n}


def _span(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 1:
        return _("不到 1 分钟")
    if minutes < 60:
        return _minutes(minutes)
    hours = minutes // 60
    if hours < 48:
        rest = minutes % 60
        return _("%(n)s 小时") % {"n": hours} + (
            f" {_minutes(rest)}" if rest and hours < 10 else ""
        )
    return _("%(n)s 天") % {"n": hours // 24}


@register.filter
def left(due: dt.datetime | None) -> str:
    """Time to a deadline, or how far past it."""
    if due is None:
        return ""
    seconds = (due - timezone.now()).total_seconds()
    if seconds >= 0:
        return _("还剩 %(span)s") % {"span": _span(seconds)}
    return _("已超时 %(span)s") % {"span": _span(-seconds)}


@register.filter
def ago(moment: dt.datetime | None) -> str:
    if moment is None:
        return _("从未")
    seconds = (timezone.now() - moment).total_seconds()
    return _("%(span)s前") % {"span": _span(max(seconds, 0))}


@register.filter
def late(due: dt.datetime | None) -> bool:
    return due is not None and due < timezone.now()


@register.filter
def local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M") if moment else ""


@register.filter
def until(moment: dt.datetime | None) -> str:
    """An end at midnight reads as 24:00 of the day before (the day people chose)."""
    if moment is None:
        return ""
    local_time = timezone.localtime(moment)
    if local_time.hour == 0 and local_time.minute == 0:
        return (local_time - dt.timedelta(days=1)).strftime("%m-%d") + " 24:00"
    return local_time.strftime("%m-%d %H:%M")
