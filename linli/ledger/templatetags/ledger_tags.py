import re
import uuid

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, gettext_noop

from linli.ledger.choices import Book, format_amount

register = template.Library()

# Words the ledger code hands to the pages untranslated, translated there with the `words`
# filter: the books, the published funds (programme_selectors.PUBLISHED), the kinds of
# transaction (choices.KIND_PREFIX_LABELS and the services' register_kind_labels) and the
# labels of the models' choices (linli/ledger/models).
PAGE_WORDS = (
    gettext_noop("时间币"),
    gettext_noop("积分"),
    gettext_noop("资金"),
    gettext_noop("社区发展基金"),
    gettext_noop("社区公益基金"),
    gettext_noop("公共基金"),
    gettext_noop("时间银行"),
    gettext_noop("基金"),
    gettext_noop("闲置共享"),
    gettext_noop("捐赠"),
    gettext_noop("政府配套"),
    gettext_noop("项目拨付"),
    gettext_noop("积分奖励"),
    gettext_noop("积分兑换"),
    gettext_noop("共享租金"),
    gettext_noop("社区经济收入"),
    gettext_noop("志愿服务存入"),
    gettext_noop("服务兑换"),
    gettext_noop("服务兑换冻结"),
    gettext_noop("家人赠予"),
    gettext_noop("企业捐赠"),
    gettext_noop("居民众筹"),
    gettext_noop("社会组织"),
    gettext_noop("待审批"),
    gettext_noop("已批准"),
    gettext_noop("未批准"),
    gettext_noop("已结项"),
    gettext_noop("未使用"),
    gettext_noop("已使用"),
    gettext_noop("已作废"),
    gettext_noop("工具"),
    gettext_noop("书籍"),
    gettext_noop("车位"),
    gettext_noop("其他"),
    gettext_noop("待确认"),
    gettext_noop("已确认"),
    gettext_noop("有异议"),
    gettext_noop("等待志愿者"),
    gettext_noop("服务待确认"),
    gettext_noop("已完成"),
    gettext_noop("已取消"),
)
REVERSAL = "（冲正）"  # choices.kind_label's mark of a reversal

# format_amount's Chinese readings: "1小时30分钟", "30 分", "12.50 元" (signed or not).
_TIME = re.compile(r"^([+-]?)(?:(\d+)小时)?(?:(\d+)分钟)?$")
_POINTS = re.compile(r"^([+-]?)([\d,]+) 分$")
_MONEY = re.compile(r"^([+-]?)([\d,]+\.\d\d) 元$")


def _chinese() -> bool:
    return (get_language() or "zh-hans").lower().startswith("zh")


def _english_amount(text: str) -> str:
    if m := _TIME.match(text):
        sign, hours, minutes = m.groups()
        if hours is None and minutes is None:
            return text
        parts = []
        if hours:
            parts.append(f"{hours} h")
        if minutes:
            parts.append(f"{minutes} min")
        return sign + " ".join(parts)
    if m := _POINTS.match(text):
        sign, points = m.groups()
        return f"{sign}{points} {'point' if points == '1' else 'points'}"
    if m := _MONEY.match(text):
        sign, yuan = m.groups()
        return f"{sign}¥{yuan}"
    return text


@register.filter
def amount_text(text: str) -> str:
    """An amount as format_amount reads it, in the page's language ("1 h 30 min")."""
    text = str(text)
    return text if _chinese() else _english_amount(text)


@register.filter
def words(value: str) -> str:
    """A label the ledger code hands over in Chinese (PAGE_WORDS), in the page's language."""
    value = str(value)
    if not value:
        return value
    if value.endswith(REVERSAL):
        return gettext("%(kind)s（冲正）") % {"kind": words(value[: -len(REVERSAL)])}
    return gettext(value)


@register.simple_tag
def idempotency_input() -> SafeString:
    """A fresh request key per rendered form: submitting the same form twice posts once."""
    return format_html('<input type="hidden" name="idempotency_key" value="{}">', uuid.uuid4().hex)


@register.filter
def amount(value: int, book: str) -> str:
    return amount_text(format_amount(book, int(value or 0)))


@register.filter
def yuan(value: int) -> str:
    return amount_text(format_amount(Book.MONEY, int(value or 0)))
