"""English strings (merged into en_translations.EN)."""

EN: dict[str, str] = {}
