import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import gettext_noop

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
