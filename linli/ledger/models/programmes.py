"""Time bank, points and rewards, funds, sharing (LEDGER-1..4)."""
