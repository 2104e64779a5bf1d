"""Field tiers, tag kinds and other fixed vocabularies of the resident record (PEOPLE-1/3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Ability(models.TextChoices):
    """Elderly ability level (老年人能力等级), which decides the care tier (CARE-7)."""

    SELF_CARE = "self_care", _("自理")
    SEMI = "semi", _("半失能")
    DISABLED = "disabled", _("失能")


class Tier(models.TextChoices):
    """How sensitive a field is; the access rules in selectors.py work per tier."""

    BASIC = "basic", _("基本信息")
    CONTACT = "contact", _("联系方式")
    IDENTITY = "identity", _("身份信息")
    HEALTH = "health", _("健康信息")
    FINANCE = "finance", _("经济与救助信息")
    OPTIONAL = "optional", _("自愿提供的信息")


# Tiers an access grant can open (PEOPLE-3): the rest follow from role and place.
GRANT_TIERS = (Tier.IDENTITY, Tier.HEALTH, Tier.FINANCE)


class Audience(models.TextChoices):
    """Who besides the staff of the grid may see a resident's alerts or optional data."""

    GRID = "grid", _("只给网格员")
    FAMILY = "family", _("网格员和家属")


class GrantStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")
    REVOKED = "revoked", _("已撤销")


class CorrectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    DONE = "done", _("已更正")
    REFUSED = "refused", _("未更正")


# Every field of the record, its tier and its Chinese label: the one place the README's role ×
# field table, the access rules, the audit entries and the "my data" page read from.
FIELDS: dict[str, tuple[str, str]] = {
    "full_name": (Tier.BASIC, "姓名"),
    "sex": (Tier.BASIC, "性别"),
    "birth_year": (Tier.BASIC, "出生年份"),
    "address": (Tier.BASIC, "住址"),
    "relation_to_head": (Tier.BASIC, "与户主关系"),
    "phone_masked": (Tier.BASIC, "电话(部分隐藏)"),
    "tags": (Tier.BASIC, "标签"),
    "ability": (Tier.BASIC, "老人能力等级"),
    "phone": (Tier.CONTACT, "电话"),
    "contacts": (Tier.CONTACT, "紧急联系人"),
    "id_number": (Tier.IDENTITY, "身份证号"),
    "health_conditions": (Tier.HEALTH, "健康状况"),
    "disability": (Tier.HEALTH, "残疾情况"),
    "assistance": (Tier.FINANCE, "救助类别"),
    "finance_note": (Tier.FINANCE, "经济情况"),
    "skills": (Tier.OPTIONAL, "特长与兴趣"),
    "health_notes": (Tier.OPTIONAL, "健康备注(自填)"),
}


def fields_of(*tiers: str) -> list[str]:
    return [name for name, (tier, _label) in FIELDS.items() if tier in tiers]


class AuditAction(models.TextChoices):
    """What people writes to the audit log. The values are the stored strings; the labels are
    the Chinese words the audit report hands to its pages, which translate them."""

    VIEWED = "resident.viewed", gettext_noop("查看档案")
    FOUND = "resident.found", gettext_noop("查找档案(代办)")  # a lookup by name for 代办
    LISTED = "resident.listed", gettext_noop("浏览名单")
    EXPORTED = "resident.exported", gettext_noop("导出档案")
    CHANGED = "resident.changed", gettext_noop("修改档案")
    CREATED = "resident.created", gettext_noop("登记档案")
    IMPORTED = "resident.imported", gettext_noop("导入档案")
    CONSENT_WITHDRAWN = "resident.consent_withdrawn", gettext_noop("撤回自愿信息")
    OPTIONAL_GIVEN = "resident.optional_given", gettext_noop("填写自愿信息")
    PRIVACY_SET = "resident.privacy_set", gettext_noop("设置隐私选项")
    GRANT_REQUESTED = "grant.requested", gettext_noop("申请查看敏感信息")
    GRANT_APPROVED = "grant.approved", gettext_noop("批准查看申请")
    GRANT_REFUSED = "grant.refused", gettext_noop("不批准查看申请")
    GRANT_REVOKED = "grant.revoked", gettext_noop("撤销查看授权")
    CORRECTION_REQUESTED = "correction.requested", gettext_noop("申请更正")
    CORRECTION_APPLIED = "correction.applied", gettext_noop("办理更正")
    CORRECTION_REFUSED = "correction.refused", gettext_noop("不予更正")
    REKEYED = "data.rekeyed", gettext_noop("更换加密密钥")
