"""Read-only reports over the people app's data (selectors, never writes)."""
