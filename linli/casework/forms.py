from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.casework.choices import STAFF_CHANNELS, Channel
from linli.casework.selectors import categories_active


class ReportForm(forms.Form):
    """The resident's report (PLAT-2: few fields, big targets); photos are read separately.
    A place is a pin, a building picked from the list, or a typed address (no GPS needed)."""

    category = forms.ChoiceField(
        label=_("什么问题?"), error_messages={"required": _("请选择是什么问题。")}
    )
    description = forms.CharField(
        label=_("说一句话"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("发生了什么?")}),
        error_messages={"required": _("请写一句话说明问题。")},
    )
    lat = forms.FloatField(widget=forms.HiddenInput, required=False)
    lon = forms.FloatField(widget=forms.HiddenInput, required=False)
    building = forms.IntegerField(widget=forms.HiddenInput, required=False)
    address = forms.CharField(
        label=_("或写下地址"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("例如:嘉绿苑3幢楼下")}),
    )
    anonymous = forms.BooleanField(label=_("不留名(匿名)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        leaves = categories_active().filter(parent__isnull=False)
        self.fields["category"].choices = [(c.code, c.name) for c in leaves]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        pinned = d.get("lat") is not None and d.get("lon") is not None
        if not (pinned or d.get("building") or (d.get("address") or "").strip()):
            self.add_error("lat", _('请选择位置:点"就在我家附近"、搜楼栋,或写下地址。'))
        return d


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
    phone = forms.RegexField(
        label=_("居民手机号(选填,办理进度发短信)"),
        regex=r"^1[3-9][0-9]{9}$",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        error_messages={"invalid": _("请填写 11 位手机号。")},
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
