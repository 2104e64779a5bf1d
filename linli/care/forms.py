"""Forms of the care pages. They only shape input; the services decide."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.care.models import AwayReason, DeviceKind, Outcome, ServiceKind


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("上门查看的结果"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("说明(需要帮助时必填)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AwayForm(forms.Form):
    """Dates, not times: family think in days. Leaving today starts now; the return day
    counts to its end."""

    reason = forms.ChoiceField(
        label=_("外出原因"), choices=AwayReason.choices, widget=forms.RadioSelect
    )
    starts = forms.DateField(
        label=_("离家日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends = forms.DateField(
        label=_("回家日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("备注(选填)"), required=False, max_length=200)

    def period(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        now = timezone.now()
        day_from, day_to = self.cleaned_data["starts"], self.cleaned_data["ends"]
        starts = dt.datetime.combine(day_from, dt.time(), tzinfo=tz)
        if day_from == timezone.localdate(now):
            starts = now
        ends = dt.datetime.combine(day_to + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        return starts, ends


class ServiceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("服务项目"), choices=ServiceKind.choices, widget=forms.RadioSelect
    )
    provided_at = forms.DateTimeField(
        label=_("服务时间"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    provider = forms.CharField(label=_("服务人员或单位"), max_length=100)
    note = forms.CharField(label=_("备注(选填)"), required=False, max_length=300)

    def __init__(self, *args: Any, kinds: list[ServiceKind] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kinds:  # the person's tier first
            rest = [k for k in ServiceKind if k not in kinds]
            field: Any = self.fields["kind"]
            field.choices = [(k.value, k.label) for k in [*kinds, *rest]]


class DeviceForm(forms.Form):
    serial = forms.CharField(label=_("设备编号"), max_length=64)
    kind = forms.ChoiceField(label=_("设备类型"), choices=DeviceKind.choices)
    building = forms.ChoiceField(label=_("楼栋"))
    unit = forms.CharField(label=_("单元(没有可不填)"), required=False, max_length=20)
    room = forms.CharField(label=_("门牌号"), max_length=20)
    resident_name = forms.CharField(label=_("使用人姓名(选填)"), required=False, max_length=50)
    place = forms.CharField(
        label=_("安装位置(选填,如 厨房、卧室门口)"), required=False, max_length=50
    )
    gateway = forms.ChoiceField(label=_("网关(选填)"), required=False)
    installed_on = forms.DateField(
        label=_("安装日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    register_max = forms.FloatField(
        label=_("表计量程(选填,水表、电表读数满量程后归零时填写)"), required=False, min_value=0.001
    )

    def __init__(
        self,
        *args: Any,
        buildings: list[tuple[int, str]],
        gateways: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        building: Any = self.fields["building"]
        building.choices = [(str(pk), name) for pk, name in buildings]
        gateway: Any = self.fields["gateway"]
        gateway.choices = [("", _("不经网关"))] + [(str(pk), name) for pk, name in gateways]
