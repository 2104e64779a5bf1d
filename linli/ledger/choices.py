"""Books of the ledger, how their amounts read (LEDGER-5), the names of transaction kinds and
the ledger's audit actions."""

from decimal import Decimal

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _


class Book(models.TextChoices):
    """One unit per book; amounts are always whole numbers of that unit."""

    TIME = "time", _("时间币")  # minutes; 60 minutes = 1 hour = 1 time credit (LEDGER-1)
    POINTS = "points", _("积分")  # points (LEDGER-2)
    MONEY = "money", _("资金")  # fen 分 (LEDGER-3)


class AuditAction(models.TextChoices):
    """What the ledger writes to the audit log (the values are stored: never change one)."""

    ACCOUNT_LIMIT = "ledger.account.limit", _("更改账户最低余额")
    TRANSACTION_REVERSE = "ledger.transaction.reverse", _("冲正交易")
    TIMEBANK_RECORD = "ledger.timebank.record", _("登记志愿服务时长")
    TIMEBANK_CONFIRM = "ledger.timebank.confirm", _("确认志愿服务时长")
    TIMEBANK_DISPUTE = "ledger.timebank.dispute", _("对志愿服务时长提出异议")
    TIMEBANK_REQUEST = "ledger.timebank.request", _("用时间币申请服务")
    TIMEBANK_REQUEST_CANCEL = "ledger.timebank.request_cancel", _("取消服务申请")
    TIMEBANK_GIFT = "ledger.timebank.gift", _("赠送时间币给家人")
    # Stored before family links moved to people (now "resident.changed" on the record).
    FAMILY_REQUEST = "ledger.family.request", _("请求关联家人")
    FAMILY_ACCEPT = "ledger.family.accept", _("接受家人关联")
    POINTS_AWARD = "ledger.points.award", _("发放积分")
    POINTS_REDEEM = "ledger.points.redeem", _("兑换积分")
    REWARD_SAVE = "ledger.reward.save", _("保存兑换物品")
    VOUCHER_USE = "ledger.voucher.use", _("核销兑换券")
    VOUCHER_CANCEL = "ledger.voucher.cancel", _("作废兑换券")
    FUND_CAP = "ledger.fund.cap", _("设置政府配套上限")
    FUND_DONATION = "ledger.fund.donation", _("登记捐赠")
    FUND_PROJECT = "ledger.fund.project", _("提交基金项目")
    FUND_DECIDE = "ledger.fund.decide", _("审批基金项目")
    FUND_DISBURSE = "ledger.fund.disburse", _("项目拨付")
    FUND_BUDGET = "ledger.fund.budget", _("调减项目预算")
    SHARE_ITEM = "ledger.share.item", _("发布共享物品")
    SHARE_ACTIVE = "ledger.share.active", _("上架或暂停共享物品")
    SHARE_RENTAL = "ledger.share.rental", _("登记租用")
    ECONOMY_INCOME = "ledger.economy.income", _("登记社区经济收入")


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def format_amount(book: str, amount: int, *, signed: bool = False) -> str:
    """An amount in the active language: "1小时30分钟" / "1 h 30 min", "30 分" / "30 points",
    "12.50 元" / "¥12.50". Services that store text format it in the site's language."""
    sign = "-" if amount < 0 else ("+" if signed and amount > 0 else "")
    value = abs(amount)
    if book == Book.TIME:
        hours, minutes = divmod(value, 60)
        if hours and minutes:
            text = gettext("%(hours)d小时%(minutes)d分钟") % {"hours": hours, "minutes": minutes}
        elif hours:
            text = ngettext("%(hours)d小时", "%(hours)d小时", hours) % {"hours": hours}
        else:
            text = ngettext("%(minutes)d分钟", "%(minutes)d分钟", minutes) % {"minutes": minutes}
    elif book == Book.MONEY:
        text = gettext("%(yuan)s 元") % {"yuan": f"{fen_to_yuan(value):,.2f}"}
    else:
        text = ngettext("%(points)d 分", "%(points)d 分", value) % {"points": value}
    return sign + text


# Names of transaction kinds, filled in by the programmes (register_kind_labels) so histories
# and exports read "志愿服务存入" rather than "timebank.deposit".
KIND_LABELS: dict[str, Promise | str] = {}
KIND_PREFIX_LABELS: dict[str, Promise | str] = {
    "timebank": _("时间银行"),
    "points": _("积分"),
    "fund": _("基金"),
    "sharing": _("闲置共享"),
}
REVERSAL_SUFFIX = ".reversal"


def register_kind_labels(labels: dict[str, Promise | str]) -> None:
    KIND_LABELS.update(labels)


def kind_label(kind: str) -> str:
    """The kind's name in the active language."""
    if kind.endswith(REVERSAL_SUFFIX):
        return gettext("%(kind)s（冲正）") % {"kind": kind_label(kind[: -len(REVERSAL_SUFFIX)])}
    if kind in KIND_LABELS:
        return str(KIND_LABELS[kind])
    prefix = kind.split(".", 1)[0]
    return str(KIND_PREFIX_LABELS[prefix]) if prefix in KIND_PREFIX_LABELS else kind
