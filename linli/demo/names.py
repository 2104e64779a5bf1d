"""Names and fixed facts of the demo city (PLAT-3). Plain data; no logic."""

from typing import Final

# The point every demo must contain (a grid worker's patch; the resident lives there).
FOCUS_LAT: Final = 30.2741
FOCUS_LON: Final = 120.1290
# The year birth years and ages are counted from: fixed, so the data never depends on the clock.
DEMO_YEAR: Final = 2026
DEFAULT_SEED: Final = 2026
DEFAULT_PASSWORD: Final = "linli-demo-2026"  # noqa: S105 - a published demo password


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


DISTRICT: Final = {"code": "330106", "name": "西湖区", "city": "杭州市"}
STREET: Final = {"code": "002", "name": "西溪街道"}
# (code, name, is_pilot); the lattice gives each community a 3 × 2 block of grids.
COMMUNITIES: Final = (
    ("001", "松木场社区", True),
    ("002", "马塍路社区", False),
    ("003", "文三街社区", False),
    ("004", "学院路社区", False),
)

ROADS: Final = _words(
    """
    文三路 文二路 天目山路 学院路 教工路 马塍路 保俶北路 杭大路 黄姑山路 西溪路 曙光路 古翠路
    松木场路 体育场路 求是路 庆丰路
    """
)
ESTATES: Final = _words(
    """
    文三新村 马塍路小区 松木场新村 教工路小区 学院路公寓 保俶北苑 杭大新村 黄姑山公寓 西溪花苑
    曙光新村 文二新村 求智苑 庆丰新村 古翠苑 天目里公寓 松木场河东小区 马塍花园 文苑小区 学院新村
    保俶花园 翠柏苑 西溪人家 桂花苑 青芝坞公寓 宝石山下小区 嘉绿苑
    """
)

# Common surnames with weights ("陈90" = 陈, weight 90), heavier for Zhejiang's own.
SURNAMES: Final = tuple(
    (w[0], int(w[1:]))
    for w in _words(
        """
    陈90 王85 张60 李60 吴45 徐42 沈38 周38 钱25 金25 朱28 胡28 杨28 黄25 施15 俞15 孙18 马12 何14
    高12 林15 郑15 蒋14 叶14 方12 汪12 潘10 姚10 章12 楼8 邵8 应6 赵14 刘18 许10 韩6 冯6 丁6 任5
    毛6 范6 陆8 袁5 谢7 宋6 唐6 蔡7 鲍4 严5 魏4 卢5
    """
    )
)

# Given names by birth cohort (born ≤1960, 1961–85, 1986–2005, 2006–) and sex.
_GIVEN = {
    ("elder", "M"): """
        建国 国华 志明 德福 金根 阿根 国庆 永康 长林 建华 根宝 福生 国强 宝林 正明 土根 荣华 明华
        家祥 连生 水根 文忠 德明 炳生 忠良 祖培 桂林 伯祥 学林 惠民
    """,
    ("elder", "F"): """
        秀英 桂英 玉兰 凤英 秀珍 美娟 彩娣 菊芬 月娥 金凤 阿花 素珍 爱华 桂芳 杏娣 雪琴 玉珍 文英
        淑贞 招娣 杏芬 美英 惠芬 琴芳 宝娣 月英 彩凤 秀娟 佩英 根娣
    """,
    ("mid", "M"): """
        伟 勇 军 斌 强 磊 刚 杰 明 波 建军 卫东 海峰 志强 晓东 国平 利民 春雷 文斌 建平 立新 宏伟
        永刚 晓峰 建明 海军 志刚 卫国 忠华 剑锋 国军 俊杰 建忠 伟民 晓军 红军 学军 建伟 振华 立军
    """,
    ("mid", "F"): """
        丽 敏 静 燕 红 萍 芳 娟 霞 英 丽华 海燕 晓红 美玲 雪梅 红梅 建英 丽萍 晓燕 春燕 雅琴 素芬
        丽娟 彩霞 亚萍 秀芳 玲玲 晓梅 慧芳 利萍 卫红 雪芬 燕萍 红英 小红 晓静 爱萍 丽君 月琴 巧玲
    """,
    ("young", "M"): """
        浩 磊 宇 涛 超 鹏 晨 昊 凯 帆 鹏飞 俊杰 家豪 宇航 子豪 博文 天宇 嘉伟 浩然 志豪 文杰 一鸣
        晨阳 佳明 俊宇 宇翔 明轩 杰 振宇 泽宇 旭东 嘉豪 家乐 子健 俊豪 宏宇 逸飞 立恒 浩东 晓峰
    """,
    ("young", "F"): """
        婷 雪 倩 颖 丹 璐 蕾 琳 佳怡 欣怡 雨婷 梦瑶 思琪 晶晶 诗涵 静怡 佳琪 慧敏 晓雯 雯雯 嘉怡
        婷婷 梦洁 佳慧 雅婷 心怡 晓倩 丹妮 若楠 雨欣 佳颖 思雨 梦婷 欣然 文静 悦 瑶 蓉蓉 子怡 晓琳
    """,
    ("child", "M"): """
        浩宇 宇轩 子轩 梓睿 一诺 沐宸 俊熙 奕辰 皓轩 睿泽 子墨 铭泽 承泽 思远 嘉懿 锦程 宇辰 梓豪
        浩然 子睿 一鸣 煜城 俊宇 若凡 天佑 子涵 亦辰 梓航 明哲 昊天 宸 睿 轩 泽 航
    """,
    ("child", "F"): """
        梓涵 诗涵 欣妍 可馨 一诺 雨桐 若汐 语桐 梓萱 紫涵 思彤 沐瑶 安琪 依诺 芷若 佳宁 语嫣 梓晴
        可欣 欣怡 子涵 梓汐 诗琪 雨萱 悦 彤 萱 一然 钰涵 芮 思涵 梦琪 星辰 米乐 若曦
    """,
}
GIVEN_NAMES: Final = {key: _words(text) for key, text in _GIVEN.items()}

