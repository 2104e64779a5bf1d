"""Care's vocabulary that is not a model field: the audit actions it records."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """Every action care writes to the audit log. The values are the strings stored since
    the first entries; the labels are what an audit page shows."""

    ALERT_ACKNOWLEDGE = "care.alert_acknowledge", _("接单")
    ALERT_CLOSE = "care.alert_close", _("办结看护提醒")
    ALERTS_OPENED = "care.alerts_opened", _("发出看护提醒")
    ALERTS_RESOLVED = "care.alerts_resolved", _("看护提醒自动解除")
    ALERTS_RELEASED = "care.alerts_released", _("安静时段后发出看护提醒")
    ALERTS_ESCALATED = "care.alerts_escalated", _("看护提醒逐级上报")
    AWAY_SET = "care.away_set", _("登记外出")
    AWAY_END = "care.away_end", _("结束外出登记")
    AWAY_CANCEL = "care.away_cancel", _("撤销外出登记")
    CALL = "care.call", _("一键呼叫")
    CALL_AGAIN = "care.call_again", _("再次呼叫")
    HOME_SERVICE_RECORD = "care.home_service_record", _("登记上门服务")
    TASKS_OPENED = "care.tasks_opened", _("生成设备维护任务")
    TASKS_RESOLVED = "care.tasks_resolved", _("设备维护任务自动解除")
    TASK_CLOSED = "care.task_closed", _("关闭设备维护任务")
    DEFAULTS_CHANGED = "care.defaults_changed", _("修改默认看护阈值")
    PROFILE_CHANGED = "care.profile_changed", _("修改住户看护设置")
    GATEWAY_CREATE = "care_gateway.create", _("登记网关")
    GATEWAY_ROTATE = "care_gateway.rotate", _("更换网关令牌")
    GATEWAY_DEACTIVATE = "care_gateway.deactivate", _("停用网关")
    DEVICE_REGISTER = "care_device.register", _("登记设备")
    DEVICE_DEACTIVATE = "care_device.deactivate", _("停用设备")


def action_label(action: str) -> str:
    """The label of a care audit action (the action itself for one care never wrote)."""
    try:
        return str(AuditAction(action).label)
    except ValueError:
        return action
