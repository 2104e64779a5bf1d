"""The default category tree: GB/T 30428.2-style urban-management codes (01–06) and local
community codes (20+). (code, name, urgency, (respond, unit), (close, unit))."""

from typing import Final

WD, H = "working_days", "hours"
NORMAL: Final = ("normal", (1, WD), (3, WD))
EMERGENCY: Final = ("urgent", (1, H), (2, H))  # Beijing 12345: dispatch 1 h, feedback 2 h
UTILITY: Final = ("urgent", (2, H), (24, H))  # water / power / gas / heat: 2 h and 24 h
COMPLEX: Final = ("complex", (1, WD), (15, WD))

MAJORS: Final = (
    ("01", "市容环境"),
    ("02", "宣传广告"),
    ("03", "施工管理"),
    ("04", "街面秩序"),
    ("05", "突发事件"),
    ("06", "公共设施"),
    ("20", "邻里纠纷"),
    ("21", "养老服务"),
    ("22", "托育服务"),
    ("23", "供水供电燃气"),
    ("24", "文体活动"),
    ("25", "卫生健康"),
    ("26", "社会救助"),
    ("27", "物业管理"),
)

# Categories whose cases are never shown publicly (PEOPLE-5, CASE-11).
PRIVATE: Final = frozenset({"20-01", "21-01", "21-02", "21-03", "22-01", "25-01", "26-01"})

LEAVES: Final = (
    ("01-01", "私搭乱建", NORMAL),
    ("01-02", "积存垃圾渣土", NORMAL),
    ("01-03", "道路不洁", NORMAL),
    ("01-06", "绿地脏乱", NORMAL),
    ("01-07", "乱堆物堆料", NORMAL),
    ("01-10", "暴露垃圾", NORMAL),
    ("02-01", "非法小广告", NORMAL),
    ("02-02", "违规广告牌匾", NORMAL),
    ("03-01", "施工扰民", NORMAL),
    ("03-02", "工地扬尘", NORMAL),
    ("03-03", "道路遗撒", NORMAL),
    ("04-01", "无照经营游商", NORMAL),
    ("04-02", "店外经营", NORMAL),
    ("04-09", "机动车乱停放", NORMAL),
    ("04-10", "非机动车乱停放", NORMAL),
    ("05-01", "路面塌陷", EMERGENCY),
    ("05-02", "水管爆裂", EMERGENCY),
    ("05-03", "燃气泄漏", EMERGENCY),
    ("06-01", "井盖缺损", EMERGENCY),
    ("06-03", "道路破损", NORMAL),
    ("06-06", "公共设施损坏", NORMAL),
    ("06-07", "路灯不亮", NORMAL),
    ("20-01", "重大矛盾纠纷", COMPLEX),
    ("20-02", "噪音扰民", NORMAL),
    ("20-03", "楼道堆物", NORMAL),
    ("21-01", "助餐助浴", NORMAL),
    ("21-02", "上门照护申请", NORMAL),
    ("21-03", "一键呼叫求助", EMERGENCY),  # opened by care's one-key call (CARE-6)
    ("22-01", "托育咨询", NORMAL),
    ("23-01", "停水", UTILITY),
    ("23-02", "停电", UTILITY),
    ("23-03", "燃气故障", UTILITY),
    ("24-01", "活动场地预约", NORMAL),
    ("25-01", "家庭医生签约", NORMAL),
    ("26-01", "低保救助申请", COMPLEX),
    ("27-01", "电梯故障", UTILITY),
    ("27-02", "物业服务投诉", NORMAL),
)
