"""Care profiles, thresholds, away periods, alerts and maintenance tasks (CARE-3..5)."""
