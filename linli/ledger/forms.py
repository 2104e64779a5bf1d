"""Page forms. Each form that moves value carries a hidden idempotency key (see the
`idempotency_input` template tag): a double submit posts once."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import User
from linli.ledger.models import DonorKind, ItemKind, PointRule
from linli.ledger.policy import MERCHANTS

DURATIONS = [
    (30, _("半小时")),
    (60, _("1 小时")),
    (90, _("1 小时 30 分钟")),
    (120, _("2 小时")),
    (150, _("2 小时 30 分钟")),
    (180, _("3 小时")),
    (240, _("4 小时")),
    (300, _("5 小时")),
    (360, _("6 小时")),
    (480, _("8 小时")),
]
COMMON_SERVICES = [
    _("陪同就医"),
    _("买菜送餐"),
    _("打扫卫生"),
    _("读报聊天"),
    _("理发"),
    _("代缴水电费"),
    _("教用智能手机"),
]


def _required(label: Any) -> dict[str, Any]:
    return {
        "required": format_lazy(_("请填写{label}。"), label=label),
        "invalid": format_lazy(_("{label}格式不正确。"), label=label),
    }


class YuanField(forms.DecimalField):
    """Money typed in yuan ("12.50"), cleaned to whole fen (1250)."""

    def __init__(self, *, label: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages",
            {**_required(label), "min_value": format_lazy(_("{label}必须大于零。"), label=label)},
        )
        super().__init__(
            label=label,
            max_digits=12,
            decimal_places=2,
            min_value=Decimal("0.01"),
            widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            **kwargs,
        )

    def clean(self, value: Any) -> Any:
        cleaned = super().clean(value)
        return None if cleaned is None else int(cleaned * 100)


class RecordForm(forms.Form):
    target = forms.ChoiceField(
        label=_("服务对象"), error_messages={"required": _("请选择服务对象。")}
    )
    service = forms.CharField(
        label=_("服务内容"),
        max_length=100,
        error_messages=_required(_("服务内容")),
        widget=forms.TextInput(attrs={"list": "services", "placeholder": _("如:陪同就医")}),
    )
    served_on = forms.DateField(
        label=_("服务日期"),
        error_messages=_required(_("服务日期")),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    minutes = forms.TypedChoiceField(label=_("服务时长"), choices=DURATIONS, coerce=int)
    note = forms.CharField(label=_("备注(选填)"), max_length=300, required=False)

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"served_on": timezone.localdate(), "minutes": 60})
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", _("请选择"))] + targets  # type: ignore[attr-defined]


class RequestForm(forms.Form):
    service = forms.CharField(
        label=_("需要什么服务"),
        max_length=100,
        error_messages=_required(_("需要的服务")),
        widget=forms.TextInput(attrs={"list": "services", "placeholder": _("如:陪同就医")}),
    )
    minutes = forms.TypedChoiceField(label=_("大约多长时间"), choices=DURATIONS, coerce=int)
    note = forms.CharField(label=_("说明(选填)"), max_length=300, required=False)


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("异议原因"), max_length=300, error_messages=_required(_("异议原因"))
    )


class FamilyForm(forms.Form):
    username = forms.CharField(
        label=_("家人的登录账号"), max_length=150, error_messages=_required(_("账号"))
    )
    relation = forms.CharField(
        label=_("关系"),
        max_length=20,
        error_messages=_required(_("关系")),
        widget=forms.TextInput(attrs={"placeholder": _("如:母亲")}),
    )


class GiftForm(forms.Form):
    to_user = forms.TypedChoiceField(
        label=_("赠送给"), coerce=int, error_messages=_required(_("家人"))
    )
    minutes = forms.TypedChoiceField(label=_("赠送时长"), choices=DURATIONS, coerce=int)

    def __init__(self, *args: Any, relatives: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_user"].choices = [(u.pk, u.display_name) for u in relatives]  # type: ignore[attr-defined]


class RewardForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=50, error_messages=_required(_("名称")))
    description = forms.CharField(label=_("说明"), max_length=300, required=False)
    points_price = forms.IntegerField(
        label=_("所需积分"), min_value=1, error_messages=_required(_("所需积分"))
    )
    stock = forms.IntegerField(label=_("库存"), min_value=0, error_messages=_required(_("库存")))
    merchant = forms.ModelChoiceField(
        label=_("兑换商家"),
        queryset=User.objects.filter(role__in=MERCHANTS, is_active=True).order_by("pk"),
        error_messages={"required": _("请选择兑换商家。"), "invalid_choice": _("请选择兑换商家。")},
    )
    active = forms.BooleanField(label=_("上架"), required=False, initial=True)


class RuleField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A points rule as PointRule.__str__ reads it, in the page's language."""

    def label_from_instance(self, obj: Any) -> str:
        return str(_("%(name)s(%(points)s 分)")) % {"name": obj.name, "points": obj.points}


class AwardForm(forms.Form):
    username = forms.CharField(
        label=_("居民登录账号"), max_length=150, error_messages=_required(_("账号"))
    )
    rule = RuleField(
        label=_("积分项目"),
        queryset=PointRule.objects.filter(active=True),
        to_field_name="code",
        empty_label=_("请选择"),
        error_messages={"required": _("请选择积分项目。"), "invalid_choice": _("请选择积分项目。")},
    )
    memo = forms.CharField(label=_("说明(选填)"), max_length=100, required=False)


class DonationForm(forms.Form):
    donor_name = forms.CharField(
        label=_("捐赠人"), max_length=100, error_messages=_required(_("捐赠人"))
    )
    donor_kind = forms.ChoiceField(label=_("类型"), choices=DonorKind.choices)
    amount = YuanField(label=_("金额(元)"))
    received_on = forms.DateField(
        label=_("到账日期"),
        error_messages=_required(_("到账日期")),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    anonymous = forms.BooleanField(label=_("公示时不显示捐赠人姓名"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class CapForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    cap = YuanField(label=_("配套上限(元)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"year": dt.date.today().year})
        super().__init__(*args, **kwargs)


class ProjectForm(forms.Form):
    name = forms.CharField(
        label=_("项目名称"), max_length=100, error_messages=_required(_("项目名称"))
    )
    description = forms.CharField(label=_("说明"), max_length=500, required=False)
    budget = YuanField(label=_("预算(元)"))


class DisburseForm(forms.Form):
    amount = YuanField(label=_("拨付金额(元)"))
    memo = forms.CharField(label=_("用途"), max_length=200, error_messages=_required(_("用途")))


class IncomeForm(forms.Form):
    source = forms.CharField(
        label=_("收入来源"),
        max_length=100,
        error_messages=_required(_("收入来源")),
        widget=forms.TextInput(attrs={"placeholder": _("如:活动室场地租赁")}),
    )
    amount = YuanField(label=_("金额(元)"))


class ShareItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=ItemKind.choices)
    title = forms.CharField(label=_("名称"), max_length=60, error_messages=_required(_("名称")))
    description = forms.CharField(label=_("说明(选填)"), max_length=300, required=False)
    price = YuanField(label=_("每天租金(元)"))


class RentForm(forms.Form):
    days = forms.IntegerField(
        label=_("租用天数"),
        min_value=1,
        max_value=365,
        initial=1,
        error_messages=_required(_("天数")),
    )


class VoucherUseForm(forms.Form):
    code = forms.CharField(
        label=_("兑换码"),
        max_length=20,
        error_messages=_required(_("兑换码")),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "placeholder": _("8 位兑换码"),
            }
        ),
    )


def first_error(form: forms.Form) -> str:
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return str(_("提交的内容有误。"))
