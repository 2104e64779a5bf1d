"""English strings of the care pages: the grid worker's list, an alert, the board, the family
page and the away, device and service forms (issue 5; merged into en_translations.EN)."""

EN: dict[str, str] = {
    # Shared words and punctuation of the care pages
    "接单": "Take it",
    "登记": "Register",
    "撤销": "Cancel",
    "已经回家了": "Back home now",
    "登记外出": "Record time away",
    "登记上门服务": "Record a home service",
    "上门查看的结果": "Result of the home visit",
    "本月上门服务": "Home services this month",
    "本月上门服务不足 2 次的独居老人": (
        "Elderly people living alone with fewer than 2 home services this month"
    ),
    "已上报%(level)s": "Raised to %(level)s",
    "%(reason)s:%(starts)s 至 %(ends)s": "%(reason)s: %(starts)s to %(ends)s",
    ":": ": ",
    ";": "; ",
    "、": ", ",
    # Plain-word times (care_tags)
    "%(n)s 分钟": "%(n)s min",
    "不到 1 分钟": "under a minute",
    "%(n)s 小时": "%(n)s h",
    "%(n)s 天": "%(n)s days",
    "还剩 %(span)s": "%(span)s left",
    "已超时 %(span)s": "%(span)s overdue",
    "从未": "never",
    "%(span)s前": "%(span)s ago",
    # Device states (selectors.device_health) and an unassessed ability (homecare)
    "正常": "OK",
    "离线": "Offline",
    "未上报": "Never reported",
    "未评估": "Not assessed",
    # The grid worker's list and its cards
    "老人家里长时间没有用水、没有活动,或按了一键呼叫,都会出现在这里。请先「接单」,再上门查看并填写结果。": (
        "Alerts show here when an older person has used no water or not moved for a long "
        "time, or has pressed the one-key call button. Tap Take it first, then visit and "
        "record what you found."
    ),
    "待接单": "To take",
    "没有待接单的提醒。": "No alerts waiting to be taken.",
    "待上门": "To visit",
    "没有正在上门的任务。": "No visits under way.",
    "本月 %(done)s 次,还差 %(missing)s 次": "%(done)s this month, %(missing)s more needed",
    "建议:%(suggested)s": "Suggested: %(suggested)s",
    "登记服务": "Record a service",
    "近 7 天已办结": "Closed in the last 7 days",
    "近 7 天没有办结的提醒。": "Nothing closed in the last 7 days.",
    "%(name)s 已接单": "%(name)s took it",
    "填写上门结果": "Record the visit",
    "查看": "View",
    # An alert
    "← 返回看护提醒": "← Back to care alerts",
    "地址": "Address",
    "位置": "Location",
    "%(due)s(%(left)s)": "%(due)s (%(left)s)",
    "已上报": "Raised to",
    "<dt>接单</dt><dd>%(name)s %(at)s</dd>": "<dt>Taken by</dt><dd>%(name)s, %(at)s</dd>",
    "诉求编号": "Case number",
    "按键次数": "Button presses",
    "解除原因": "Why it was resolved",
    "已登记外出:%(reason)s,%(starts)s 至 %(ends)s": (
        "Away registered: %(reason)s, %(starts)s to %(ends)s"
    ),
    "办结": "Close it",
    "登记外出(住院、探亲)": "Record time away (hospital, visiting family)",
    "这条提醒由网格员上门查看;超时未接单上报到社区后,社区工作人员才能处理。": (
        "The grid worker visits for this alert. Community staff can act on it only when "
        "nobody took it in time and it was raised to the community."
    ),
    # Away periods
    "← 返回": "← Back",
    "住院、探亲、外出旅游时登记,这段时间家里没有用水、没有动静,也不会发出看护提醒。一键呼叫照常有效。": (
        "Register a hospital stay, a family visit or a trip: while away, no water use or "
        "no movement at home raises no care alert. The one-key call button still works."
    ),
    # The board
    "未配备": "None assigned",
    "切换": "Switch",
    "登记设备": "Register a device",
    "安装设备的住户": "Households with devices",
    "设备": "Devices",
    "离线或未上报": "Offline or never reported",
    "待处理提醒": "Open alerts",
    "维护任务": "Maintenance tasks",
    "服务不足的独居老人": "Living alone, short of services",
    "另有 %(n)s 条提醒处于老人设定的安静时段,时段结束后发出。": (
        "Alerts held back by the person's quiet hours (sent when they end): %(n)s"
    ),
    "待处理的看护提醒": "Open care alerts",
    "没有待处理的提醒。": "No open alerts.",
    "问题": "Problem",
    "设备都在正常上报。": "All devices are reporting.",
    "本月上门服务(%(month)s)": "Home services this month (%(month)s)",
    "合计": "Total",
    "姓名": "Name",
    "能力等级": "Ability",
    "本月": "This month",
    "建议服务": "Suggested",
    "独居老人本月都已得到至少 2 次上门服务。": (
        "Everyone living alone has had at least 2 home services this month."
    ),
    "提醒准确率(近 %(days)s 天)": "Alert precision (last %(days)s days)",
    "准确率": "Precision",
    "近 %(days)s 天还没有办结的提醒;网格员填写上门结果后,这里显示准确率。": (
        "No alerts closed in the last %(days)s days. Precision shows here once grid "
        "workers record their visits."
    ),
    "准确率 = (平安 + 需要帮助) ÷ 已处理;误报、设备故障、自动解除都算不准。": (
        "Precision = (safe + needed help) ÷ done; false alarms, device faults and "
        "automatic resolutions count as misses."
    ),
    "住户与设备": "Households and devices",
    "设备状况": "Device status",
    "第 %(number)s / %(pages)s 页,共 %(total)s 户": (
        "Page %(number)s / %(pages)s, %(total)s households"
    ),
    "上一页": "Previous page",
    "下一页": "Next page",
    "本社区还没有安装看护设备。": "No care devices are installed in this community yet.",
    # Device registration
    "登记看护设备": "Register a care device",
    "← 返回看板": "← Back to the board",
    "水表、电表、门磁、红外感应、一键呼叫器装好后在这里登记,设备开始上报后就会出现在看板上。": (
        "Register water and electricity meters, door and motion sensors and one-key call "
        "buttons here once installed. A device shows on the board when it starts reporting."
    ),
    "单元(没有可不填)": "Unit (leave empty if none)",
    "门牌号": "Room number",
    "使用人姓名(选填)": "Name of the person using it (optional)",
    "安装位置(选填,如 厨房、卧室门口)": "Where it is installed (optional, e.g. kitchen, bedroom door)",
    "网关(选填)": "Gateway (optional)",
    "表计量程(选填,水表、电表读数满量程后归零时填写)": (
        "Register range (optional: for water and electricity meters that roll over to zero)"
    ),
    "不经网关": "No gateway",
    "这个楼栋里没有找到这一户,请核对单元和门牌号。": (
        "No such household in this building. Please check the unit and room number."
    ),
    "这一户没有叫这个名字的居民。": "Nobody of that name lives in this household.",
    "已登记 %(kind)s %(serial)s,等待设备上报。": (
        "Registered %(kind)s %(serial)s. Waiting for it to report."
    ),
    "请检查下面的内容。": "Please check the fields below.",
    # The family page
    # fill_translations.py looks msgids up as the .po writes them: quotes stay escaped.
    '本月上门服务 <strong data-testid=\\"services-month\\">%(n)s</strong> 次': (
        'Home services this month: <strong data-testid="services-month">%(n)s</strong>'
    ),
    "家里的设备": "Devices at home",
    "还没有上报过": "Not reported yet",
    "电量 %(battery)s": "Battery %(battery)s",
    "还没有安装看护设备。": "No care devices installed yet.",
    "网格员正在处理,您也可以尽快联系家人。": (
        "The grid worker is on it. You may also want to contact your relative soon."
    ),
    "目前没有需要处理的提醒。": "No alerts to deal with right now.",
    "最近:": "Recent: ",
    "%(rule)s(%(at)s,%(outcome)s)": "%(rule)s (%(at)s, %(outcome)s)",
    "按%(name)s本人的隐私选择,看护提醒只通知网格员。": (
        "By %(name)s's own privacy choice, care alerts go only to the grid worker."
    ),
    "住院、探亲时登记一下,这段时间家里没动静也不会打扰网格员。": (
        "Register a hospital stay or a family visit: a quiet home will not call out the "
        "grid worker meanwhile."
    ),
    "您的账号还没有关联家人。请联系家人所在社区,由社区把您登记为紧急联系人。": (
        "Your account is not linked to a relative yet. Ask your relative's community to "
        "register you as their emergency contact."
    ),
    "说明(需要帮助时必填)": "Note (required if help was needed)",
    "外出原因": "Reason for being away",
    "离家日期": "Leaving on",
    "回家日期": "Back home on",
    "备注(选填)": "Note (optional)",
    "已登记外出,这段时间不会发出看护提醒。": (
        "Time away registered: no care alerts will be sent meanwhile."
    ),
    "请选择外出原因并填写日期。": "Please choose why and fill in the dates.",
    "已结束外出登记,看护提醒恢复。": "Time away ended: care alerts are back on.",
    # Home services
    "下一步": "Next",
    "您负责的区域还没有登记老人。": "No elderly people are registered in your area yet.",
    "能力等级:%(ability)s": "Ability level: %(ability)s",
    "按等级应提供:": "Due for this level: ",
    "本月已登记 %(n)s 次": "%(n)s recorded this month",
    "%(kind)s(%(at)s)": "%(kind)s (%(at)s)",
    "没有找到这位居民。": "This resident was not found.",
    "请先选择服务对象。": "Please choose the recipient first.",
    "已登记 %(name)s 的上门服务。": "Home service for %(name)s recorded.",
    "请选择服务项目,并填写服务时间和服务人员。": (
        "Please choose the service and fill in the time and the provider."
    ),
    # Visits (views.py)
    "已接单,请在 %(time)s 前上门查看。": "Taken: please visit before %(time)s.",
    "已办结,谢谢您的上门查看。": "Closed. Thank you for the visit.",
    "请选择上门查看的结果。": "Please choose the result of the visit.",
    "请检查填写的内容。": "Please check what you entered.",
}
