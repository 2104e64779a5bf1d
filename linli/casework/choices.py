from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    WEB = "web", _("居民网上反映")
    OPEN311 = "open311", _("Open311 接口")
    WINDOW = "window", _("人工窗口代办")
    HOTLINE = "hotline", _("服务热线")
    BOX = "box", _("意见箱")
    SENSOR = "sensor", _("感知设备")
    # A grid worker's patrol find (主动发现, fieldwork): told apart from complaints.
    PROACTIVE = "proactive", _("网格员主动发现")


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
CLOSED_STATUSES = tuple(s for s in Status if s not in OPEN_STATUSES)


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


class Action(models.TextChoices):
    """What one may do to a case: the keys of the transition table (policy.TRANSITIONS), of
    the detail page's buttons and of the API's operations. The label completes
    "cannot …" when the case's status does not allow the step."""

    REGISTER = "register", pgettext_lazy("case action", "立案")
    REJECT = "reject", pgettext_lazy("case action", "不予立案")
    DISPATCH = "dispatch", pgettext_lazy("case action", "派遣")
    ACCEPT = "accept", pgettext_lazy("case action", "开始处置")
    RETURN = "return", pgettext_lazy("case action", "退单")
    FEEDBACK = "feedback", pgettext_lazy("case action", "反馈处置结果")
    VERIFY = "verify", pgettext_lazy("case action", "核查")
    CLOSE = "close", pgettext_lazy("case action", "结案")
    RATE = "rate", pgettext_lazy("case action", "评价")
    REROUTE = "reroute", pgettext_lazy("case action", "改派")
    DEFER = "defer", pgettext_lazy("case action", "申请缓办")
    DEFERRAL = "deferral", pgettext_lazy("case action", "审批缓办")
    MERGE = "merge", pgettext_lazy("case action", "合并")
    PHOTOS = "photos", pgettext_lazy("case action", "审核照片")
    WHISTLE = "whistle", pgettext_lazy("case action", "吹哨")
    ME_TOO = "me_too", pgettext_lazy("case action", "点「我也遇到」")


class AuditAction(models.TextChoices):
    """What casework writes to the audit log. A case's step is audited as "case.<kind>", so
    those labels are the timeline's (EventKind)."""

    CASE_SUBMITTED = "case.submitted", EventKind.SUBMITTED.label
    CASE_REGISTERED = "case.registered", EventKind.REGISTERED.label
    CASE_REJECTED = "case.rejected", EventKind.REJECTED.label
    CASE_DISPATCHED = "case.dispatched", EventKind.DISPATCHED.label
    CASE_ACCEPTED = "case.accepted", EventKind.ACCEPTED.label
    CASE_RETURNED = "case.returned", EventKind.RETURNED.label
    CASE_FEEDBACK = "case.feedback", EventKind.FEEDBACK.label
    CASE_VERIFIED = "case.verified", EventKind.VERIFIED.label
    CASE_VERIFY_FAILED = "case.verify_failed", EventKind.VERIFY_FAILED.label
    CASE_CLOSED = "case.closed", EventKind.CLOSED.label
    CASE_RATED = "case.rated", EventKind.RATED.label
    CASE_REOPENED = "case.reopened", EventKind.REOPENED.label
    CASE_DEFERRAL_REQUESTED = "case.deferral_requested", EventKind.DEFERRAL_REQUESTED.label
    CASE_DEFERRAL_APPROVED = "case.deferral_approved", EventKind.DEFERRAL_APPROVED.label
    CASE_DEFERRAL_REFUSED = "case.deferral_refused", EventKind.DEFERRAL_REFUSED.label
    CASE_MERGED = "case.merged", EventKind.MERGED.label
    CASE_ME_TOO = "case.me_too", EventKind.ME_TOO.label
    CASE_NOTE = "case.note", EventKind.NOTE.label
    CASE_WARNED = "case.warned", EventKind.WARNED.label
    CASE_OVERDUE = "case.overdue", EventKind.OVERDUE.label
    CASE_ESCALATED = "case.escalated", EventKind.ESCALATED.label
    CATEGORIES_DEFAULTS = "casework.categories_defaults", _("建立默认事项分类")
    WHISTLE_BLOWN = "whistle.blown", _("社区吹哨")
    WHISTLE_REPORTED = "whistle.reported", _("部门报到")
    OPEN311_KEY_CREATE = "open311_key.create", _("发放 Open311 密钥")
    OPEN311_KEY_REVOKE = "open311_key.revoke", _("吊销 Open311 密钥")

    @classmethod
    def of_step(cls, kind: str) -> "AuditAction":
        """The audit action of a timeline step."""
        return cls(f"case.{kind}")


# Every timeline step has its audit action (a new EventKind needs one above).
assert {AuditAction.of_step(k) for k in EventKind}  # noqa: S101
