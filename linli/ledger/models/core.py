"""Double-entry core: books, accounts, transactions, entries (LEDGER-5)."""
