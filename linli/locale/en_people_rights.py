"""English strings for residents' rights and privacy pages (merged into en_translations.EN)."""

EN: dict[str, str] = {
    "我的信息": "My data",
    "看、改、导出我的信息": "See, correct and export my data",
    "我的家人": "My family",
    "家人愿意分享的信息": "What my relatives share with me",
    "更正申请": "Correction requests",
    "居民申请更正的信息": "Residents asking to correct their data",
}
