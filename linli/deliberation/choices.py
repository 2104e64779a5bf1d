"""The vocabulary of deliberation (居民议事): bodies and their electorates, topics, votes,
ballot channels, thresholds, meetings and what is audited."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BodyKind(models.TextChoices):
    COMMITTEE = "committee", _("社区治理委员会")
    COUNCIL = "council", _("居民议事会")
    ASSEMBLY = "assembly", _("户主大会")
    HEARING = "hearing", _("听证会")


class Electorate(models.TextChoices):
    MEMBERS = "members", _("成员(每人一票)")
    HOUSEHOLDS = "households", _("住户(每户一票)")
    OWNERS = "owners", _("业主(按专有面积)")


class TopicStatus(models.TextChoices):
    OPEN = "open", _("讨论中")
    VOTING = "voting", _("表决中")
    DECIDED = "decided", _("已表决")
    CLOSED = "closed", _("已关闭")


class ProfessionalKind(models.TextChoices):
    STRUCTURE = "structure", _("房屋结构安全")
    FIRE = "fire", _("消防安全")
    LIFT = "lift", _("电梯安全")
    OTHER = "other", _("其他专业事项")


class VoteKind(models.TextChoices):
    DECISION = "decision", _("议题表决")
    MENU = "menu", _("服务菜单投票")


class VoteStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("已开放")  # before closes_at it takes ballots; after, it is closed
    PUBLISHED = "published", _("已公布结果")
    CANCELLED = "cancelled", _("已取消")


class Option(models.TextChoices):
    YES = "yes", _("同意")
    NO = "no", _("反对")
    ABSTAIN = "abstain", _("弃权")


class Channel(models.TextChoices):
    WEB = "web", _("网上投票")
    PAPER = "paper", _("纸质选票")


class Base(models.TextChoices):
    """What a threshold's fraction is taken of."""

    ELECTORATE = "electorate", _("全体有表决权的成员/户/业主")
    PARTICIPANTS = "participants", _("参与表决者")
    CAST = "cast", _("投同意或反对票者")


class Measure(models.TextChoices):
    COUNT = "count", _("人数(户数)")
    AREA = "area", _("专有面积")
    BOTH = "both", _("人数与面积都须达到")


class Op(models.TextChoices):
    GE = "ge", "≥"
    GT = "gt", ">"


class MeetingKind(models.TextChoices):
    JOINT = "joint", _("联席会议")
    MINQING = "minqing", _("民情恳谈会")


class DecisionStatus(models.TextChoices):
    OPEN = "open", _("落实中")
    DONE = "done", _("已落实")


class AuditAction(models.TextChoices):
    BODY = "deliberation.body", _("议事机构变更")
    TOPIC = "deliberation.topic", _("议题变更")
    VOTE = "deliberation.vote", _("表决变更")
    BALLOT = "deliberation.ballot", _("投票")
    PAPER = "deliberation.paper", _("录入纸质选票")
    PAPER_CONFIRM = "deliberation.paper_confirm", _("复核纸质选票")
    PUBLISH = "deliberation.publish", _("公布表决结果")
    MEETING = "deliberation.meeting", _("会议记录")
    OBSERVER = "deliberation.observer", _("轮值观察员")
