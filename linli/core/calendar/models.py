"""Working-day calendar tables: one row per year, one row per exception day."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.base import BaseModel
from linli.core.calendar.choices import DayKind


class CalendarYear(BaseModel):
    """A calendar year. Deadlines that touch a year not published here are provisional.

    `version` goes up by one on every change to the year or its days (load, admin edit), so
    in-process caches notice edits; each change also writes an audit entry.
    """

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    published = models.BooleanField(
        _("已发布"),
        default=False,
        help_text=_("国务院办公厅已公布该年放假安排,且已录入本表。"),
    )
    source = models.CharField(
        _("来源"), max_length=40, blank=True, help_text=_("chinese-calendar x.y 或 admin")
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=0)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("工作日历年份")
        verbose_name_plural = _("工作日历年份")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(BaseModel):
    """One exception to the Monday–Friday rule: a weekday off or a weekend day worked."""

    calendar_year = models.ForeignKey(
        CalendarYear, on_delete=models.CASCADE, related_name="days", verbose_name=_("年份")
    )
    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=60, blank=True, help_text=_("例如 国庆节"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日历例外日")
        verbose_name_plural = _("工作日历例外日")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".rstrip()
