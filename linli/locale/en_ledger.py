"""English strings for the ledger app (merged into en_translations.EN)."""

EN: dict[str, str] = {
    "时间银行与积分": "Time bank and points",
    "时间币、积分兑换、基金公示": "Time credits, rewards, public funds",
}
