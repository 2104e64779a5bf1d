"""Admin for EVAL-2's data: the score sheet (criteria, weights adding up to 100, pass mark)
and the resource-efficiency limits are edited here; projects, evaluations, evidence and cuts
are read-only (they move only through the services and the audit log)."""

from typing import Any

from django import forms
from django.contrib import admin

from linli.core.admin_base import ReadOnlyAdmin
from linli.core.errors import ValidationFailed
from linli.evaluation.models import (
    EfficiencyRule,
    FundingCut,
    ProjectEvaluation,
    ScoreSheet,
    ServiceProject,
)
from linli.evaluation.projects import sheet_check


class ScoreSheetForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ScoreSheet
        fields = ["name", "criteria", "pass_mark", "active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            sheet_check(data.get("criteria"), data.get("pass_mark"))
        except ValidationFailed as exc:
            raise forms.ValidationError(str(exc.message)) from None
        return data


@admin.register(ScoreSheet)
class ScoreSheetAdmin(admin.ModelAdmin[ScoreSheet]):
    form = ScoreSheetForm
    list_display = ["name", "pass_mark", "active", "created_at"]


@admin.register(EfficiencyRule)
class EfficiencyRuleAdmin(admin.ModelAdmin[EfficiencyRule]):
    list_display = ["max_idle_rate", "max_cost_per_person_fen", "cut_percent", "active"]


admin.site.register(ServiceProject, ReadOnlyAdmin)
admin.site.register(ProjectEvaluation, ReadOnlyAdmin)
admin.site.register(FundingCut, ReadOnlyAdmin)
