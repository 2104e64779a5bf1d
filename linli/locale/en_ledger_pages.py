"""English strings for the ledger pages (merged into en_translations.EN)."""

EN: dict[str, str] = {}
