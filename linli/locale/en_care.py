"""English strings for the care app (merged into en_translations.EN)."""

EN: dict[str, str] = {}
