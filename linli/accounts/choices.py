from django.db import models


class Role(models.TextChoices):
    """The roles of SPEC.md. A user has one primary role; memberships scope it to places."""

    RESIDENT = "resident", "居民"
    FAMILY = "family", "家属"
    VOLUNTEER = "volunteer", "志愿者"
    GRID_WORKER = "grid_worker", "网格员"
    COMMUNITY_WORKER = "community_worker", "社区工作者"
    SECRETARY = "secretary", "社区书记"
    DEPT_OFFICER = "dept_officer", "职能部门"
    STREET_ADMIN = "street_admin", "街道办"
    MEDIATOR = "mediator", "调解员"
    PARTNER = "partner", "合作单位"
    SUPERVISOR = "supervisor", "监督员"
    EVALUATOR = "evaluator", "第三方评估"
    SYSADMIN = "sysadmin", "系统管理员"


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


class MembershipKind(models.TextChoices):
    GRID_WORKER = "grid_worker", "网格员"
    GRID_VOLUNTEER = "grid_volunteer", "网格志愿者"
    COMMUNITY_WORKER = "community_worker", "社区工作者"
    SECRETARY = "secretary", "社区书记"
    DEPT_OFFICER = "dept_officer", "部门工作人员"
    STREET_ADMIN = "street_admin", "街道办工作人员"
