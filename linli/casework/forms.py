from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.casework.choices import STAFF_CHANNELS, Channel
from linli.casework.selectors import categories_active


class ReportForm(forms.Form):
    """The resident's report (PLAT-2: few fields, big targets); photos are read separately."""

    category = forms.ChoiceField(
        label=_("事项分类"), error_messages={"required": _("请选择事项分类。")}
    )
    description = forms.CharField(
        label=_("问题描述"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("发生了什么?在哪里?")}),
        error_messages={"required": _("请填写问题描述。")},
    )
    lat = forms.FloatField(widget=forms.HiddenInput, error_messages={"required": _("请选择位置。")})
    lon = forms.FloatField(widget=forms.HiddenInput, error_messages={"required": _("请选择位置。")})
    address = forms.CharField(label=_("地点补充(选填)"), max_length=200, required=False)
    anonymous = forms.BooleanField(label=_("匿名上报"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups: dict[str, list[tuple[str, str]]] = {}
        for c in categories_active().filter(parent__isnull=False):
            assert c.parent is not None
            groups.setdefault(c.parent.name, []).append((c.code, f"{c.name}"))
        self.fields["category"].choices = [("", _("请选择"))] + list(groups.items())  # type: ignore[attr-defined]


class StaffReportForm(ReportForm):
    """代办 at the window, from a hotline call or a suggestion-box slip (PLAT-2)."""

    channel = forms.ChoiceField(
        label=_("来源渠道"), choices=[(c.value, c.label) for c in Channel if c in STAFF_CHANNELS]
    )
    full_name = forms.CharField(label=_("居民姓名"), max_length=50, required=False)
    birth_year = forms.IntegerField(label=_("出生年份"), required=False, min_value=1900)
    sex = forms.ChoiceField(
        label=_("性别(新建档案时填)"),
        required=False,
        choices=[("", "—"), ("M", _("男")), ("F", _("女"))],
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("满意度"),
        coerce=int,
        choices=[
            (5, _("非常满意")),
            (4, _("满意")),
            (3, _("一般")),
            (2, _("不满意")),
            (1, _("非常不满意")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意度。")},
    )
    comment = forms.CharField(
        label=_("评价(选填)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
