"""The default category tree: GB/T 30428.2-style urban-management codes (01–06) and local
community codes (20+). (code, name, urgency, (respond, unit), (close, unit))."""

from typing import Final

from django.utils.translation import gettext_noop

# Names are stored in Chinese (admins edit them); marked so English pages show the default
# ones translated ({% translate category.name %}).
WD, H = "working_days", "hours"
NORMAL: Final = ("normal", (1, WD), (3, WD))
EMERGENCY: Final = ("urgent", (1, H), (2, H))  # Beijing 12345: dispatch 1 h, feedback 2 h
UTILITY: Final = ("urgent", (2, H), (24, H))  # water / power / gas / heat: 2 h and 24 h
COMPLEX: Final = ("complex", (1, WD), (15, WD))

MAJORS: Final = (
    ("01", gettext_noop("市容环境")),
    ("02", gettext_noop("宣传广告")),
    ("03", gettext_noop("施工管理")),
    ("04", gettext_noop("街面秩序")),
    ("05", gettext_noop("突发事件")),
    ("06", gettext_noop("公共设施")),
    ("20", gettext_noop("邻里纠纷")),
    ("21", gettext_noop("养老服务")),
    ("22", gettext_noop("托育服务")),
    ("23", gettext_noop("供水供电燃气")),
    ("24", gettext_noop("文体活动")),
    ("25", gettext_noop("卫生健康")),
    ("26", gettext_noop("社会救助")),
    ("27", gettext_noop("物业管理")),
    ("99", gettext_noop("其他")),
)

# Categories whose cases are never shown publicly (PEOPLE-5, CASE-11).
PRIVATE: Final = frozenset({"20-01", "21-01", "21-02", "21-03", "22-01", "25-01", "26-01"})

LEAVES: Final = (
    ("01-01", gettext_noop("私搭乱建"), NORMAL),
    ("01-02", gettext_noop("积存垃圾渣土"), NORMAL),
    ("01-03", gettext_noop("道路不洁"), NORMAL),
    ("01-06", gettext_noop("绿地脏乱"), NORMAL),
    ("01-07", gettext_noop("乱堆物堆料"), NORMAL),
    ("01-10", gettext_noop("暴露垃圾"), NORMAL),
    ("02-01", gettext_noop("非法小广告"), NORMAL),
    ("02-02", gettext_noop("违规广告牌匾"), NORMAL),
    ("03-01", gettext_noop("施工扰民"), NORMAL),
    ("03-02", gettext_noop("工地扬尘"), NORMAL),
    ("03-03", gettext_noop("道路遗撒"), NORMAL),
    ("04-01", gettext_noop("无照经营游商"), NORMAL),
    ("04-02", gettext_noop("店外经营"), NORMAL),
    ("04-09", gettext_noop("机动车乱停放"), NORMAL),
    ("04-10", gettext_noop("非机动车乱停放"), NORMAL),
    ("05-01", gettext_noop("路面塌陷"), EMERGENCY),
    ("05-02", gettext_noop("水管爆裂"), EMERGENCY),
    ("05-03", gettext_noop("燃气泄漏"), EMERGENCY),
    ("06-01", gettext_noop("井盖缺损"), EMERGENCY),
    ("06-03", gettext_noop("道路破损"), NORMAL),
    ("06-06", gettext_noop("公共设施损坏"), NORMAL),
    ("06-07", gettext_noop("路灯不亮"), NORMAL),
    ("20-01", gettext_noop("重大矛盾纠纷"), COMPLEX),
    ("20-02", gettext_noop("噪音扰民"), NORMAL),
    ("20-03", gettext_noop("楼道堆物"), NORMAL),
    ("21-01", gettext_noop("助餐助浴"), NORMAL),
    ("21-02", gettext_noop("上门照护申请"), NORMAL),
    ("21-03", gettext_noop("一键呼叫求助"), EMERGENCY),  # opened by care's one-key call (CARE-6)
    ("22-01", gettext_noop("托育咨询"), NORMAL),
    ("23-01", gettext_noop("停水"), UTILITY),
    ("23-02", gettext_noop("停电"), UTILITY),
    ("23-03", gettext_noop("燃气故障"), UTILITY),
    ("24-01", gettext_noop("活动场地预约"), NORMAL),
    ("25-01", gettext_noop("家庭医生签约"), NORMAL),
    ("26-01", gettext_noop("低保救助申请"), COMPLEX),
    ("27-01", gettext_noop("电梯故障"), UTILITY),
    ("27-02", gettext_noop("物业服务投诉"), NORMAL),
    ("99-01", gettext_noop("其他 / 不确定"), NORMAL),  # staff classify it when registering
)

# The big buttons of the report page (PLAT-2): what residents report most, then "don't know".
SHORTCUTS: Final = ("01-10", "04-09", "06-07", "20-02", "20-03", "27-01", "23-01", "99-01")
UNSURE: Final = "99-01"
