"""The vocabularies of the resource pool, needs, matches, bookings and partners."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResourceKind(models.TextChoices):
    VENUE = "venue", _("场地")
    PERSON = "person", _("人员技能")
    SERVICE = "service", _("服务项目")
    GOODS = "goods", _("物资")


class OwnerKind(models.TextChoices):
    RESIDENT = "resident", _("居民")
    PARTNER = "partner", _("合作单位")
    COMMUNITY = "community", _("社区")


class ResourceStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已上架")
    REJECTED = "rejected", _("未通过")
    RETIRED = "retired", _("已下架")


class CalendarRule(models.TextChoices):
    """Which days of the working-day calendar the weekly hours apply to."""

    ALL = "all", _("每周固定时段")
    WORKING = "working", _("仅工作日")
    REST = "rest", _("仅休息日和节假日")


class Skill(models.TextChoices):
    REPAIR = "repair", _("家电维修")
    CARE = "care", _("助老陪护")
    MEDICAL = "medical", _("健康义诊")
    LEGAL = "legal", _("法律咨询")
    TUTOR = "tutor", _("课业辅导")
    HAIRCUT = "haircut", _("理发")
    ERRAND = "errand", _("代买代办")
    MEETING = "meeting", _("会议活动")
    SPORTS = "sports", _("文体活动")
    GOODS = "goods", _("物资借用")


# A resident request of these casework categories is a service need: it becomes a need of
# this skill without retyping (MATCH-2).
CASE_CATEGORY_SKILL = {
    "21-01": Skill.CARE,
    "21-02": Skill.CARE,
    "22-01": Skill.TUTOR,
    "24-01": Skill.SPORTS,
    "25-01": Skill.MEDICAL,
}


class NeedStatus(models.TextChoices):
    OPEN = "open", _("待匹配")
    INVITING = "inviting", _("邀请中")
    ACCEPTED = "accepted", _("已接单")
    SERVED = "served", _("待确认")
    DONE = "done", _("已完成")
    NO_SHOW = "no_show", _("未到场")
    UNMATCHED = "unmatched", _("暂无人选")
    CANCELLED = "cancelled", _("已取消")


OPEN_NEEDS = (NeedStatus.OPEN, NeedStatus.UNMATCHED)


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("待发送")
    INVITED = "invited", _("待回复")
    ACCEPTED = "accepted", _("已接受")
    DECLINED = "declined", _("已谢绝")
    EXPIRED = "expired", _("已过期")
    SUPERSEDED = "superseded", _("他人已接")
    DISCARDED = "discarded", _("未发送")
    SERVED = "served", _("已服务")
    NO_SHOW = "no_show", _("未到场")


LIVE_MATCHES = (MatchStatus.INVITED, MatchStatus.ACCEPTED)


class RunStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审核")
    SENT = "sent", _("已发送")
    DISCARDED = "discarded", _("已放弃")


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CHECKED_IN = "checked_in", _("已签到")
    DONE = "done", _("已使用")
    RELEASED = "released", _("超时释放")
    CANCELLED = "cancelled", _("已取消")


# The statuses that hold the slot (the exclusion constraint's condition).
HOLDING = (BookingStatus.BOOKED, BookingStatus.CHECKED_IN, BookingStatus.DONE)


class PartnerKind(models.TextChoices):
    BUSINESS = "business", _("企业商户")
    SOCIAL = "social", _("社会组织")
    PROPERTY = "property", _("物业")


class ContributionKind(models.TextChoices):
    SERVICE = "service", _("服务")
    VENUE = "venue", _("场地")
    GOODS = "goods", _("物资")
    MONEY = "money", _("资金")


class AuditAction(models.TextChoices):
    RESOURCE = "matching.resource", _("资源池变更")
    NEED = "matching.need", _("需求变更")
    OFFER = "matching.offer", _("供给发布")
    RUN = "matching.run", _("运行匹配")
    MATCH = "matching.match", _("匹配邀请")
    BOOKING = "matching.booking", _("场地预约")
    PARTNER = "matching.partner", _("合伙人贡献")
