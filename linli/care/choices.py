"""Care's vocabulary that is not a model field: the audit actions it records."""

from django.db import models
from django.utils.translation import pgettext_lazy


class AuditAction(models.TextChoices):
    """Every action care writes to the audit log. The values are the strings stored since
    the first entries; the labels are what an audit page shows, in the "audit" context: on
    a button the same words are a command, here they are something done."""

    ALERT_ACKNOWLEDGE = "care.alert_acknowledge", pgettext_lazy("audit", "接单")
    ALERT_CLOSE = "care.alert_close", pgettext_lazy("audit", "办结看护提醒")
    ALERTS_OPENED = "care.alerts_opened", pgettext_lazy("audit", "发出看护提醒")
    ALERTS_RESOLVED = "care.alerts_resolved", pgettext_lazy("audit", "看护提醒自动解除")
    ALERTS_RELEASED = "care.alerts_released", pgettext_lazy("audit", "安静时段后发出看护提醒")
    ALERTS_ESCALATED = "care.alerts_escalated", pgettext_lazy("audit", "看护提醒逐级上报")
    AWAY_SET = "care.away_set", pgettext_lazy("audit", "登记外出")
    AWAY_END = "care.away_end", pgettext_lazy("audit", "结束外出登记")
    AWAY_CANCEL = "care.away_cancel", pgettext_lazy("audit", "撤销外出登记")
    CALL = "care.call", pgettext_lazy("audit", "一键呼叫")
    CALL_AGAIN = "care.call_again", pgettext_lazy("audit", "再次呼叫")
    HOME_SERVICE_RECORD = "care.home_service_record", pgettext_lazy("audit", "登记上门服务")
    TASKS_OPENED = "care.tasks_opened", pgettext_lazy("audit", "生成设备维护任务")
    TASKS_RESOLVED = "care.tasks_resolved", pgettext_lazy("audit", "设备维护任务自动解除")
    TASK_CLOSED = "care.task_closed", pgettext_lazy("audit", "关闭设备维护任务")
    DEFAULTS_CHANGED = "care.defaults_changed", pgettext_lazy("audit", "修改默认看护阈值")
    PROFILE_CHANGED = "care.profile_changed", pgettext_lazy("audit", "修改住户看护设置")
    GATEWAY_CREATE = "care_gateway.create", pgettext_lazy("audit", "登记网关")
    GATEWAY_ROTATE = "care_gateway.rotate", pgettext_lazy("audit", "更换网关令牌")
    GATEWAY_DEACTIVATE = "care_gateway.deactivate", pgettext_lazy("audit", "停用网关")
    DEVICE_REGISTER = "care_device.register", pgettext_lazy("audit", "登记设备")
    DEVICE_DEACTIVATE = "care_device.deactivate", pgettext_lazy("audit", "停用设备")
