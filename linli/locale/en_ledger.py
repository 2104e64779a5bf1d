"""English strings for the ledger app (merged into en_translations.EN)."""

EN: dict[str, str] = {}
