from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    """Visit tiers by risk (§7.4): the quota rows (`VisitQuota`) say how often."""

    HIGH = "high", _("高风险(独居、失能半失能老人)")
    KEY = "key", _("重点人群(残疾人、低保等)")
    OTHER = "other", _("其他老人")


class Outcome(models.TextChoices):
    SEEN = "seen", _("见到本人,平安")
    NOT_HOME = "not_home", _("不在家")
    NEEDS_HELP = "needs_help", _("需要帮助")


class TaskKind(models.TextChoices):
    """The kinds of item on 今日任务, in urgency order (the rank below)."""

    CHANGE_VISIT = "change_visit", _("变故后24小时内探访")
    CASE_DUE = "case_due", _("诉求临期")
    VISIT = "visit", _("例行探访")
    MAINTENANCE = "maintenance", _("设备检修")
    SEASON = "season", _("未诉先办")
    PATROL = "patrol", _("巡查建议")


KIND_RANK = {k: i for i, k in enumerate(TaskKind)}


class LifeEventKind(models.TextChoices):
    BEREAVEMENT = "bereavement", _("丧亲")


class AuditAction(models.TextChoices):
    VISIT_RECORDED = "fieldwork.visit_recorded", _("记录走访")
    REPORT_FILED = "fieldwork.report_filed", _("主动上报")
    LIFE_EVENT = "fieldwork.life_event", _("登记重大变故")
    TRACK_CONSENT = "fieldwork.track_consent", _("巡查轨迹授权")
