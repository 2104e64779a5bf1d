from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WEB = "web", _("居民自报")
    OPEN311 = "open311", _("Open311 接口")
    WINDOW = "window", _("人工窗口代办")
    HOTLINE = "hotline", _("服务热线")
    BOX = "box", _("意见箱")
    SENSOR = "sensor", _("感知设备")


STAFF_CHANNELS = (Channel.WINDOW, Channel.HOTLINE, Channel.BOX)


class Status(models.TextChoices):
    RECEIVED = "received", _("已受理")
    REGISTERED = "registered", _("已立案")
    DISPATCHED = "dispatched", _("已派遣")
    HANDLING = "handling", _("处置中")
    HANDLED = "handled", _("已反馈")
    VERIFIED = "verified", _("已核查")
    CLOSED = "closed", _("已结案")
    RATED = "rated", _("已评价")
    REJECTED = "rejected", _("不予立案")
    MERGED = "merged", _("已合并")


OPEN_STATUSES = (
    Status.RECEIVED,
    Status.REGISTERED,
    Status.DISPATCHED,
    Status.HANDLING,
    Status.HANDLED,
    Status.VERIFIED,
)


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    COMPLEX = "complex", _("复杂")


class DeadlineUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("工作日")
    HOURS = "hours", _("小时")


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("提交诉求")
    REGISTERED = "registered", _("立案")
    REJECTED = "rejected", _("不予立案")
    DISPATCHED = "dispatched", _("派遣")
    ACCEPTED = "accepted", _("开始处置")
    RETURNED = "returned", _("退单")
    FEEDBACK = "feedback", _("处置反馈")
    VERIFIED = "verified", _("核查通过")
    VERIFY_FAILED = "verify_failed", _("核查未通过")
    CLOSED = "closed", _("结案")
    RATED = "rated", _("评价")
    REOPENED = "reopened", _("返工")
    DEFERRAL_REQUESTED = "deferral_requested", _("申请缓办")
    DEFERRAL_APPROVED = "deferral_approved", _("批准缓办")
    DEFERRAL_REFUSED = "deferral_refused", _("驳回缓办")
    MERGED = "merged", _("合并")
    ME_TOO = "me_too", _("我也遇到")
    NOTE = "note", _("内部备注")
    WARNED = "warned", _("临期提醒")
    OVERDUE = "overdue", _("已超期")
    ESCALATED = "escalated", _("升级督办")
