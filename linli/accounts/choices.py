from django.db import models
from django.utils.translation import gettext_lazy as _


class MembershipKind(models.TextChoices):
    GRID_WORKER = "grid_worker", _("网格员")
    GRID_VOLUNTEER = "grid_volunteer", _("网格志愿者")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    SECRETARY = "secretary", _("社区书记")
    DEPT_OFFICER = "dept_officer", _("部门工作人员")
    STREET_ADMIN = "street_admin", _("街道办工作人员")
