"""One-key calls and home services (CARE-6, CARE-7)."""