# Departments (GEO-4): (name, short_name); district-wide, no superior inside Linli.
GOVERNMENT: Final = (
    ("西湖区民政局", "民政"),
    ("西湖区卫生健康局", "卫健"),
    ("西湖区城市管理局", "城管"),
    ("西湖区文化和广电旅游体育局", "文旅"),
    ("杭州市公安局西湖区分局", "公安"),
    ("西湖区交通运输局", "交通"),
    ("西湖区司法局", "司法"),
    ("西湖区住房和城乡建设局", "住建"),
)
STREET_OFFICE: Final = ("西溪街道办事处", "街道办")
# Property companies: (name, short_name, community codes served); parent is 住建.
PROPERTY: Final = (
    ("杭州文晖物业服务有限公司", "文晖物业", ("001", "002")),
    ("浙江保俶物业管理有限公司", "保俶物业", ("003",)),
    ("杭州西溪园物业服务有限公司", "西溪园物业", ("004",)),
)
UTILITIES: Final = (
    ("杭州水务西湖供水服务所", "供水"),
    ("国网杭州市西湖区供电公司", "供电"),
    ("杭州天然气西湖服务站", "燃气"),
)

# 责任清单 in the style of GB/T 30428.2 (major "01", major-minor "01-10"; 20+ are local).
# (category code, category name, unit short_name). "居委会" means each community's own
# committee (one community-scoped rule per community); "物业" means the property company
# serving that community (the committee where none does).
RESPONSIBILITY: Final = (
    ("01", "市容环境", "城管"),
    ("01-10", "暴露垃圾", "物业"),
    ("02", "宣传广告", "城管"),
    ("03", "施工管理", "城管"),
    ("04", "街面秩序", "城管"),
    ("04-09", "机动车乱停放", "交通"),
    ("05", "突发事件", "公安"),
    ("06", "公共设施", "城管"),
    ("06-03", "道路破损", "交通"),
    ("06-06", "公共设施损坏", "城管"),
    ("20", "邻里纠纷", "居委会"),
    ("20-01", "重大矛盾纠纷", "司法"),
    ("21", "养老服务", "民政"),
    ("22", "托育服务", "卫健"),
    ("23", "供水供电燃气", "街道办"),
    ("23-01", "供水", "供水"),
    ("23-02", "供电", "供电"),
    ("23-03", "燃气", "燃气"),
    ("24", "文体活动", "文旅"),
    ("25", "卫生健康", "卫健"),
    ("26", "社会救助", "民政"),
    ("27", "物业管理", "住建"),
)
