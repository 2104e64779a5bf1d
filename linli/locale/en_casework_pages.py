"""English strings for the casework pages (merged into en_translations.EN)."""

EN: dict[str, str] = {}
