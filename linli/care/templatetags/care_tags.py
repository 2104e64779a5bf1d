"""Plain-word times for the care pages: "还剩 40 分钟", "3 小时前"."""

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


def _span(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 1:
        return "不到 1 分钟"
    if minutes < 60:
        return f"{minutes} 分钟"
    hours = minutes // 60
    if hours < 48:
        rest = minutes % 60
        return f"{hours} 小时" + (f" {rest} 分钟" if rest and hours < 10 else "")
    return f"{hours // 24} 天"


@register.filter
def left(due: dt.datetime | None) -> str:
    """Time to a deadline, or how far past it."""
    if due is None:
        return ""
    seconds = (due - timezone.now()).total_seconds()
    return f"还剩 {_span(seconds)}" if seconds >= 0 else f"已超时 {_span(-seconds)}"


@register.filter
def ago(moment: dt.datetime | None) -> str:
    if moment is None:
        return "从未"
    seconds = (timezone.now() - moment).total_seconds()
    return f"{_span(max(seconds, 0))}前"


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
