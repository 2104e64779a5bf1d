"""Admin for the working-day calendar. Every save goes through the services (version, audit).

Imported from linli/core/admin.py, since Django autodiscovers only `<app>/admin.py`.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse

from linli.core.calendar.choices import DayKind
from linli.core.calendar.models import CalendarDay, CalendarYear
from linli.core.calendar.selectors import provisional_years
from linli.core.calendar.services import (
    calendar_clear_day,
    calendar_load_year,
    calendar_set_day,
    calendar_validate_day,
    calendar_year_update,
)
from linli.core.errors import ValidationFailed

WEEKDAYS = "一二三四五六日"


class CalendarDayForm(forms.ModelForm[CalendarDay]):
    class Meta:
        model = CalendarDay
        fields = ("date", "kind", "name")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # On change the standalone admin shows the date read-only: take it from the row.
        day, kind = cleaned.get("date") or self.instance.date, cleaned.get("kind")
        if day is not None and kind:
            try:
                calendar_validate_day(day=day, kind=kind)
            except ValidationFailed as exc:
                raise forms.ValidationError(exc.message) from exc
        return cleaned


class CalendarDayFormSet(
    BaseInlineFormSet[CalendarDay, CalendarYear, forms.ModelForm[CalendarDay]]
):
    def clean(self) -> None:
        super().clean()
        year = self.instance.year
        for form in self.forms:
            day = getattr(form, "cleaned_data", {}).get("date")
            if day is not None and year and day.year != year:
                form.add_error("date", f"日期不在 {year} 年内。")


class CalendarDayInline(admin.TabularInline[CalendarDay, CalendarYear]):
    model = CalendarDay
    form = CalendarDayForm
    formset = CalendarDayFormSet
    fields = ("date", "kind", "name")
    extra = 0


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin[CalendarYear]):
    list_display = (
        "year",
        "published",
        "source",
        "version",
        "published_at",
        "holiday_count",
        "workday_count",
    )
    fields = ("year", "published", "note", "source", "version", "published_at", "updated_at")
    readonly_fields = ("source", "version", "published_at", "updated_at")
    inlines = (CalendarDayInline,)
    actions = ("reload_from_package",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CalendarYear]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_holidays=Count("days", filter=Q(days__kind=DayKind.HOLIDAY)),
                n_workdays=Count("days", filter=Q(days__kind=DayKind.WORKDAY)),
            )
        )

    @admin.display(description="放假天数(工作日)")
    def holiday_count(self, obj: CalendarYear) -> int:
        return int(getattr(obj, "n_holidays", 0))

    @admin.display(description="调休上班天数")
    def workday_count(self, obj: CalendarYear) -> int:
        return int(getattr(obj, "n_workdays", 0))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        return ("year", *fields) if obj is not None else fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting a year would drop its days without a trace; unpublish it instead.
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        years = provisional_years()
        if years and request.method == "GET":
            messages.warning(
                request,
                "以下年份的放假安排尚未发布或录入:"
                + "、".join(str(y) for y in years)
                + "。涉及这些年份的期限是临时的(按周一至周五计算),"
                "国务院办公厅公布后请载入或录入。",
            )
        return super().changelist_view(request, extra_context)

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: Any, change: bool) -> None:
        saved = calendar_year_update(
            actor=request.user, year=obj.year, published=obj.published, note=obj.note
        )
        obj.pk = saved.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not CalendarDay:
            super().save_formset(request, form, formset, change)
            return
        publish = bool(form.cleaned_data.get("published"))
        deleted = [f for f in formset.initial_forms if f in formset.deleted_forms]
        kept = [f for f in formset.forms if f not in deleted and f.has_changed()]
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for f in deleted:
            calendar_clear_day(actor=request.user, day=f.initial["date"], publish=publish)
            formset.deleted_objects.append(f.instance)
        for f in kept:
            if f.instance.pk and "date" in f.changed_data:
                calendar_clear_day(actor=request.user, day=f.initial["date"], publish=publish)
        for f in kept:
            data = f.cleaned_data
            row = calendar_set_day(
                actor=request.user,
                day=data["date"],
                kind=data["kind"],
                name=data.get("name", ""),
                publish=publish,
            )
            if f.instance.pk:
                formset.changed_objects.append((row, f.changed_data))
            else:
                formset.new_objects.append(row)
        form.instance.refresh_from_db()

    @admin.action(description="从 chinese-calendar 重新载入所选年份(覆盖管理员修改)")
    def reload_from_package(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        for calendar_year in queryset.order_by("year"):
            try:
                loaded = calendar_load_year(actor=request.user, year=calendar_year.year, force=True)
            except ValidationFailed as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"{loaded.year} 年已载入(版本 {loaded.version})。")


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin[CalendarDay]):
    form = CalendarDayForm
    list_display = ("date", "weekday", "kind", "name", "calendar_year")
    list_filter = ("kind", "calendar_year")
    date_hierarchy = "date"
    search_fields = ("name",)

    @admin.display(description="星期")
    def weekday(self, obj: CalendarDay) -> str:
        return f"周{WEEKDAYS[obj.date.weekday()]}"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # To move an exception to another date, delete it and add the new one.
        return ("date",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        saved = calendar_set_day(actor=request.user, day=obj.date, kind=obj.kind, name=obj.name)
        obj.pk = saved.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        calendar_clear_day(actor=request.user, day=obj.date)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for day in queryset.order_by("date").values_list("date", flat=True):
            calendar_clear_day(actor=request.user, day=day)
