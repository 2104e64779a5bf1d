"""English strings for the people app (merged into en_translations.EN)."""

EN: dict[str, str] = {}
