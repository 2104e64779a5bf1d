"""The roles of SPEC.md: the one vocabulary every layer uses to say who may do what.

It lives in core (the lowest layer) because access checks, policies and audit in every app
name roles; memberships that scope a role to places stay in accounts.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A user has one primary role; memberships scope it to places."""

    RESIDENT = "resident", _("居民")
    FAMILY = "family", _("家属")
    VOLUNTEER = "volunteer", _("志愿者")
    GRID_WORKER = "grid_worker", _("网格员")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    SECRETARY = "secretary", _("社区书记")
    DEPT_OFFICER = "dept_officer", _("职能部门")
    STREET_ADMIN = "street_admin", _("街道办")
    MEDIATOR = "mediator", _("调解员")
    PARTNER = "partner", _("合作单位")
    SUPERVISOR = "supervisor", _("监督员")
    EVALUATOR = "evaluator", _("第三方评估")
    SYSADMIN = "sysadmin", _("系统管理员")


STAFF_ROLES = frozenset(
    {
        Role.GRID_WORKER,
        Role.COMMUNITY_WORKER,
        Role.SECRETARY,
        Role.DEPT_OFFICER,
        Role.STREET_ADMIN,
        Role.MEDIATOR,
        Role.SYSADMIN,
    }
)
ALL_ROLES = frozenset(Role)
# The roles that act for a community (community workers and its secretary).
COMMUNITY_ROLES = frozenset({Role.COMMUNITY_WORKER, Role.SECRETARY})
