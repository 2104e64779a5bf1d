"""The vocabulary of people's mediation (人民调解法): dispute types, how a dispute came in,
its statuses, the stages every dispute is stamped through, and what is audited."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DisputeType(models.TextChoices):
    NOISE = "noise", _("噪音扰民")
    PARKING = "parking", _("停车纠纷")
    PROPERTY_FEE = "property_fee", _("物业费纠纷")
    NEIGHBOURS = "neighbours", _("邻里纠纷")
    FAMILY = "family", _("婚姻家庭")
    PETS = "pets", _("宠物纠纷")
    RENOVATION = "renovation", _("装修纠纷")
    LEAKAGE = "leakage", _("漏水纠纷")
    OTHER = "other", _("其他纠纷")


class Source(models.TextChoices):
    WALK_IN = "walk_in", _("当事人来访")
    CASE = "case", _("居民诉求转入")
    GRID = "grid", _("网格员发现")
    POLICE = "police", _("派出所移交")
    COURT = "court", _("法院委派")


class Side(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")


class MediatorKind(models.TextChoices):
    JUDICIAL = "judicial", _("司法调解员")
    POLICE = "police", _("民警调解员")
    LAWYER = "lawyer", _("律师调解员")
    COMMUNITY = "community", _("社区调解员")


class Status(models.TextChoices):
    REGISTERED = "registered", _("已登记,待受理")
    ACCEPTED = "accepted", _("已受理")
    DECLINED = "declined", _("不予受理")
    INVESTIGATING = "investigating", _("调查中")
    MEDIATING = "mediating", _("调解中")
    ASSESSING = "assessing", _("第三方评估中")
    AGREED = "agreed", _("已达成协议")
    FAILED = "failed", _("调解不成")
    WITHDRAWN = "withdrawn", _("当事人撤回")
    ARCHIVED = "archived", _("已归档")


# Accepted and not concluded: the 30-working-day deadline runs.
WORKING_STATUSES = (Status.ACCEPTED, Status.INVESTIGATING, Status.MEDIATING, Status.ASSESSING)
OPEN_STATUSES = (Status.REGISTERED, *WORKING_STATUSES)


class Outcome(models.TextChoices):
    AGREEMENT = "agreement", _("达成协议")
    FAILURE = "failure", _("调解不成")
    WITHDRAWN = "withdrawn", _("撤回")
    DECLINED = "declined", _("不予受理")


class Stage(models.IntegerChoices):
    """The statutory stages in order. Every dispute gets a stamp for each stage it passes or
    skips (skipped ones carry the time they were skipped), so no stage is ever left empty."""

    REGISTERED = 1, _("登记")
    ACCEPTED = 2, _("受理")
    INVESTIGATION = 3, _("调查")
    SESSIONS = 4, _("调解")
    ASSESSMENT = 5, _("第三方评估")
    CONCLUDED = 6, _("结案")
    FOLLOW_UP_30 = 7, _("30天回访")
    FOLLOW_UP_90 = 8, _("90天回访")
    ARCHIVED = 9, _("归档")


class Action(models.TextChoices):
    ACCEPT = "accept", pgettext_lazy("mediation", "受理")
    DECLINE = "decline", _("不予受理")
    ASSIGN = "assign", _("指派调解员")
    INVESTIGATE = "investigate", _("开始调查")
    SESSION = "session", _("记录调解会")
    ASSESS = "assess", _("记录第三方评估")
    AGREE = "agree", _("形成调解协议")
    FAIL = "fail", _("调解不成")
    WITHDRAW = "withdraw", _("当事人撤回")
    EXTEND = "extend", _("延长期限")
    SIGN = "sign", _("上传签字协议")
    FOLLOW_UP = "follow_up", _("记录回访")
    ARCHIVE = "archive", _("归档")


class Fulfilment(models.TextChoices):
    FULFILLED = "fulfilled", _("已履行")
    PARTLY = "partly", _("部分履行")
    NOT_FULFILLED = "not_fulfilled", _("未履行")


class AuditAction(models.TextChoices):
    """What mediation writes to the audit log: every step, and every read of a dispute."""

    REGISTERED = "mediation.registered", _("登记纠纷")
    READ = "mediation.read", _("查看纠纷")
    STEP = "mediation.step", _("调解步骤")
    AGREEMENT_PDF = "mediation.agreement_pdf", _("生成调解协议书")
    SIGNED = "mediation.signed", _("上传签字协议")
    SCAN_READ = "mediation.scan_read", _("查看签字协议")
    SWEEP = "mediation.sweep", _("调解期限检查")
