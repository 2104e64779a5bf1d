"""English strings for the people pages (merged into en_translations.EN)."""

EN: dict[str, str] = {}
