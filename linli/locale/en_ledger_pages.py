"""English strings for the ledger pages: the hub, the time bank, points and vouchers, the
merchant's page, sharing, the public fund pages and the two staff pages (merged into
en_translations.EN)."""

EN: dict[str, str] = {
    # Words the ledger code hands over (ledger_tags.PAGE_WORDS): books, funds, kinds of
    # transaction and the labels of the models' choices
    "时间币": "Time credits",
    "积分": "Points",
    "资金": "Money",
    "社区发展基金": "Community development fund",
    "社区公益基金": "Community welfare fund",
    "公共基金": "Public fund",
    "时间银行": "Time bank",
    "基金": "Fund",
    "闲置共享": "Sharing",
    "捐赠": "Donation",
    "政府配套": "Government matching",
    "项目拨付": "Project payment",
    "积分奖励": "Points awarded",
    "积分兑换": "Rewards",
    "共享租金": "Rent from sharing",
    "社区经济收入": "Community income",
    "志愿服务存入": "Volunteer service",
    "服务兑换": "Service paid",
    "服务兑换冻结": "Held for a service",
    "家人赠予": "Gift from family",
    "企业捐赠": "Company donation",
    "居民众筹": "Residents' crowdfunding",
    "已结项": "Closed",
    "未使用": "Not used",
    "已使用": "Used",
    "已作废": "Cancelled",
    "工具": "Tools",
    "书籍": "Books",
    "车位": "Parking space",
    "待确认": "To confirm",
    "已确认": "Confirmed",
    "有异议": "Disputed",
    "等待志愿者": "Waiting for a volunteer",
    "服务待确认": "Service to confirm",
    "已完成": "Done",
    "已取消": "Cancelled",
    "%(kind)s（冲正）": "%(kind)s (reversed)",
    # Amounts and dates
    "m月d日": "M j",
    "%(minutes)s 分钟": "%(minutes)s min",
    "半小时": "Half an hour",
    "1 小时": "1 hour",
    "1 小时 30 分钟": "1 hour 30 min",
    "2 小时": "2 hours",
    "2 小时 30 分钟": "2 hours 30 min",
    "3 小时": "3 hours",
    "4 小时": "4 hours",
    "5 小时": "5 hours",
    "6 小时": "6 hours",
    "8 小时": "8 hours",
    # Suggested services
    "陪同就医": "Going with someone to the doctor",
    "买菜送餐": "Shopping and meal delivery",
    "打扫卫生": "Cleaning",
    "读报聊天": "Reading and chatting",
    "理发": "Haircut",
    "代缴水电费": "Paying water and power bills",
    "教用智能手机": "Smartphone lessons",
    # Forms (forms.py)
    "请填写{label}。": "Please fill in: {label}.",
    "{label}格式不正确。": "{label}: this is not in the right form.",
    "{label}必须大于零。": "{label} must be more than zero.",
    "请选择服务对象。": "Please choose who was served.",
    "服务内容": "Service",
    "如:陪同就医": "e.g. going with someone to the doctor",
    "服务日期": "Date of service",
    "服务时长": "Time spent",
    "需要什么服务": "What service do you need",
    "需要的服务": "Service needed",
    "大约多长时间": "About how long",
    "说明(选填)": "Note (optional)",
    "异议原因": "Reason for the dispute",
    "家人的登录账号": "Your relative's user name",
    "账号": "User name",
    "关系": "Relationship",
    "如:母亲": "e.g. mother",
    "赠送给": "Give to",
    "家人": "Relative",
    "赠送时长": "Time to give",
    "所需积分": "Points needed",
    "库存": "In stock",
    "兑换商家": "Shop that redeems it",
    "请选择兑换商家。": "Please choose the shop.",
    "上架": "On offer",
    "居民登录账号": "Resident's user name",
    "积分项目": "Reason for points",
    "请选择积分项目。": "Please choose the reason for the points.",
    "捐赠人": "Donor",
    "金额(元)": "Amount (yuan)",
    "到账日期": "Date received",
    "公示时不显示捐赠人姓名": "Do not show the donor's name in public",
    "年度": "Year",
    "配套上限(元)": "Matching limit (yuan)",
    "项目名称": "Project name",
    "预算(元)": "Budget (yuan)",
    "拨付金额(元)": "Amount to pay (yuan)",
    "收入来源": "Source of income",
    "如:活动室场地租赁": "e.g. renting out the activity room",
    "类别": "Kind",
    "每天租金(元)": "Rent per day (yuan)",
    "租用天数": "Days of rent",
    "天数": "Days",
    "兑换码": "Voucher code",
    "8 位兑换码": "8-character code",
    "提交的内容有误。": "Something you entered is not right.",
    # Shared parts of the pages
    "切换社区": "Switch community",
    "余额 %(balance)s": "Balance %(balance)s",
    "还没有记录。": "Nothing recorded yet.",
    "下载明细(Excel)": "Download the history (Excel)",
    "下载明细": "Download the history",
    "您没有负责的社区。": "You are not in charge of any community.",
    # The hub
    "有 %(n)s 条志愿服务等待您确认。": "Volunteer services waiting for you to confirm: %(n)s",
    "存时间、确认服务、家人互助": "Save time, confirm services, help family",
    "我的积分": "My points",
    "积分明细、我的兑换券": "Points history, my vouchers",
    "理发券、物业费抵扣、家政服务": "Haircuts, property fee discounts, home help",
    "出租工具、书籍、车位": "Rent out tools, books, parking spaces",
    "登记服务时长": "Record service time",
    "服务完成后登记,对方确认后存入": "Record it after the service; saved once confirmed",
    "代老人确认服务": "Confirm services for elderly people",
    "本网格待确认的志愿服务": "Volunteer services in your grid to confirm",
    "兑换券核销": "Redeem vouchers",
    "输入居民出示的兑换码": "Enter the code the resident shows you",
    "积分与兑换管理": "Points and rewards",
    "兑换目录、兑换券、发放积分": "Rewards list, vouchers, giving points",
    "社区基金管理": "Community funds",
    "捐赠、配套、项目、拨付": "Donations, matching, projects, payments",
    "基金公示": "Public fund accounts",
    "每一笔收入和支出": "Every payment in and out",
    # Confirming for elderly people
    "本网格居民(特别是没有手机的老人)接受的志愿服务。请向老人核实后确认,志愿者才能获得时间币。": (
        "Volunteer services received by residents of your grid (especially elderly people "
        "without a phone). Check with the person, then confirm: only then does the "
        "volunteer get time credits."
    ),
    "%(name)s 提供「%(service)s」": "%(name)s gave “%(service)s”",
    "核实无误,确认": "Checked, confirm",
    "提出异议": "Dispute it",
    "没有待确认的服务。": "No services to confirm.",
    # The merchant's page
    "请输入居民出示的 8 位兑换码(不区分大小写,空格可不输)。每张券只能核销一次。": (
        "Enter the 8-character code the resident shows you (capitals or small letters, "
        "spaces can be left out). Each voucher can be used only once."
    ),
    "核销成功:%(reward)s(%(name)s)。请为居民提供服务。": (
        "Voucher accepted: %(reward)s (%(name)s). Please serve the resident."
    ),
    "核销": "Accept voucher",
    "最近核销": "Recently accepted",
    "还没有核销记录。": "No vouchers accepted yet.",
    # Points, rewards and vouchers
    "现有积分": "Points now",
    "参加志愿服务、居民议事、投票、担任观察员都能得到积分。": (
        "You earn points by volunteering, joining residents' meetings, voting and serving "
        "as an observer."
    ),
    "去兑换": "Get rewards",
    "我的兑换券": "My vouchers",
    "还没有兑换券。": "No vouchers yet.",
    "积分明细": "Points history",
    '我现有 <strong data-testid=\\"points-balance\\">%(balance)s</strong> 分': (
        'I have <strong data-testid="points-balance">%(balance)s</strong> points'
    ),
    "剩余 %(stock)s 份": "%(stock)s left",
    "已兑完": "All gone",
    "积分还不够,需要 %(price)s 分。": "Not enough points: %(price)s needed.",
    "兑换「%(name)s」": "Get “%(name)s”",
    "本社区还没有可兑换的物品。": "This community has no rewards yet.",
    "我的积分和兑换券": "My points and vouchers",
    "兑换券": "Voucher",
    "请把下面的兑换码出示给 <strong>%(merchant)s</strong>,或念给店员听。": (
        "Show the code below to <strong>%(merchant)s</strong>, or read it out to the staff."
    ),
    "状态:": "Status: ",
    "(%(at)s 已使用)": " (used %(at)s)",
    "花费 %(points)s 分 · 兑换于 %(at)s。每张券只能使用一次;未使用的券可请社区工作人员作废并退回积分。": (
        "Cost %(points)s points · got on %(at)s. Each voucher can be used only once; "
        "community staff can cancel an unused voucher and give the points back."
    ),
    # Public fund pages
    "%(community)s基金公示": "%(community)s fund accounts",
    "%(street)s。资金在线下收付,本页列出登记的每一笔收入和支出;捐赠人可选择匿名。": (
        "%(street)s. Money is paid and received offline; this page lists every payment in "
        "and out that was recorded. Donors may stay anonymous."
    ),
    "累计收入": "Total in",
    "累计支出": "Total out",
    "当前余额": "Balance now",
    "社区基金公示": "Community fund accounts",
    "社区发展基金、公益基金和公共基金的每一笔收入和支出都在这里公开。资金在线下收付,本系统如实登记。": (
        "Every payment in and out of the community development, welfare and public funds "
        "is shown here. Money is paid offline; this system records it as it is."
    ),
    "发展基金余额 %(amount)s": "Development fund %(amount)s",
    "公益基金 %(amount)s": "Welfare fund %(amount)s",
    "公共基金 %(amount)s": "Public fund %(amount)s",
    "还没有公示的基金。": "No fund accounts published yet.",
    # Recording service time
    "服务完成后登记。被服务的居民(或其网格员)确认后,时间币才会存入您的账户。": (
        "Record it after the service. The time credits reach your account once the "
        "resident (or their grid worker) confirms."
    ),
    "您所在网格还没有可选的居民,也没有待服务的申请。": (
        "Your grid has no residents to choose yet, and no service requests."
    ),
    "提交登记": "Submit",
    "返回时间银行": "Back to the time bank",
    # Sharing
    "邻居之间出租工具、书籍、车位。租金线下直接付给物主,本系统只做登记;每笔租金的 %(rate)s(按分四舍五入)计入社区公益基金,其余归物主。": (
        "Neighbours rent out tools, books and parking spaces. Rent is paid to the owner "
        "offline; this system only records it. %(rate)s of each rent (rounded to the fen) "
        "goes to the community welfare fund, the rest to the owner."
    ),
    "可以租的物品": "Things to rent",
    "%(price)s/天": "%(price)s/day",
    "物主 %(owner)s": "Owner %(owner)s",
    "我已付款,登记租用": "I have paid: record the rental",
    "暂时没有可租的物品。": "Nothing to rent at the moment.",
    "我出租的物品": "Things I rent out",
    "已收租金(扣除公益基金后):": "Rent received (after the welfare fund share): ",
    "出租中": "For rent",
    "已暂停": "Paused",
    "暂停出租": "Pause",
    "重新上架": "Offer again",
    "发布闲置物品": "Offer something for rent",
    "发布": "Publish",
    "我租过的": "Things I rented",
    "%(days)s 天": "%(days)s day(s)",
    # Community funds (staff)
    '资金不经过本系统流转:这里登记在线下发生的每一笔收付,账目自动公示在<a href=\\"%(public_url)s\\">基金公示页</a>。': (
        "No money moves through this system: record here every payment made offline. The "
        'accounts are published on the <a href="%(public_url)s">public fund page</a>.'
    ),
    "余额": "Balances",
    "%(year)s 年政府 1:1 配套:上限 %(cap_text)s,已配套 %(matched_text)s。": (
        "Government 1:1 matching in %(year)s: limit %(cap_text)s, matched %(matched_text)s."
    ),
    "%(year)s 年政府 1:1 配套:上限 未设置,已配套 %(matched_text)s。": (
        "Government 1:1 matching in %(year)s: no limit set, matched %(matched_text)s."
    ),
    "登记捐赠 / 居民众筹": "Record a donation / residents' crowdfunding",
    "登记后按年度上限自动申请政府 1:1 配套(超出上限的部分不配套)。": (
        "Once recorded, government 1:1 matching is asked for up to the yearly limit "
        "(nothing above the limit is matched)."
    ),
    "登记捐赠": "Record the donation",
    "设置政府配套上限": "Set the government matching limit",
    "保存上限": "Save the limit",
    "基金项目": "Fund projects",
    "预算不超过 %(limit)s 的项目由社区书记审批,超过的由街道办审批。": (
        "Projects with a budget up to %(limit)s are approved by the community secretary, "
        "larger ones by the street office."
    ),
    "预算 %(budget)s · 已拨付 %(disbursed)s · 剩余 %(remaining)s": (
        "Budget %(budget)s · paid %(disbursed)s · left %(remaining)s"
    ),
    "等待街道办审批。": "Waiting for the street office to approve.",
    "等待社区书记审批。": "Waiting for the community secretary to approve.",
    "拨付": "Pay",
    "确认拨付": "Confirm the payment",
    "还没有项目。": "No projects yet.",
    "新建项目": "New project",
    "提交审批": "Send for approval",
    "登记社区经济收入(场地租赁等)": "Record community income (renting out rooms, etc.)",
    "其中 %(public_pct)s(按分四舍五入)自动计入公共基金,其余归运营方。": (
        "%(public_pct)s of it (rounded to the fen) goes to the public fund automatically, "
        "the rest to the operator."
    ),
    "登记收入": "Record the income",
    "账户明细下载": "Download account histories",
    '\\"来源\\"和\\"发行\\"账户记录从外部流入的总额,所以显示为负数;每笔收付两边相抵。': (
        '"Source" and "issue" accounts record what came in from outside, so they show '
        "as negative numbers; both sides of every payment add up to zero."
    ),
    "下载 Excel": "Download Excel",
    "还没有账户。": "No accounts yet.",
    # Points and rewards (staff)
    "兑换目录": "Rewards list",
    "物品": "Item",
    "商家": "Shop",
    "下架": "Not on offer",
    "修改「%(name)s」": "Change “%(name)s”",
    "目录还是空的。": "The list is empty.",
    "添加兑换物品": "Add a reward",
    "添加": "Add",
    "发放积分": "Give points",
    '例如轮值观察员、参加议事会。积分项目和分值在系统管理的\\"积分规则\\"里设置。': (
        "For example, serving as an observer or joining a residents' meeting. The reasons "
        'and the points are set under "Points rules" in administration.'
    ),
    "发放": "Give",
    "作废并退回积分": "Cancel and give points back",
    # The time bank
    "我的时间币": "My time credits",
    "服务 1 小时 = 1 个时间币。现在帮助别人,以后需要时换别人帮您;也可以赠送给家人。": (
        "1 hour of service = 1 time credit. Help others now and get help when you need "
        "it; you can also give credits to your family."
    ),
    "等待您确认的服务": "Services for you to confirm",
    '志愿者为您服务后登记了时长。属实请点\\"确认\\",志愿者才能获得时间币。': (
        "A volunteer served you and recorded the time. If it is right, tap Confirm: only "
        "then does the volunteer get time credits."
    ),
    "<strong>%(name)s</strong> 为您提供了「%(service)s」": (
        "<strong>%(name)s</strong> gave you “%(service)s”"
    ),
    "确认属实": "Confirm",
    "不属实": "Not right",
    "哪里不对?": "What is wrong?",
    "我做的志愿服务": "My volunteer services",
    "居民的服务申请(用时间币支付)": "Residents' service requests (paid in time credits)",
    "最多 %(minutes)s": "up to %(minutes)s",
    '服务完成后,在\\"登记服务时长\\"里选择这条申请。': (
        'After the service, choose this request under "Record service time".'
    ),
    "异议:%(reason)s": "Dispute: %(reason)s",
    "还没有登记过服务。": "No services recorded yet.",
    "用时间币申请服务": "Ask for a service with time credits",
    "提交后先冻结相应时间币;服务确认后付给志愿者,没用完的退回。": (
        "The time credits are held when you send it; once the service is confirmed they "
        "go to the volunteer, and what is left comes back."
    ),
    "取消申请": "Cancel the request",
    "家人互助(代际互助)": "Family help (between generations)",
    "%(name)s 请求关联为您的家人(%(relation)s)": (
        "%(name)s asks to be linked as your relative (%(relation)s)"
    ),
    "接受": "Accept",
    "已关联的家人:": "Linked relatives: ",
    "赠送时间币": "Give time credits",
    "现在为社区服务,把时间币存起来或赠送给父母,让他们以后得到照顾。": (
        "Serve the community now, and save your time credits or give them to your parents "
        "so they can be cared for later."
    ),
    "已向 %(name)s 发出关联请求,等待对方接受。": (
        "Link request sent to %(name)s, waiting for them to accept."
    ),
    "添加家人": "Add a relative",
    "%(name)s(%(points)s 分)": "%(name)s (%(points)s points)",
    # Messages of the views
    "%(name)s(%(place)s)": "%(name)s (%(place)s)",
    "%(name)s 的申请:%(service)s(最多 %(minutes)s 分钟)": (
        "Request from %(name)s: %(service)s (up to %(minutes)s min)"
    ),
    "已登记,等待对方确认后存入时间币。": (
        "Recorded. The time credits are saved once the other person confirms."
    ),
    "找不到该服务记录。": "This service record was not found.",
    "已确认,%(name)s获得 %(amount)s时间币。": "Confirmed: %(name)s gets %(amount)s of time credits.",
    "已提出异议,志愿者会收到通知。": "Dispute sent. The volunteer will be told.",
    "申请已发出,时间币已冻结;服务确认后付给志愿者。": (
        "Request sent and time credits held; they go to the volunteer once the service is "
        "confirmed."
    ),
    "找不到该服务申请。": "This service request was not found.",
    "已取消,冻结的时间币已退回。": "Cancelled. The held time credits are back.",
    "已发出关联请求,对方接受后即可互赠时间币。": (
        "Link request sent. Once accepted, you can give each other time credits."
    ),
    "已接受家人关联。": "Family link accepted.",
    "已赠送 %(amount)s给%(name)s。": "Gave %(amount)s to %(name)s.",
    "找不到该兑换物品。": "This reward was not found.",
    "兑换成功:%(name)s。请把兑换码出示给商家。": "Done: %(name)s. Show the code to the shop.",
    "已发布:%(title)s。": "Published: %(title)s.",
    "找不到该物品。": "This item was not found.",
    "已重新上架。": "Offered again.",
    "已暂停出租。": "Paused.",
    "已登记租用「%(title)s」%(days)s 天,请线下把租金付给物主。": (
        "Rental of “%(title)s” for %(days)s day(s) recorded. Please pay the owner offline."
    ),
    "已保存:%(name)s。": "Saved: %(name)s.",
    "找不到该兑换券。": "This voucher was not found.",
    "已作废,%(points)s 分已退回%(name)s。": "Cancelled: %(points)s points given back to %(name)s.",
    "找不到该居民账号。": "No resident with this user name.",
    "已发放「%(rule)s」积分。": "Points for “%(rule)s” given.",
    "已登记捐赠;如有政府配套额度,已同时配套。": (
        "Donation recorded, and matched by the government if there was room under the limit."
    ),
    "已设置政府配套上限。": "Government matching limit set.",
    "项目已提交,等待审批。": "Project sent, waiting for approval.",
    "已登记社区经济收入,公共基金份额已入账。": (
        "Community income recorded; the public fund's share is booked."
    ),
    "找不到该项目。": "This project was not found.",
    "已驳回。": "Refused.",
    "已拨付给「%(name)s」。": "Paid to “%(name)s”.",
}
