"""English strings of the care app's calls, home services and pages (C3; merged into
en_translations.EN)."""

EN: dict[str, str] = {
    # Home services (CARE-7)
    "照护包": "Care pack",
    "上门助浴": "Bathing at home",
    "医养结合转介": "Referral to a medical-care institution",
    "上门保洁": "Home cleaning",
    "送餐上门": "Meal delivery",
    "健康随访": "Health follow-up visit",
    "探访陪伴": "Companionship visit",
    "上门服务记录": "Home service record",
    "服务对象": "Recipient",
    "服务项目": "Service",
    "服务时间": "Time of service",
    "服务人员账号": "Provider account",
    "服务人员或单位": "Provider (person or organisation)",
    "登记人": "Recorded by",
    # One-key calls (CARE-6)
    "一键呼叫记录": "One-key call press",
    "呼叫时间": "Pressed at",
    "处理时间": "Handled at",
    "重复按键": "Duplicate press",
    # Home page tiles
    "看护提醒": "Care alerts",
    "上门查看、一键呼叫": "Home visits and one-key calls",
    "智慧养老看板": "Elderly care board",
    "设备、提醒、上门服务": "Devices, alerts, home services",
    "家人看护": "My relative's care",
    "设备、提醒、外出登记": "Devices, alerts, time away",
}
