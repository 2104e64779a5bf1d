"""Vocabularies of the one-stop services (SERVE-1..3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class FieldKind(models.TextChoices):
    """How a service's field is typed and checked."""

    TEXT = "text", _("文字")
    ID_NUMBER = "id_number", _("身份证号")
    PHONE = "phone", _("电话")
    HOUSEHOLD = "household", _("户籍/住址")
    INCOME = "income", _("收入情况")
    DOCUMENT = "document", _("证明材料")
    PHOTO = "photo", _("照片")
    DISABILITY_GRADE = "disability_grade", _("残疾等级")
    DATE = "date", _("日期")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    MORE_NEEDED = "more_needed", _("需补充材料")
    ACCEPTED = "accepted", _("已受理")
    GRANTED = "granted", _("已批准")
    REFUSED = "refused", _("未批准")
    DONE = "done", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")


# Open: one per resident and service (a partial unique constraint), swept for deadlines.
OPEN_STATUSES = (Status.SUBMITTED, Status.MORE_NEEDED, Status.ACCEPTED)


class Action(models.TextChoices):
    ACCEPT = "accept", _("受理")
    MORE = "more", _("要求补充材料")
    SUPPLEMENT = "supplement", _("补充材料")
    GRANT = "grant", _("批准")
    REFUSE = "refuse", _("不予批准")
    CLOSE = "close", _("办结")
    WITHDRAW = "withdraw", _("撤回")


class Channel(models.TextChoices):
    PHONE = "phone", _("手机自助")
    WINDOW = "window", _("窗口代办")


class Source(models.TextChoices):
    """Where an application's value came from."""

    RECORD = "record", _("档案已有")
    DOCUMENT = "document", _("已受理材料")
    TYPED = "typed", _("本次填写")
    CORRECTED = "corrected", _("本人更正")


class Effect(models.TextChoices):
    """What a grant writes on the resident's record."""

    NONE = "", _("不写入档案")
    CREDENTIAL = "credential", _("证件(证号与日期)")
    ASSISTANCE = "assistance", _("救助类别(低保等)")


class AuditAction(models.TextChoices):
    SUBMITTED = "station.submitted", gettext_noop("提交服务申请")
    STEP = "station.step", gettext_noop("办理服务申请")
    SWEEP = "station.sweep", gettext_noop("服务申请期限检查")
    DEPT_VIEWED = "station.dept_viewed", gettext_noop("部门查看申请")
