"""English strings of the data-access audit (merged into en_translations.EN)."""

EN: dict[str, str] = {
    "数据使用审计": "Data access audit",
    "谁查看了居民档案,有无异常": "Who opened residents' records, and anything unusual",
}
